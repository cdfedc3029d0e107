/**
 * The net engine reaches two of Node's internals: libuv's TCP handles (`process.binding('tcp_wrap')`
 * and `'stream_wrap'`) and Node's HTTP parser (`_http_common`). A Node release may move either.
 * Here: both are found on the Node that runs the tests (CI runs this file on the newest LTS too);
 * a Node without the bindings runs over node:net sockets, exactly, and says so once; a Node
 * without the parser fails the run at once with a line saying what to do.
 */
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startLoad } from '../src/load/engine.js';
import { forgetInternals } from '../src/load/engines/net.js';
import { handleLinks, nodeInternals } from '../src/load/engines/transport.js';
import { startServer, type TestServer } from './helpers/http-server.js';

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

const real = { ...nodeInternals };
afterEach(() => {
  Object.assign(nodeInternals, real);
  forgetInternals();
});

/** the engine's notices, as Node emits them (process 'warning'), while `fn` runs */
async function noticesDuring(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (w: Error & { code?: string }) => w.code === 'LB_BENCH_NET_SOCKETS' && seen.push(w.message);
  process.on('warning', listener);
  try {
    await fn();
    // process 'warning' is emitted on a later tick than emitWarning()
    await new Promise<void>((r) => setImmediate(r));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

async function runNet(server: TestServer, requests: number) {
  const run = startLoad({ url: server.url, requests, connections: 10, timeoutMs: 15_000, engine: 'net' });
  const outcome = await run.done;
  await run.closed;
  return outcome;
}

test(`Node ${process.version} has the TCP handles and the HTTP parser the net engine is built on`, async () => {
  forgetInternals();
  const server = await startServer('ok');
  servers.push(server);
  const notices = await noticesDuring(async () => {
    assert.notEqual(handleLinks(), null, "process.binding('tcp_wrap') and 'stream_wrap' as the engine uses them");
    const o = await runNet(server, 50);
    assert.equal(o.completed, 50);
  });
  assert.deepEqual(notices, [], 'nothing to say where the internals are found');
});

test('without the TCP bindings the engine runs over sockets, exactly, and says so once', async () => {
  nodeInternals.binding = () => {
    throw new Error('No such module: tcp_wrap');
  };
  forgetInternals();
  const server = await startServer('fail-every-10th');
  servers.push(server);
  const notices = await noticesDuring(async () => {
    assert.equal(handleLinks(), null, 'no handles: the engine takes node:net sockets');
    for (let i = 0; i < 2; i++) {
      const o = await runNet(server, 100);
      assert.equal(o.completed, 90, `run ${i + 1}: every answered request`);
      assert.equal(o.non2xx, 10, `run ${i + 1}: every 503`);
      assert.equal(o.errors + o.timeouts, 0);
    }
  });
  assert.equal(server.received, 200, 'the server saw every request of both runs');
  assert.equal(notices.length, 1, `said once for two runs: ${JSON.stringify(notices)}`);
  assert.match(notices[0]!, new RegExp(`node:net sockets on Node ${process.version.replace(/\./g, '\\.')} .*tcp_wrap.*No such module`));
});

test('bindings that are not what the engine was built on count as missing too', async () => {
  nodeInternals.binding = () => ({});
  forgetInternals();
  const notices = await noticesDuring(async () => assert.equal(handleLinks(), null));
  assert.equal(notices.length, 1);
});

test('without the HTTP parser a net run fails at once, saying what to do; nothing is sent', async () => {
  nodeInternals.require = (id) => (id === '_http_common' ? {} : real.require(id));
  forgetInternals();
  const server = await startServer('ok');
  servers.push(server);
  await assert.rejects(
    runNet(server, 10),
    /the net engine needs Node's HTTP parser \(_http_common\), which Node v.* does not export: set load\.engine: autocannon/,
  );
  assert.equal(server.received, 0);
});
