/**
 * Real HTTP servers on 127.0.0.1, port 0, that misbehave in known ways and count what they did:
 * the independent truth that the load engine's figures are checked against.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before } from 'node:test';
import type { AddressInfo, Socket } from 'node:net';

export type Behaviour = 'ok' | 'fail-every-10th' | 'stall-every-10th' | 'reset-every-10th' | 'close-every-10th' | 'slow';

export interface TestServer {
  url: string;
  port: number;
  /** requests received */
  received: number;
  /** bytes written to clients, counted per socket when it closes */
  bytesSent: number;
  /** resolves when every connection has closed, so bytesSent is final */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export const PAGE = 'x'.repeat(1500);

/** `delayMs`: every answer held this long, or a function of the request's number (1 for the first). */
export async function startServer(
  behaviour: Behaviour = 'ok',
  opts: { delayMs?: number | ((nth: number) => number) } = {},
): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const stalled = new Set<http.ServerResponse>();
  const state = { received: 0, bytesSent: 0 };
  const server = http.createServer((req, res) => {
    const n = ++state.received;
    const tenth = n % 10 === 0;
    if (behaviour === 'fail-every-10th' && tenth) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('unavailable');
      return;
    }
    if (behaviour === 'stall-every-10th' && tenth) {
      stalled.add(res); // never answered
      return;
    }
    if (behaviour === 'reset-every-10th' && tenth) {
      req.socket.resetAndDestroy();
      return;
    }
    if (behaviour === 'close-every-10th' && tenth) {
      req.socket.end();
      return;
    }
    const answer = () => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(PAGE);
    };
    const delay = typeof opts.delayMs === 'function' ? opts.delayMs(n) : (opts.delayMs ?? (behaviour === 'slow' ? 50 : 0));
    if (delay) setTimeout(answer, delay);
    else answer();
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      state.bytesSent += socket.bytesWritten;
      sockets.delete(socket);
      if (!sockets.size) for (const w of waiters.splice(0)) w();
    });
  });
  const waiters: (() => void)[] = [];
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    get received() {
      return state.received;
    },
    get bytesSent() {
      return state.bytesSent;
    },
    idle: () => (sockets.size ? new Promise<void>((r) => waiters.push(r)) : Promise.resolve()),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A server for a whole test file: started before its tests, closed after them. Its fields are
 * read through to the running server (they are there once the tests run).
 */
export function fileServer(behaviour: Behaviour = 'ok'): TestServer {
  let s: TestServer | null = null;
  before(async () => {
    s = await startServer(behaviour);
  });
  after(async () => {
    await s?.close();
  });
  const live = () => s ?? assert.fail('the file server starts before the tests');
  return {
    get url() {
      return live().url;
    },
    get port() {
      return live().port;
    },
    get received() {
      return live().received;
    },
    get bytesSent() {
      return live().bytesSent;
    },
    idle: () => live().idle(),
    close: () => live().close(),
  };
}
