/** The load engine against servers that count: every request accounted for, exactly. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLoad } from '../src/load/engine.js';
import { ENGINE_NAMES, type EngineName } from '../src/load/engines/registry.js';
import { useSockets } from '../src/load/engines/net.js';
import { toSample } from '../src/kinds/load/run-sample.js';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { closedPort, startServer, type Behaviour, type TestServer } from './helpers/http-server.js';

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

/**
 * Timeouts fit a busy machine: a request that is only slow (a 2-core runner with other work, 1000
 * connections opened at once) must not turn into a timeout; only the stalled ones may.
 */
async function measureWith(variant: Variant, behaviour: Behaviour, level: number, connections = level, timeoutMs = 15_000) {
  const server = await startServer(behaviour);
  servers.push(server);
  useSockets(variant.sockets);
  const run = startLoad({ url: server.url, requests: level, connections, timeoutMs, engine: variant.engine });
  const outcome = await run.done;
  await run.closed;
  useSockets(false);
  const sample = toSample(level, 1, outcome);
  // the invariant, in every run
  assert.equal(sample.requested, sample.completed + sample.errors + sample.timeouts + sample.non2xx, 'every request accounted for');
  assert.equal(sample.loss, sample.requested - sample.completed);
  assert.equal(sample.warnings, undefined, 'the engine counted every request once');
  return { sample, server };
}

/** Sockets in TIME_WAIT towards 127.0.0.1:port, from the kernel's own table (/proc/net/tcp: state 06). */
function timeWaitTo(port: number): number {
  const remote = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => {
      const f = l.trim().split(/\s+/);
      return f[2] === remote && f[3] === '06';
    }).length;
}

// every engine of the registry, the same assertions; the net engine also over node:net Sockets
// (its connections where Node's TCP handles are not available, and for https)
interface Variant {
  engine: EngineName;
  sockets: boolean;
}
const variants: Variant[] = [...ENGINE_NAMES.map((engine) => ({ engine, sockets: false })), { engine: 'net', sockets: true }];
for (const variant of variants) {
  const engine = variant.engine + (variant.sockets ? ' over sockets' : '');
  const measure = (behaviour: Behaviour, level: number, connections?: number, timeoutMs?: number) =>
    measureWith(variant, behaviour, level, connections, timeoutMs);

  for (const level of [200, 1000]) {
    test(`[${engine}] a server answering 503 to every tenth request: loss and non2xx are a tenth of ${level}`, async () => {
      const { sample, server } = await measure('fail-every-10th', level);
      assert.equal(server.received, level, 'the server received exactly the requested count');
      assert.equal(sample.non2xx, level / 10);
      assert.equal(sample.loss, level / 10);
      assert.equal(sample.completed, level - level / 10);
      assert.equal(sample.errors + sample.timeouts, 0);
    });
  }

  test(`[${engine}] a server that stalls past the timeout: those requests are timeouts`, async () => {
    // a timeout of 6 s: an answered request slowed past it on a busy machine (one loop serves and measures) would count as a timeout
    const { sample, server } = await measure('stall-every-10th', 300, 300, 6000);
    assert.equal(server.received, 300);
    assert.equal(sample.timeouts, 30);
    assert.equal(sample.completed, 270);
    assert.equal(sample.errors, 0);
    // the run lasts until the last timeout fired, not less
    assert.ok(sample.duration_s >= 6, `duration ${sample.duration_s} covers the timeout`);
  });

  test(`[${engine}] a server that resets connections: those requests are errors`, async () => {
    const { sample, server } = await measure('reset-every-10th', 300);
    assert.equal(server.received, 300);
    assert.equal(sample.errors, 30);
    assert.equal(sample.error_codes?.ECONNRESET, 30);
    assert.equal(sample.completed, 270);
  });

  test(`[${engine}] a server that closes connections without answering: errors, not silently dropped (autocannon #462)`, async () => {
    const { sample } = await measure('close-every-10th', 300);
    assert.equal(sample.errors, 30);
    assert.equal(sample.completed, 270);
  });

  test(`[${engine}] fewer connections than requests: each connection sends its share, all accounted for`, async () => {
    const { sample, server } = await measure('fail-every-10th', 1000, 25);
    assert.equal(server.received, 1000);
    assert.equal(sample.non2xx, 100);
    assert.equal(sample.completed, 900);
  });

  test(`[${engine}] bytes received agree with the server, and with throughput × duration`, async () => {
    const { sample, server } = await measure('ok', 500);
    await server.idle(); // the server's byte counts are final once every socket has closed
    assert.equal(sample.bytes, server.bytesSent, 'every byte the server wrote was counted');
    const fromThroughput = sample.throughput_mbps * sample.duration_s * 1e6;
    // both figures are stored to 6 decimals: half a unit of each, in bytes, is the rounding allowed
    const rounding = 0.5 * sample.duration_s + 0.5 * sample.throughput_mbps + 1e-6;
    assert.ok(Math.abs(fromThroughput - sample.bytes) <= rounding, `${fromThroughput} ≈ ${sample.bytes} (±${rounding})`);
    assert.ok(Math.abs(sample.rps - sample.completed / sample.duration_s) < 0.01);
    assert.ok(sample.latency_ms.p50! <= sample.latency_ms.p90! && sample.latency_ms.p90! <= sample.latency_ms.p99!);
    assert.ok(sample.latency_ms.p99! <= sample.latency_ms.max!);
  });

  test(`[${engine}] a finished connection is closed with a reset: no TIME_WAIT port is left on this machine`, async () => {
    // 10 000 connections a run closed with a FIN held 10 000 of the ~28 000 ports to one address
    // for 60 s; the next runs' connects slowed until whole runs timed out (autocannon on the lab)
    const { server } = await measure('ok', 300);
    await server.idle();
    assert.equal(timeWaitTo(server.port), 0);
  });

  test(`[${engine}] a target that refuses every connection: every request an error, and nothing of the run outlives it`, async () => {
    // in a process of its own, which must end by itself once the run is over (a timer left behind would keep it)
    const port = await closedPort();
    const engineModule = resolve(import.meta.dirname, '../src/load/engine.js');
    const script = `const { startLoad } = await import(${JSON.stringify(engineModule)});
      const run = startLoad({ url: 'http://127.0.0.1:${port}/', requests: 20, connections: 20, timeoutMs: 15000, engine: '${variant.engine}' });
      const o = await run.done; await run.closed;
      console.log(JSON.stringify({ errors: o.errors, completed: o.completed, codes: o.errorCodes }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.signal, null, `the process did not end by itself after the run: ${child.stderr}`);
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), { errors: 20, completed: 0, codes: { ECONNREFUSED: 20 } });
  });
}
