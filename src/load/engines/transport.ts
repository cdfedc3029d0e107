/**
 * Connections for the net engine, in two kinds with one interface:
 *
 * - `handles`: libuv TCP handles driven directly, through the bindings node:net itself is built on
 *   (process.binding('tcp_wrap') and 'stream_wrap', which Node 20 still allows). A node:net
 *   Socket costs 20–60 µs of JavaScript per connection (a stream, its state, ticks and events);
 *   a bare handle about 4 µs, which is what lets one thread open thousands of connections as fast
 *   as a C client (docs/performance.md).
 * - `sockets`: node:net / node:tls Sockets: https, and wherever the bindings are not available
 *   (a Node release may move them: the engine then says so once, and runs on, slower per connection).
 *
 * Callbacks always come from the event loop, never from inside open() or write().
 */
import net from 'node:net';
import { createRequire } from 'node:module';
import tls from 'node:tls';
import { getSystemErrorName } from 'node:util';

export interface LinkEvents {
  connected(): void;
  /** bytes read: `buf[0, n)`, valid only during the call */
  data(buf: Buffer, n: number): void;
  /** the connection failed or ended: a connect error, a reset, or `EOF` (the peer closed) */
  failed(code: string): void;
  /** its file descriptor is released */
  released(): void;
}

export interface Link {
  write(data: Buffer): void;
  /** close with a reset: no TIME_WAIT port is left on this machine */
  reset(): void;
}

export interface Endpoint {
  host: string;
  port: number;
  family: 4 | 6;
  secure: boolean;
  servername?: string;
}

export type OpenLink = (to: Endpoint, on: LinkEvents) => Link;

const ignore = () => {};
/** one read buffer for every connection of the process: reads are handled synchronously */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const errName = (status: number) => {
  try {
    return getSystemErrorName(status);
  } catch {
    return `E${-status}`;
  }
};

interface TcpHandle {
  useUserBuffer(b: Buffer): void;
  onread: () => void;
  readStart(): number;
  connect(req: object, host: string, port: number): number;
  connect6(req: object, host: string, port: number): number;
  writeBuffer(req: object, data: Buffer): number;
  reset(cb: () => void): number;
  close(cb: () => void): void;
}
interface Bindings {
  TCP: new (type: number) => TcpHandle;
  SOCKET: number;
  TCPConnectWrap: new () => { oncomplete: (status: number) => void; address: string; port: number };
  WriteWrap: new () => { handle: TcpHandle; oncomplete: (status: number) => void; async: boolean };
  state: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
}

/**
 * Where the engine looks Node's internals up. A seam: a test replaces a lookup with one that fails,
 * to play a Node release without that internal (then net.ts's `forgetInternals()`).
 */
export const nodeInternals = {
  /** process.binding is not in Node's typings (it is deprecated, not removed): taken as it is found */
  binding(name: string): unknown {
    const found: unknown = Reflect.get(process, 'binding');
    if (typeof found !== 'function') throw new Error('process.binding is gone');
    return (found as (name: string) => unknown)(name);
  },
  require: (id: string): unknown => createRequire(import.meta.url)(id),
};

/** Said once per process: the engine runs on, but slower per connection than it was measured. */
function noticeSockets(why: string): void {
  if (noticed) return;
  noticed = true;
  process.emitWarning(
    `the net engine runs over node:net sockets on Node ${process.version} (${why}): about 20–60 µs more CPU per connection`,
    { code: 'LB_BENCH_NET_SOCKETS' },
  );
}
let noticed = false;

function loadBindings(): Bindings | null {
  try {
    const binding = (name: string) => nodeInternals.binding(name) as Record<string, unknown>;
    const tcp = binding('tcp_wrap') as { TCP: Bindings['TCP']; TCPConnectWrap: Bindings['TCPConnectWrap']; constants: { SOCKET: number } };
    const stream = binding('stream_wrap') as {
      WriteWrap: Bindings['WriteWrap'];
      streamBaseState: Int32Array;
      kReadBytesOrError: number;
      kLastWriteWasAsync: number;
    };
    const b: Bindings = {
      TCP: tcp.TCP,
      SOCKET: tcp.constants.SOCKET,
      TCPConnectWrap: tcp.TCPConnectWrap,
      WriteWrap: stream.WriteWrap,
      state: stream.streamBaseState,
      kReadBytesOrError: stream.kReadBytesOrError,
      kLastWriteWasAsync: stream.kLastWriteWasAsync,
    };
    const probe = new b.TCP(b.SOCKET);
    const ok = ['useUserBuffer', 'readStart', 'connect', 'writeBuffer', 'reset'].every((m) => typeof Reflect.get(probe, m) === 'function');
    probe.close(() => {});
    if (ok && b.state instanceof Int32Array && typeof b.kReadBytesOrError === 'number') return b;
    noticeSockets("its process.binding('tcp_wrap') and 'stream_wrap' are not what this engine was built on");
    return null;
  } catch (e) {
    noticeSockets(`process.binding('tcp_wrap') or 'stream_wrap' failed: ${(e as Error).message}`);
    return null;
  }
}

/** tests: look the bindings up again (after changing `nodeInternals`), and say so again */
export function forgetBindings(): void {
  bindings = undefined;
  noticed = false;
}

let bindings: Bindings | null | undefined;
let spareWrite: InstanceType<Bindings['WriteWrap']> | null = null;

/** libuv handles where Node allows them; null where it does not (then: sockets) */
export function handleLinks(): OpenLink | null {
  if (bindings === undefined) bindings = loadBindings();
  const b = bindings;
  if (!b) return null;
  return (to, on) => {
    const handle = new b.TCP(b.SOCKET);
    let closed = false;
    /** a write still in the kernel's hands keeps its request object alive until it completes */
    const pending = new Set<object>();
    const close = (how: 'reset' | 'close') => {
      if (closed) return;
      closed = true;
      handle.onread = ignore;
      if (how === 'reset' && handle.reset(() => on.released()) === 0) return;
      handle.close(() => on.released());
    };
    const fail = (code: string) => {
      if (closed) return;
      close('close');
      on.failed(code);
    };
    const written = function (this: object, status: number) {
      pending.delete(this);
      if (status < 0) fail(errName(status));
    };
    handle.useUserBuffer(READ_BUFFER);
    handle.onread = () => {
      const n = b.state[b.kReadBytesOrError]!;
      if (n > 0) on.data(READ_BUFFER, n);
      else if (n < 0) fail(errName(n));
    };
    const req = new b.TCPConnectWrap();
    req.oncomplete = (status: number) => {
      if (closed) return;
      if (status < 0) return fail(errName(status));
      const err = handle.readStart();
      if (err) return fail(errName(err));
      on.connected();
    };
    req.address = to.host;
    req.port = to.port;
    const err = to.family === 6 ? handle.connect6(req, to.host, to.port) : handle.connect(req, to.host, to.port);
    if (err) setImmediate(() => fail(errName(err)));
    return {
      write(data) {
        if (closed) return;
        // a write the kernel took at once leaves its request object unused: the next write reuses it
        const w = spareWrite ?? new b.WriteWrap();
        spareWrite = null;
        w.handle = handle;
        w.async = false;
        w.oncomplete = written;
        const e = handle.writeBuffer(w, data);
        if (e) setImmediate(() => fail(errName(e)));
        else if (b.state[b.kLastWriteWasAsync]) pending.add(w);
        else spareWrite = w;
      },
      reset: () => close('reset'),
    };
  };
}

/** node:net and node:tls Sockets */
export const socketLinks: OpenLink = (to, on) => {
  let done = false;
  // TLS runs over a TCP socket of our own, so that it can be closed with a reset too
  const tcp = to.secure ? net.connect({ host: to.host, port: to.port }) : null;
  const sock: net.Socket = tcp
    ? tls.connect({ socket: tcp, servername: to.servername, rejectUnauthorized: false })
    : net.connect({
        host: to.host,
        port: to.port,
        onread: { buffer: READ_BUFFER, callback: (n: number): boolean => (on.data(READ_BUFFER, n), true) },
      });
  tcp?.on('error', () => {}); // reported by the TLS socket on top
  if (to.secure) sock.on('data', (chunk: Buffer) => on.data(chunk, chunk.length));
  const fail = (code: string) => {
    if (done) return;
    done = true;
    sock.destroy();
    on.failed(code);
  };
  sock.once(to.secure ? 'secureConnect' : 'connect', () => !done && on.connected());
  sock.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? 'error'));
  sock.on('end', () => fail('EOF'));
  sock.once('close', () => {
    fail('EOF');
    on.released();
  });
  return {
    write: (data) => void (!done && sock.write(data)),
    reset() {
      if (done) return;
      done = true;
      const raw = tcp ?? sock;
      if (raw.readyState === 'open' && typeof raw.resetAndDestroy === 'function') raw.resetAndDestroy();
      sock.destroy();
    },
  };
};
