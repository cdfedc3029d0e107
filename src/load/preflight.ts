/**
 * Is the target there at all? One request before any run, so that a typo is exit 3, not 100 % loss.
 * What it got back is returned for the manifest: the target's logs hold this request too.
 */
import http from 'node:http';
import https from 'node:https';
import { envError } from '../errors.js';
import type { Preflight } from '../results/types.js';
import { redactUrl } from '../util/redact.js';

export async function checkTarget(url: string, timeoutMs: number, where: string): Promise<Preflight> {
  const mod = url.startsWith('https:') ? https : http;
  const t0 = process.hrtime.bigint();
  return new Promise<Preflight>((resolve, reject) => {
    const fail = (reason: string) =>
      reject(
        envError(`${where}: target ${redactUrl(url)} is unreachable (${reason})`, 'check that the server is up and that `target` has the right address and port'),
      );
    const req = mod.get(url, { agent: false, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      // headers and body, as a sample's `bytes`: the connection is this request's alone (agent: false)
      const done = () =>
        resolve({ status: res.statusCode ?? 0, bytes: res.socket?.bytesRead ?? 0, time_ms: Math.round(Number(process.hrtime.bigint() - t0) / 1e3) / 1e3 });
      res.resume();
      res.on('end', done);
      res.on('error', done);
    });
    req.on('timeout', () => {
      req.destroy();
      fail(`no answer within ${timeoutMs} ms`);
    });
    req.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
  });
}
