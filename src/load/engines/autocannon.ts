/**
 * autocannon as an engine, used as a library. Its own totals are not used: it drops requests
 * whose connection closes without a response (its issue #462), counts timeouts inside errors, and
 * rounds the duration to its 1 s sampling tick. Instead every client is instrumented through
 * `setupClient` and reports to the accounting. autocannon has no connect phase: it creates every
 * client, connecting and writing its first request, in one synchronous loop when it starts.
 */
import autocannon from 'autocannon';
import { inputError } from '../../errors.js';
import { redactText } from '../../util/redact.js';
import type { EventEmitter } from 'node:events';
import { TLSSocket } from 'node:tls';
import { Accounting, type AccountingHooks, type EngineCounts } from '../accounting.js';
import type { EngineFactory, LoadEngine, LoadShare } from '../engine-types.js';

/**
 * Does an answer end its body by closing the connection (RFC 9112, 6.3: no Content-Length, not
 * chunked, a status and method that have a body)? Valid HTTP/1.x (an HTTP/1.0 server does it),
 * but autocannon's client never finishes such an answer: it counts every one lost, where the net
 * engine counts them completed. Such a target is refused with autocannon, saying why.
 */
export function closeDelimited(status: number, headers: Record<string, string | string[] | undefined>, method = 'GET'): boolean {
  if (method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) return false;
  const te = headers['transfer-encoding'];
  return headers['content-length'] === undefined && (te === undefined || !/chunked\s*$/i.test(String(te)));
}

/** Why autocannon cannot measure a target that answers so. */
export const CLOSE_DELIMITED =
  'answers with a body that ends when the connection closes (no Content-Length, not chunked; HTTP/1.0 does it): the autocannon engine cannot tell such an answer complete and would count every request lost';

/** autocannon's parser gives headers as a flat list [name, value, name, value, …]. */
function headerMap(flat: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(flat)) for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i]).toLowerCase()] = String(flat[i + 1]);
  return out;
}

type AcClient = EventEmitter;
type AcInstance = EventEmitter & { stop(): void };
interface AcInternals {
  conn: import('node:net').Socket;
  pipelinedRequests: { clear(): void };
  _destroyConnection(): void;
}

/**
 * Close a finished connection with a reset instead of a FIN, so that it leaves no TIME_WAIT
 * socket on this machine: 10000 connections a run would otherwise hold the 28 000 ephemeral
 * ports of one destination for 60 s, and later runs would fail to connect (EADDRNOTAVAIL) —
 * loss that the target never caused. The server has already sent its whole response.
 * (Replaces autocannon's Client#_destroyConnection, which does the same with destroy().)
 */
function closeWithReset(client: AcClient): void {
  // setupClient runs before the client connects: `conn` exists only once it has (read at close)
  if (!('pipelinedRequests' in client && typeof Reflect.get(client, '_destroyConnection') === 'function')) return; // not the autocannon it was written for: leave its close alone
  const c = client as AcClient & AcInternals;
  c._destroyConnection = function (this: AcInternals) {
    const conn = this.conn;
    conn.removeAllListeners('error');
    conn.removeAllListeners('end');
    conn.on('error', () => {});
    // a TLS socket cannot be reset (node:net refuses its handle): it closes as usual
    if (conn.readyState === 'open' && !(conn instanceof TLSSocket) && typeof conn.resetAndDestroy === 'function') conn.resetAndDestroy();
    else conn.destroy();
    this.pipelinedRequests.clear();
  };
}

class AutocannonEngine implements LoadEngine {
  readonly connectsFirst = false;
  readonly closed: Promise<void>;
  private readonly acct: Accounting;
  private readonly connections: number;
  private stopped = false;
  private clientsDone = 0;
  private resolveDone!: () => void;
  private readonly allAccounted = new Promise<void>((r) => (this.resolveDone = r));
  private release!: () => void;
  /** an answer autocannon cannot finish was seen: the run is refused */
  private refuse: ((e: Error) => void) | null = null;

  constructor(
    private readonly share: LoadShare,
    hooks: AccountingHooks,
  ) {
    this.connections = Math.min(share.connections, share.requests);
    this.acct = new Accounting(share.requests, share.timeoutMs, hooks);
    this.closed = new Promise<void>((r) => (this.release = r));
  }

  async connect(): Promise<void> {}

  async send(): Promise<EngineCounts> {
    if (this.stopped) {
      this.release();
      return this.acct.finish(true);
    }
    const instance = this.start();
    let failed: ((e: Error) => void) | null = null;
    const failure = new Promise<never>((_r, reject) => (failed = reject));
    this.refuse = (e) => failed?.(e);
    failure.catch(() => {});
    instance.on('error', (e: Error) => failed?.(new Error(`the load engine refused the run: ${redactText(e.message)}`)));
    const finished = new Promise<void>((resolve) => instance.once('done', () => resolve()));
    // autocannon notices the end only at its next sampling tick: the figures are final before
    // that, so that CPU samplers can close their window right at the last response
    const teardown = () => {
      instance.stop();
      return finished;
    };
    try {
      await Promise.race([this.allAccounted, finished, failure]);
    } catch (e) {
      instance.stop();
      this.release();
      throw e;
    }
    void teardown().then(() => this.release());
    // A written request with no response, timeout or error ended with its connection closed
    // by the peer (FIN) — autocannon reconnects silently there. It is a connection error.
    const closed = this.acct.written - this.acct.outcomes;
    if (closed > 0) this.acct.failed('closed-without-response', null, closed);
    return this.acct.finish(this.stopped);
  }

  stop(): void {
    this.stopped = true;
    this.resolveDone();
  }

  private start(): AcInstance {
    const { share, acct } = this;
    const setupClient = (client: AcClient) => {
      // autocannon refuses timeouts under 1 s; its client reads this field for every request
      Reflect.set(client, 'timeout', share.timeoutMs);
      closeWithReset(client);
      client.on('request', () => acct.sent());
      client.on('response', (status: number, resBytes: number, responseTime: number) => {
        acct.received(resBytes);
        acct.response(status, responseTime);
      });
      client.on('timeout', () => acct.timedOut());
      // a target that changed its framing since the check before the first run
      client.on('headers', (h: { statusCode?: number; headers?: unknown }) => {
        if (closeDelimited(h.statusCode ?? 0, headerMap(h.headers), share.method))
          this.refuse?.(
            inputError(
              `target ${redactText(share.url)} ${CLOSE_DELIMITED}`,
              'use load.engine: net (the default), which reads such answers',
            ),
          );
      });
      client.on('connError', (err: NodeJS.ErrnoException) => acct.failed(err?.code ?? 'error'));
      // a client is done when it has written its share and seen the end of its last request
      client.on('done', () => {
        acct.touch();
        if (++this.clientsDone === this.connections) this.resolveDone();
      });
    };
    return autocannon(
      {
        url: share.url,
        amount: share.requests,
        connections: this.connections,
        timeout: Math.max(1, share.timeoutMs / 1000),
        method: (share.method ?? 'GET') as autocannon.Request['method'],
        headers: share.headers ?? {},
        setupClient,
        skipAggregateResult: true,
        // autocannon notices the end of a run only at its sampling tick
        sampleInt: 50,
      } as autocannon.Options,
      () => {},
    );
  }
}

export const autocannonEngine: EngineFactory = (share, hooks) => new AutocannonEngine(share, hooks);
