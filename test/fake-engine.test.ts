/**
 * The fake engine (test/helpers/fake-engine.ts) that the run, interrupt and merge tests use: each
 * scripted outcome is counted by the real accounting, in this process and over real worker
 * processes (the real protocol and merge); stop() abandons a share; and it can only be put in place
 * by a call in the process — no scenario can name it, and lb-bench's own workers are refused.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startLoad } from '../src/load/engine.js';
import { endIdleWorkers } from '../src/load/workers/pool.js';
import { ENGINE_NAMES } from '../src/load/engines/names.js';
import { resolveScenarioText } from '../src/kinds/scenario-file.js';
import { fakeWorkerSpawner, useFakeEngine, type FakeScript } from './helpers/fake-engine.js';
import { loadScenarioYaml } from './helpers/scenario.js';

const URL_A = 'http://fake.invalid/';

/** ten requests' fates: 6 completed (one a redirect), a 503, a timeout, a reset after writing, a refused connect */
const TEN: FakeScript = {
  outcomes: [
    { status: 200, latencyMs: 1, bytes: 100 },
    { status: 200, latencyMs: 2, bytes: 100 },
    { status: 200, latencyMs: 3, bytes: 100 },
    { status: 200, latencyMs: 4, bytes: 100 },
    { status: 301, latencyMs: 5, bytes: 50 },
    { status: 200, latencyMs: 40, bytes: 100 },
    { status: 503, latencyMs: 1, bytes: 30 },
    { timeout: true },
    { error: 'ECONNRESET', afterMs: 2 },
    { error: 'ECONNREFUSED', written: false },
  ],
};

let fake: ReturnType<typeof useFakeEngine> | null = null;
afterEach(() => {
  fake?.restore();
  fake = null;
});

describe('the fake engine', () => {
  it('counts every scripted outcome with the real accounting: completed, non2xx, timeouts, errors, bytes, latencies', async () => {
    fake = useFakeEngine(TEN);
    const seen: number[] = [];
    const o = await startLoad({ url: URL_A, requests: 100, connections: 10, timeoutMs: 30, hooks: { onLatency: (ms) => seen.push(ms) } })
      .done;
    assert.deepEqual(
      { requested: o.requested, written: o.written, completed: o.completed, non2xx: o.non2xx, timeouts: o.timeouts, errors: o.errors },
      { requested: 100, written: 90, completed: 60, non2xx: 10, timeouts: 10, errors: 20 },
    );
    assert.deepEqual(o.errorCodes, { ECONNRESET: 10, ECONNREFUSED: 10 });
    assert.equal(o.bytes, 10 * (4 * 100 + 50 + 100 + 30));
    assert.deepEqual(o.anomalies, []);
    assert.equal(o.histogram.totalCount, 60);
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 40].flatMap((ms) => Array(10).fill(ms)),
    );
    // nearest rank over the 60 latencies: p50 is the 30th (3 ms), p90 the 54th and max 40 ms
    assert.deepEqual(o.latency_ms, { p50: 3, p90: 40, p99: 40, max: 40 });
    assert.equal(o.connect_ms, null, 'no connect phase unless scripted');
    // real timers: 10 requests a connection, one of them waiting out the 30 ms timeout, another 40 ms
    assert.ok(o.duration_s >= 0.07 && o.duration_s < 5, `duration ${o.duration_s}`);
    assert.equal(fake.requestsTo(URL_A), 100);
  });

  it('a scripted connect phase is measured as the net engine’s is', async () => {
    fake = useFakeEngine({ outcomes: [{ status: 200, latencyMs: 1 }], connectMs: 50 });
    const o = await startLoad({ url: URL_A, requests: 4, connections: 2, timeoutMs: 1000 }).done;
    assert.ok(o.connect_ms !== null && o.connect_ms >= 45, `connect ${o.connect_ms}`);
    assert.ok(o.duration_s * 1000 >= o.connect_ms!, 'the window includes the connect phase');
  });

  it('one script per target; a target without one is refused', async () => {
    const B = 'http://other.invalid/';
    fake = useFakeEngine({ [URL_A]: { outcomes: [{ status: 200, latencyMs: 1 }] }, [B]: { outcomes: [{ status: 500, latencyMs: 1 }] } });
    const [a, b] = await Promise.all([URL_A, B].map((url) => startLoad({ url, requests: 5, connections: 5, timeoutMs: 100 }).done));
    assert.equal(a!.completed, 5);
    assert.equal(b!.non2xx, 5);
    await assert.rejects(startLoad({ url: 'http://third.invalid/', requests: 1, connections: 1, timeoutMs: 100 }).done, /no script for/);
  });

  it('stop() abandons a share at once; its counts are partial, and nothing is left running', async () => {
    fake = useFakeEngine({ outcomes: [{ status: 200, latencyMs: 10_000 }] });
    const run = startLoad({ url: URL_A, requests: 10, connections: 5, timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    run.stop();
    const o = await run.done;
    await run.closed;
    assert.ok(performance.now() - t0 < 1000, 'stopped without waiting out the latency');
    assert.equal(o.completed, 0);
    assert.equal(o.written, 5, 'one request in flight on each connection');
  });

  it('over worker processes: the real protocol and the exact merge of their figures', async () => {
    const spawners = [fakeWorkerSpawner(TEN), fakeWorkerSpawner(TEN)];
    const latencies: number[] = [];
    try {
      const o = await startLoad({
        url: URL_A,
        requests: 200,
        connections: 20,
        timeoutMs: 30,
        spawners,
        hooks: { onLatency: (ms) => latencies.push(ms) },
      }).done;
      assert.equal(o.workers?.length, 2);
      for (const w of o.workers!) assert.deepEqual([w.requested, w.completed, w.non2xx, w.timeouts, w.errors], [100, 60, 10, 10, 20]);
      assert.deepEqual([o.requested, o.completed, o.non2xx, o.timeouts, o.errors], [200, 120, 20, 20, 40]);
      assert.deepEqual(o.errorCodes, { ECONNRESET: 20, ECONNREFUSED: 20 });
      assert.equal(o.bytes, 2 * 10 * 580);
      assert.equal(o.histogram.totalCount, 120);
      assert.equal(latencies.length, 120);
      assert.deepEqual(o.anomalies, []);
      assert.equal(typeof o.start_skew_ms, 'number');
    } finally {
      await endIdleWorkers();
    }
  });

  it('cannot be chosen by a scenario, and refuses to run beside lb-bench’s own (real) workers', () => {
    assert.ok(!(ENGINE_NAMES as readonly string[]).includes('fake'));
    const named = resolveScenarioText('f.yaml', loadScenarioYaml(URL_A, { more: '  engine: fake' }));
    assert.ok(!named.ok, 'load.engine: fake is refused');
    fake = useFakeEngine(TEN);
    assert.throws(
      () => startLoad({ url: URL_A, requests: 10, connections: 10, timeoutMs: 100, workers: 2 }),
      /a substituted engine runs in this process only/,
    );
    fake.restore();
    fake = null;
  });
});
