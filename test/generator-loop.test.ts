/**
 * The generator's own event loop: its blocks and its connect phase are recorded in every run, and
 * a run whose loop blocked for a quarter of its median latency is marked generator-bound.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLoad } from '../src/load/engine.js';
import { watchLoop } from '../src/load/loop-monitor.js';
import { generatorBoundReason, toSample } from '../src/kinds/load/run-sample.js';
import { startServer, type TestServer } from './helpers/http-server.js';

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test('the loop monitor sees a block, and only blocks', async () => {
  const w = watchLoop();
  await new Promise((r) => setTimeout(r, 30));
  busy(120);
  await new Promise((r) => setTimeout(r, 30));
  const b = w.stop();
  assert.ok(b.max_ms >= 110, `longest block ${b.max_ms} ms covers the 120 ms busy wait`);
  assert.ok(b.total_ms >= b.max_ms);
});

test('the burst engine records its connect phase and its loop blocks in the run', async () => {
  const s = await startServer('ok');
  servers.push(s);
  const run = startLoad({ url: s.url, requests: 500, connections: 500, timeoutMs: 5000, engine: 'net' });
  const sample = toSample(500, 1, await run.done);
  await run.closed;
  assert.equal(sample.completed, 500);
  assert.equal(typeof sample.connect_ms, 'number');
  assert.ok(sample.connect_ms! > 0, `connect phase ${sample.connect_ms} ms`);
  assert.equal(typeof sample.generator_block_max_ms, 'number');
  assert.ok(sample.generator_block_total_ms! >= sample.generator_block_max_ms!);
  // the run's window holds its connect phase, as ab's time holds its connects
  assert.ok(sample.duration_s * 1000 >= sample.connect_ms!, `duration ${sample.duration_s} s covers the connect phase`);
});

test('a run whose loop blocks for a quarter of its median latency or longer is generator-bound, and says why', async () => {
  const s = await startServer('ok', { delayMs: 200 });
  servers.push(s);
  const run = startLoad({ url: s.url, requests: 50, connections: 50, timeoutMs: 5000, engine: 'net' });
  // once the requests are out, something else in the generator's process holds its loop
  const blocker = (async () => {
    while (s.received < 50) await new Promise((r) => setTimeout(r, 5));
    busy(150);
  })();
  const o = await run.done;
  await blocker;
  await run.closed;
  const sample = toSample(50, 1, o);
  assert.ok(sample.generator_block_max_ms! >= 140, `the block was recorded: ${sample.generator_block_max_ms} ms`);
  assert.equal(sample.generator_bound, true);
  assert.match(generatorBoundReason(sample)!, /^its event loop blocked \d+(\.\d)? ms, median latency [\d.]+ ms$/);
});

test('generator-bound: CPU of any one process at 90 %, or a block of a quarter of the median latency', () => {
  const base = {
    generator_cpu: 50,
    generator_block_max_ms: 5,
    latency_ms: { p50: 100, p90: 120, p99: 150, max: 200 },
    completed: 100,
    duration_s: 1,
  };
  assert.equal(generatorBoundReason(base), null);
  assert.equal(generatorBoundReason({ ...base, generator_cpu: 95 }), '95 % CPU');
  assert.equal(generatorBoundReason({ ...base, generator_block_max_ms: 24 }), null);
  assert.equal(generatorBoundReason({ ...base, generator_block_max_ms: 25 }), 'its event loop blocked 25 ms, median latency 100 ms');
  const worker = (cpu: number) => ({
    worker: 1,
    requested: 1,
    completed: 1,
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    bytes: 1,
    duration_s: 1,
    connect_ms: 1,
    latency_ms: base.latency_ms,
    generator_cpu: cpu,
    generator_block_max_ms: 1,
    generator_block_total_ms: 1,
  });
  // two workers at 60 % each: 120 % in total, but neither is saturated
  assert.equal(generatorBoundReason({ ...base, generator_cpu: 120, workers: [worker(60), worker(60)] }), null);
  assert.equal(generatorBoundReason({ ...base, generator_cpu: 150, workers: [worker(60), worker(91)] }), '91 % CPU');
  assert.equal(
    generatorBoundReason({ ...base, latency_ms: { p50: null, p90: null, p99: null, max: null } }),
    null,
    'nothing completed: no latency to compare with',
  );
  // a target that refused every connection at once: a few ms of window, where a CPU share is noise
  assert.equal(generatorBoundReason({ ...base, generator_cpu: 130, completed: 0, duration_s: 0.005 }), null, 'nothing answered');
  assert.equal(generatorBoundReason({ ...base, generator_cpu: 130, duration_s: 0.01 }), null, 'a window of 10 ms');
});
