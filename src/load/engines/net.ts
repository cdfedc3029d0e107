/**
 * A minimal engine on Node's TCP handles (transport.ts) and Node's own HTTP parser (llhttp, the
 * one http.request uses), built for the burst: it opens every connection first (a connect phase
 * spread over ticks, so the event loop keeps running), then writes the first request of every
 * open connection in one pass, as fast as the thread can, and reads the answers. The connect
 * phase ends when every connection is open, or when none has opened for CONNECT_STALL_MS: a
 * server that takes a connection only as it answers one (Apache at MaxRequestWorkers, its backlog
 * full) would otherwise wait for requests that wait for it, until the timeout. Connections still
 * opening then send as they open, as a C client (ab) does with every connection. A request's latency
 * runs from its own write to its response's last byte. Connections carry their share one request
 * after another (keep-alive, no pipelining), reconnecting where the server closed; a finished
 * connection is closed with a reset, as autocannon's adapter does, so that no TIME_WAIT port is
 * left behind.
 *
 * Every request ends as exactly one outcome: a response (2xx/3xx completed, else non2xx), a
 * timeout (no whole response within the timeout, even if one arrives later), or an error (the
 * connection failed: refused, reset, closed without a response, a parse error, not connected
 * within the timeout).
 */
import net from 'node:net';
import { lookup } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { Accounting, type AccountingHooks, type EngineCounts } from '../accounting.js';
import type { EngineFactory, LoadEngine, LoadShare } from '../engine-types.js';
import { forgetBindings, handleLinks, nodeInternals, socketLinks, type Endpoint, type Link, type OpenLink } from './transport.js';

/** Node's binding of llhttp, as node:http's client uses it (`_http_common` exports it). */
interface Parser {
  initialize(type: number, resource: object, maxHeaderSize?: number, lenient?: number): void;
  execute(data: Buffer): number | Error;
  finish(): number | Error | undefined;
  free?(): void;
  [k: number]: unknown;
}
interface ParserClass {
  new (): Parser;
  RESPONSE: number;
  kOnHeadersComplete: number;
  kOnMessageComplete: number;
}
let parserClass: ParserClass | undefined;
/** looked up on first use, so that a Node without it fails a run with a line saying what to do, not the import */
function httpParser(): ParserClass {
  if (parserClass) return parserClass;
  let found: unknown;
  try {
    found = (nodeInternals.require('_http_common') as { HTTPParser?: unknown }).HTTPParser;
  } catch {
    found = undefined;
  }
  if (typeof found !== 'function' || typeof Reflect.get(found, 'kOnMessageComplete') !== 'number')
    throw new Error(
      `the net engine needs Node's HTTP parser (_http_common), which Node ${process.version} does not export: set load.engine: autocannon`,
    );
  return (parserClass = found as ParserClass);
}

/** tests: look Node's internals up again, after changing `nodeInternals` (transport.ts) */
export function forgetInternals(): void {
  parserClass = undefined;
  forgetBindings();
}

/** the connect phase yields the event loop after this much work (nothing is timed then, but the loop stays free) */
const SLICE_MS = 1;
/**
 * The connect phase ends early when no connection has opened or failed for this long after the
 * last was begun: the server takes no more until it answers. (A kernel completes a handshake in
 * microseconds while the listener's queue has room; a dropped SYN is retried after a second.)
 */
export const CONNECT_STALL_MS = 100;

interface Target extends Endpoint {
  request: Buffer;
}

/** The bytes autocannon sends, so that either engine asks the same of the server. */
function buildRequest(u: URL, port: number, method: string, headers: Record<string, string>): Buffer {
  const lines = [`${method} ${u.pathname}${u.search} HTTP/1.1`];
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'host')) lines.push(`Host: ${u.hostname}:${port}`);
  lines.push('Connection: keep-alive');
  // a URL's user and password log in as Basic authentication, as Node's http and autocannon do; an
  // Authorization header of the scenario's own wins
  const given = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  if ((u.username || u.password) && !given('authorization')) {
    const credentials = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    lines.push(`Authorization: Basic ${Buffer.from(credentials).toString('base64')}`);
  }
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8');
}

async function resolveTarget(share: LoadShare): Promise<Target> {
  const u = new URL(share.url);
  const secure = u.protocol === 'https:';
  const port = u.port ? Number(u.port) : secure ? 443 : 80;
  const name = u.hostname.replace(/^\[(.*)\]$/, '$1');
  // once per run, not once per connection (a lookup goes through libuv's thread pool)
  const host = net.isIP(name) ? name : (await lookup(name)).address;
  const method = share.method ?? 'GET';
  return {
    host,
    port,
    family: net.isIPv6(host) ? 6 : 4,
    secure,
    servername: secure && !net.isIP(name) ? name : undefined,
    request: buildRequest(u, port, method, share.headers ?? {}),
  };
}

/** the kind of connection: bare libuv handles where Node allows them and the target is plain http */
let forceSockets = false;
/** tests: run the engine over node:net Sockets, as where the handles are not available */
export function useSockets(on: boolean): void {
  forceSockets = on;
}
const linksFor = (t: Target): OpenLink => (t.secure || forceSockets ? socketLinks : (handleLinks() ?? socketLinks));

/**
 * Parsers are kept between runs (as node:http keeps its own), each serving one connection at a
 * time: llhttp calls back with the parser as `this`, which knows its connection.
 */
interface ConnParser extends Parser {
  conn: Conn | null;
}
const idleParsers: ConnParser[] = [];
const IDLE_PARSERS_KEPT = 65_536;

function onHeadersComplete(
  this: ConnParser,
  _maj: number,
  _min: number,
  _h: string[],
  _m: unknown,
  _u: unknown,
  status: number,
  _s: string,
  _up: boolean,
  keepAlive: boolean,
): number {
  const c = this.conn!;
  c.status = status;
  c.keepAlive = keepAlive;
  return c.skipBody ? 1 : 0;
}
function onMessageComplete(this: ConnParser): void {
  this.conn?.onResponse(this.conn);
}

function takeParser(c: Conn): ConnParser {
  let p = idleParsers.pop();
  if (!p) {
    const HTTPParser = httpParser();
    p = new HTTPParser() as ConnParser;
    p[HTTPParser.kOnHeadersComplete] = onHeadersComplete;
    p[HTTPParser.kOnMessageComplete] = onMessageComplete;
  }
  p.conn = c;
  return p;
}

function returnParser(p: ConnParser): void {
  p.conn = null;
  if (idleParsers.length < IDLE_PARSERS_KEPT) idleParsers.push(p);
}

/** One connection and the requests it still has to carry. */
class Conn {
  link: Link | null = null;
  /** connected and not failed */
  open = false;
  /** a request was written and has no outcome yet */
  awaiting = false;
  sentAt = 0;
  /** when the current connect attempt began (for its timeout) */
  connectingSince = 0;
  /** requests of this connection without an outcome yet (the one in flight included) */
  left: number;
  status = 0;
  keepAlive = true;
  parser: ConnParser | null = null;
  constructor(
    requests: number,
    /** HEAD: the response has no body whatever its headers say */
    readonly skipBody: boolean,
    /** the engine's handler of a whole response */
    readonly onResponse: (c: Conn) => void,
  ) {
    this.left = requests;
  }
}

class NetEngine implements LoadEngine {
  readonly connectsFirst = true;
  readonly closed: Promise<void>;
  private readonly acct: Accounting;
  private readonly conns: Conn[];
  private target: Target | null = null;
  private openLink: OpenLink = socketLinks;
  private sending = false;
  private stopped = false;
  /** connections not yet released (their file descriptors) */
  private links = 0;
  private release!: () => void;
  private settle: (() => void) | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private connecting = 0;
  private connected: (() => void) | null = null;
  /** connect phase: every connection begun, and when one last opened, failed or was begun */
  private allBegun = false;
  private lastProgress = 0;

  constructor(
    private readonly share: LoadShare,
    hooks: AccountingHooks,
  ) {
    httpParser(); // a Node without it: the run fails here, at once, with what to do
    this.acct = new Accounting(share.requests, share.timeoutMs, hooks);
    // the level split over the connections, the remainder spread
    const n = Math.max(1, Math.min(share.connections, share.requests));
    const base = Math.floor(share.requests / n);
    const skipBody = (share.method ?? 'GET') === 'HEAD';
    const onResponse = (c: Conn) => this.onResponse(c);
    this.conns = Array.from(
      { length: share.requests ? n : 0 },
      (_, i) => new Conn(base + (i < share.requests % n ? 1 : 0), skipBody, onResponse),
    );
    this.closed = new Promise<void>((r) => (this.release = r));
  }

  async connect(): Promise<void> {
    try {
      this.target = await resolveTarget(this.share);
      this.openLink = linksFor(this.target);
    } catch (e) {
      // no address: every request fails the same way, and there is nothing to connect
      const code = (e as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
      for (const c of this.conns) this.fail(c, code, undefined, c.left);
      return;
    }
    if (this.stopped || !this.conns.length) return;
    const all = new Promise<void>((r) => (this.connected = r));
    this.connecting = this.conns.length;
    this.startSweeper();
    await this.sliced(this.conns, (c) => this.open(c));
    this.allBegun = true;
    await all;
  }

  send(): Promise<EngineCounts> {
    if (this.stopped) return Promise.resolve(this.acct.finish(true));
    const finished = new Promise<void>((r) => (this.settle = r));
    this.sending = true;
    // nothing left to send (every connection refused, say): no sweeper, which would outlive the run
    if (!this.stopped && this.target && this.acct.outcomes < this.share.requests) {
      this.startSweeper();
      // the burst: every connection's first request in one pass, as fast as this thread writes,
      // before any answer is read (as a C client's loop does). Reading between slices of writes
      // would pace the requests at the rate answers come back, and the server would never see
      // them at once (measured: median latency a fifth of ab's at 5000, not its equal). A
      // connection still opening (the connect phase ended on a stall) writes once it opens.
      for (const c of this.conns) if (c.left > 0 && !c.awaiting && !(c.link && !c.open)) this.next(c);
    }
    this.checkDone();
    return finished.then(() => this.acct.finish(this.stopped));
  }

  stop(): void {
    this.stopped = true;
    this.stopSweeper();
    for (const c of this.conns) this.drop(c);
    this.endConnectPhase();
    this.settle?.();
    this.checkClosed();
  }

  /** Run `fn` over `items`, yielding the loop every SLICE_MS. */
  private async sliced<T>(items: T[], fn: (item: T) => void): Promise<void> {
    let i = 0;
    while (i < items.length && !this.stopped) {
      const until = performance.now() + SLICE_MS;
      do fn(items[i++]!);
      while (i < items.length && (i & 15 || performance.now() < until));
      if (i < items.length) await new Promise<void>((r) => setImmediate(r));
    }
  }

  /** open (or reopen) a connection; in the send phase its next request is written once connected */
  private open(c: Conn): void {
    c.open = false;
    c.keepAlive = true;
    c.connectingSince = this.lastProgress = performance.now();
    c.parser ??= takeParser(c);
    c.parser.initialize(httpParser().RESPONSE, {}, 0, 0);
    this.links++;
    const link: Link = this.openLink(this.target!, {
      connected: () => {
        if (c.link !== link) return;
        c.open = true;
        if (!this.sending) {
          this.lastProgress = performance.now();
          return this.connectSettled();
        }
        if (c.left > 0 && !c.awaiting) this.write(c);
      },
      data: (buf, n) => this.onData(c, link, buf, n),
      failed: (code) => this.onClose(c, link, code),
      released: () => {
        this.links--;
        this.checkClosed();
      },
    });
    c.link = link;
  }

  private write(c: Conn): void {
    const now = performance.now();
    c.awaiting = true;
    c.sentAt = now;
    c.status = 0;
    this.acct.sent(now);
    c.link!.write(this.target!.request);
  }

  private onData(c: Conn, link: Link, buf: Buffer, n: number): void {
    if (c.link !== link) return;
    this.acct.received(n);
    // bytes nobody asked for (a server's 408 on an idle connection) are counted, not parsed
    if (!c.awaiting) return;
    const r = c.parser!.execute(n === buf.length ? buf : buf.subarray(0, n));
    if (r instanceof Error) this.onClose(c, link, (r as NodeJS.ErrnoException).code ?? 'parse-error');
  }

  private onResponse(c: Conn): void {
    if (!c.awaiting || c.status < 200) return; // 1xx: the real answer follows
    const now = performance.now();
    const latency = now - c.sentAt;
    c.awaiting = false;
    c.left--;
    if (latency > this.share.timeoutMs) this.acct.timedOut(c.sentAt + this.share.timeoutMs);
    else this.acct.response(c.status, latency, now);
    // closing the link or writing on it may happen inside the parser's execute(); opening a new
    // one re-initialises the parser, so that waits until execute() has returned
    if (c.left <= 0 || (c.open && c.keepAlive)) return this.next(c);
    const link = c.link;
    queueMicrotask(() => c.link === link && this.next(c));
  }

  /** The connection failed or ended: a request in flight (or a connect for one) is an error. */
  private onClose(c: Conn, link: Link, code: string): void {
    if (c.link !== link) return;
    // the peer's close may be what ends an answer without a length
    if (code === 'EOF' && c.awaiting) c.parser!.finish();
    const wasOpen = c.open;
    this.drop(c);
    if (this.stopped) return;
    const reason = code === 'EOF' ? 'closed-without-response' : code;
    if (c.awaiting) {
      c.awaiting = false;
      this.fail(c, reason);
    } else if (!wasOpen && c.left > 0) {
      this.fail(c, reason); // a connect that failed: the request it was opened for is lost
    }
    // before the send phase, an idle connection that closed is simply opened again when sending
    if (!this.sending) {
      this.lastProgress = performance.now();
      if (!wasOpen) this.connectSettled();
      return;
    }
    this.next(c);
  }

  private fail(c: Conn, code: string, at?: number, count = 1): void {
    c.left -= count;
    this.acct.failed(code, at, count);
  }

  /** After an outcome: the connection's next request, on this link or a new one; or close it. */
  private next(c: Conn): void {
    if (this.stopped) return;
    if (c.left <= 0) {
      this.drop(c);
      this.checkDone();
      return;
    }
    if (c.link && c.open && c.keepAlive) return this.write(c);
    this.drop(c);
    this.open(c);
  }

  /** Forget the connection's link, closing it with a reset (no TIME_WAIT left here). */
  private drop(c: Conn): void {
    const link = c.link;
    if (!link) return;
    c.link = null;
    c.open = false;
    link.reset();
  }

  private connectSettled(): void {
    if (--this.connecting === 0) {
      this.stopSweeper();
      this.endConnectPhase();
    }
  }

  private endConnectPhase(): void {
    const end = this.connected;
    this.connected = null;
    end?.();
  }

  /**
   * The connect phase has stalled: judged again after the I/O that is already waiting (a timer
   * fires before the loop polls, so a loop that was busy would see a stall that is not one).
   */
  private checkStall(now: number): void {
    if (this.sending || !this.allBegun || !this.connected || now - this.lastProgress < CONNECT_STALL_MS) return;
    setImmediate(() => {
      if (!this.sending && performance.now() - this.lastProgress >= CONNECT_STALL_MS) this.endConnectPhase();
    });
  }

  private checkDone(): void {
    if (this.sending && this.acct.outcomes >= this.share.requests) {
      this.stopSweeper();
      this.settle?.();
      this.checkClosed();
    }
  }

  private checkClosed(): void {
    if (this.links === 0 && (this.stopped || this.acct.outcomes >= this.share.requests)) {
      for (const c of this.conns) {
        if (c.parser) returnParser(c.parser);
        c.parser = null;
      }
      this.release();
    }
  }

  /** Timeouts: a request without its whole answer, or a connect not done, within the timeout. */
  private startSweeper(): void {
    this.stopSweeper();
    const limit = this.share.timeoutMs;
    this.sweeper = setInterval(
      () => {
        const now = performance.now();
        this.checkStall(now);
        for (const c of this.conns) {
          if (!c.link) continue;
          if (c.awaiting && now - c.sentAt >= limit) {
            c.awaiting = false;
            c.left--;
            this.acct.timedOut(c.sentAt + limit);
            this.drop(c);
            if (this.sending) this.next(c);
          } else if (!c.open && now - c.connectingSince >= limit) {
            this.drop(c);
            if (c.left > 0) this.fail(c, 'connect-timeout', c.connectingSince + limit);
            if (this.sending) this.next(c);
            else this.connectSettled();
          }
        }
      },
      Math.max(1, Math.min(50, limit / 10)),
    );
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }
}

export const netEngine: EngineFactory = (share, hooks) => new NetEngine(share, hooks);
