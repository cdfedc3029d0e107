/** Is the target there at all? One request before any run, so that a typo is exit 3, not 100 % loss. */
import http from 'node:http';
import https from 'node:https';
import { envError } from '../errors.js';
import { redactUrl } from '../util/redact.js';

export async function checkTarget(url: string, timeoutMs: number, where: string): Promise<void> {
  const mod = url.startsWith('https:') ? https : http;
  await new Promise<void>((resolve, reject) => {
    const fail = (reason: string) =>
      reject(
        envError(`${where}: target ${redactUrl(url)} is unreachable (${reason})`, 'check that the server is up and that `target` has the right address and port'),
      );
    const req = mod.get(url, { agent: false, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => resolve());
      res.on('error', () => resolve());
    });
    req.on('timeout', () => {
      req.destroy();
      fail(`no answer within ${timeoutMs} ms`);
    });
    req.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
  });
}
