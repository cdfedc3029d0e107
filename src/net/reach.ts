/**
 * Is it there? The set-up checks that come before any measurement: one HTTP request, or one TCP
 * connection, bounded, each on a connection of its own. `run` sends the first to a load target
 * (recorded in the manifest), a failover scenario checks its probes' targets with both, and
 * `lab up` / `lab status` see their servers answer.
 *
 * The failover probes (src/kinds/failover/probes.ts) are not these: they are the measurement, sent on a
 * schedule whether or not the earlier ones were answered, bounded from their send time rather than
 * by a quiet socket, and they report an outcome per probe instead of failing.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { envError, Interrupted } from '../errors.js';
import type { Preflight } from '../results/types.js';
import { redactUrl } from '../util/redact.js';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** bytes received, headers and body: the connection is this request's alone */
  bytes: number;
  /** from sending to the end of the response, ms */
  time_ms: number;
}

/** Why a check failed, in a word: the error's code (ECONNREFUSED) or its message. */
export const failure = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message ?? String(e);

/** Node's HTTP parser refused what the target sent (HPE_INVALID_STATUS, …): it is there, and answered wrongly. */
function notHttp(e: unknown): string | null {
  const code = (e as NodeJS.ErrnoException).code;
  if (!code?.startsWith('HPE_')) return null;
  return (e as { reason?: string }).reason ?? 'not a valid HTTP answer';
}

/** Why the check failed, as a person says it: a target that answered wrongly, or hung up, is not unreachable. */
function whatWentWrong(e: unknown): string {
  if (e instanceof IncompleteAnswer) return e.message;
  const bad = notHttp(e);
  if (bad) return `answered, but not in HTTP (${failure(e)}: ${bad})`;
  if (failure(e) === 'ECONNRESET') return 'took the connection, then closed it without an answer (ECONNRESET)';
  return `is unreachable (${failure(e)})`;
}

/** The answer's headers came, its body did not end in time: the target is there, but misbehaves. */
export class IncompleteAnswer extends Error {}

/**
 * One GET, bounded as a whole by `timeoutMs` (not only while the line is idle: an answer whose body
 * never ends, a byte now and then, would keep it waiting for ever) and ended by `signal`. Rejects
 * when nothing answers (the error's code, or "no answer within N ms"), with an IncompleteAnswer when
 * the body does not end in time, and with the signal's reason when it aborts. Any status is an answer.
 */
export function httpGet(url: string | URL, timeoutMs: number, signal?: AbortSignal): Promise<HttpAnswer> {
  const mod = String(url).startsWith('https:') ? https : http;
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    let answered = false;
    const settle = (finish: () => void) => {
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      finish(); // a promise settles once: what comes after the first is ignored
    };
    const onAbort = () => settle(() => reject(signal?.reason));
    const req = mod.get(url, { agent: false, rejectUnauthorized: false }, (res) => {
      answered = true;
      const done = () =>
        settle(() =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            bytes: res.socket?.bytesRead ?? 0,
            time_ms: Math.round(Number(process.hrtime.bigint() - t0) / 1e3) / 1e3,
          }),
        );
      res.resume();
      res.on('end', done);
      res.on('error', done);
    });
    const deadline = setTimeout(
      () =>
        settle(() =>
          reject(
            answered
              ? new IncompleteAnswer(`sent no complete answer within ${timeoutMs} ms (its body did not end)`)
              : new Error(`no answer within ${timeoutMs} ms`),
          ),
        ),
      timeoutMs,
    );
    req.on('error', (e) => settle(() => reject(e)));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One TCP connection, closed at once; rejects when it is refused or nothing answers within `timeoutMs`. */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port, timeout: timeoutMs });
    sock.on('connect', () => {
      sock.destroy();
      resolve();
    });
    sock.on('timeout', () => sock.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    sock.on('error', reject);
  });
}

/**
 * Is the target there at all? One request before any run, so that a typo is exit 3, not 100 % loss.
 * What it got back is returned for the manifest: the target's logs hold this request too. The whole
 * answer must come within `timeoutMs`; `signal` (Ctrl-C) ends it at once, with nothing measured.
 */
export async function checkTarget(
  url: string,
  timeoutMs: number,
  where: string,
  signal?: AbortSignal,
  /** a look at the answer, which may refuse it (throw) */
  judge?: (answer: HttpAnswer) => void,
): Promise<Preflight> {
  let answer: HttpAnswer;
  try {
    answer = await httpGet(url, timeoutMs, signal);
  } catch (e) {
    if (signal?.aborted) throw new Interrupted('interrupted before the first run; nothing was measured');
    throw envError(
      `${where}: target ${redactUrl(url)} ${whatWentWrong(e)}`,
      'check that the server is up and that `target` has the right address and port',
    );
  }
  judge?.(answer);
  return { status: answer.status, bytes: answer.bytes, time_ms: answer.time_ms };
}

/** Does host:port accept connections? Exit 3 naming where and why not. */
export async function checkTcp(host: string, port: number, timeoutMs: number, where: string): Promise<void> {
  try {
    await tcpConnect(host, port, timeoutMs);
  } catch (e) {
    throw envError(`${where}: ${host}:${port} does not accept connections (${failure(e)})`, 'check the target address and port');
  }
}
