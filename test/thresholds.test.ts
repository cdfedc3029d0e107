/**
 * Thresholds judge a level over its repetitions (src/kinds/load/thresholds.ts, src/stats/beyond.ts): the
 * rule on literal figures, then `lb-bench run` against a target whose first runs are slow: one
 * slow repetition of five passes `latency_p99_ms: 150`, five fail it (exit 1), and `judge: run`
 * judges each run on its own. The load goes to the fake engine (test/helpers/fake-engine.ts), which
 * makes the first runs slow: what is tested is the judgement; the target is a real server on port 0
 * for the reachability check.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './helpers/cli.js';
import { useFakeEngine } from './helpers/fake-engine.js';
import { startServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { beyondLimit } from '../src/stats/beyond.js';
import { thresholdChecks } from '../src/kinds/load/thresholds.js';
import { thresholdChecks as failoverChecks } from '../src/kinds/failover/thresholds.js';
import type { FailoverScenario } from '../src/kinds/failover/scenario.js';
import type { FailoverSample } from '../src/kinds/failover/sample.js';
import type { RunSample } from '../src/kinds/load/sample.js';

const ws = workspace();
after(() => ws.remove());

test('beyondLimit: the 95 % CI of the mean wholly past the limit', () => {
  // one slow of five: mean 65, s = √((240² + 4·60²)/4) = 134.16, half = t(0.975, 4)·s/√5 = 2.7764·134.16/2.2361 = 166.6
  const one = beyondLimit([305, 5, 5, 5, 5], 150, 'above');
  assert.equal(one.mean, 65);
  assert.ok(Math.abs(one.ci_low! - (65 - 166.58)) < 0.05, String(one.ci_low));
  assert.equal(one.beyond, false);
  // every repetition slow: 300 ± 2.7764·1.58/√5 = 300 ± 1.96, wholly above 150
  assert.equal(beyondLimit([302, 298, 300, 301, 299], 150, 'above').beyond, true);
  // a mean past the limit whose interval still holds it: not (yet) a breach
  const near = beyondLimit([140, 170, 150, 180, 160], 150, 'above');
  assert.equal(near.mean, 160);
  assert.equal(near.beyond, false);
  // a floor: req/s wholly below
  assert.equal(beyondLimit([90, 91, 89, 90, 90], 100, 'below').beyond, true);
  assert.equal(beyondLimit([90, 91, 89, 90, 200], 100, 'below').beyond, false);
  // one repetition: no interval, the value on its own; none: nothing to judge
  assert.equal(beyondLimit([151], 150, 'above').beyond, true);
  assert.equal(beyondLimit([150], 150, 'above').beyond, false);
  assert.equal(beyondLimit([null], 150, 'above').beyond, false);
});

function sample(level: number, repetition: number, p99: number | null, over: Partial<RunSample> = {}): RunSample {
  return { level, repetition, rps: 1000, loss: 0, latency_ms: { p99 }, ...over } as unknown as RunSample;
}

test('thresholdChecks: levels judged over their repetitions; loss and dead runs count run by run; judge: run', () => {
  const samples = [
    ...[305, 5, 5, 5, 5].map((p, i) => sample(100, i + 1, p)),
    ...[400, 410, 390, 405, 395].map((p, i) => sample(200, i + 1, p, { rps: 50 })),
  ];
  const [latency] = thresholdChecks({ latency_p99_ms: 150 }, samples);
  assert.deepEqual(latency.breaches, ['level 200: latency p99 mean 400 ms (95 % CI 390.2–409.8 over 5 runs) > 150 ms']);
  assert.equal(latency.judged, "2 levels over 10 runs: each level's mean, 95 % CI");

  const perRun = thresholdChecks({ latency_p99_ms: 150, judge: 'run' }, samples)[0];
  assert.equal(perRun.breaches.length, 6, perRun.breaches.join('\n'));
  assert.equal(perRun.breaches[0], 'level 100 rep 1: latency p99 305 ms > 150 ms');

  const rps = thresholdChecks({ rps_min: 100 }, samples)[0];
  assert.match(rps.breaches[0], /^level 200: rps mean 50 \(95 % CI 50–50 over 5 runs\) < 100$/);
  assert.equal(rps.breaches.length, 1);

  // a lost request is counted in every run; a run with no answer at all breaches the latency threshold on its own
  const dead = [sample(100, 1, 5), sample(100, 2, null, { loss: 100 }), sample(100, 3, 5), sample(100, 4, 5)];
  const [loss, lat] = thresholdChecks({ loss: 0, latency_p99_ms: 150 }, dead);
  assert.deepEqual(loss.breaches, ['level 100 rep 2: loss 100 > 0']);
  assert.deepEqual(lat.breaches, ['level 100 rep 2: latency p99 unknown, no request completed']);
});

test('failover downtime_ms: the repetitions judged together, one that never came back on its own', () => {
  const scenario = (judge?: 'run') => ({ thresholds: { downtime_ms: 3000, ...(judge ? { judge } : {}) } }) as unknown as FailoverScenario;
  const rep = (repetition: number, http: number | null) => ({ repetition, downtime_ms: { http } }) as unknown as FailoverSample;
  // one slow failover of five: mean 2800, its interval holds 3000
  const oneSlow = [rep(1, 6000), rep(2, 2000), rep(3, 2000), rep(4, 2000), rep(5, 2000)];
  assert.deepEqual(failoverChecks(scenario(), oneSlow)[0].breaches, []);
  assert.deepEqual(failoverChecks(scenario('run'), oneSlow)[0].breaches, ['repetition 1: http downtime 6000 ms > 3000 ms']);
  const slow = [rep(1, 4000), rep(2, 4100), rep(3, 3900), rep(4, 4000), rep(5, null)];
  assert.deepEqual(failoverChecks(scenario(), slow)[0].breaches, [
    'repetition 5: http never came back (downtime_ms ≤ 3000)',
    'http downtime mean 4000.0 ms (95 % CI 3870.1–4129.9 over 4 repetitions) > 3000 ms',
  ]);
});

async function gate(name: string, slowRuns: number, more: string) {
  // the first burst is the warm-up (load.warmup, a burst of the level): slow too, and in no run;
  // a request of a slow burst waits 300 ms, of the others 1 ms
  const fake = useFakeEngine((_share, i) => ({ outcomes: [{ status: 200, latencyMs: i < slowRuns + 1 ? 300 : 1, bytes: 1600 }] }));
  const server = await startServer('ok');
  try {
    const file = ws.write(`${name}.yaml`, loadScenarioYaml(server.url, { name, levels: [20], repetitions: 5, more }));
    const r = await runCli(['run', file, '--out', ws.results]);
    assert.deepEqual(
      fake.shares.map((s) => s.requests),
      Array(6).fill(20),
      'the warm-up and five runs of 20',
    );
    return r;
  } finally {
    fake.restore();
    await server.close();
  }
}

test('run: one slow repetition of five does not breach latency_p99_ms: 150; judged run by run it does', async () => {
  const r = await gate('one-slow', 1, 'thresholds: { latency_p99_ms: 150 }');
  assert.equal(r.code, 0, r.err.join('\n'));
  const p99 = ws.samples(r.last).map((s) => s.latency_ms.p99);
  assert.ok(p99[0] >= 300 && p99.slice(1).every((v: number) => v < 150), `only the first run is slow: ${p99.join(', ')}`);

  const each = await gate('one-slow-each', 1, 'thresholds: { latency_p99_ms: 150, judge: run }');
  assert.equal(each.code, 1);
  assert.deepEqual(
    each.err.filter((l) => l.startsWith('threshold breached')).map((l) => l.replace(/p99 [\d.]+ ms/, 'p99 X ms')),
    ['threshold breached: one-slow-each: level 20 rep 1: latency p99 X ms > 150 ms'],
  );
});

test('run: five slow repetitions of five breach latency_p99_ms: 150 (exit 1), naming the level and its interval', async () => {
  const r = await gate('all-slow', 5, 'thresholds: { latency_p99_ms: 150 }');
  assert.equal(r.code, 1, r.err.join('\n'));
  const breached = r.err.filter((l) => l.startsWith('threshold breached'));
  assert.equal(breached.length, 1, breached.join('\n'));
  assert.match(
    breached[0],
    /^threshold breached: all-slow: level 20: latency p99 mean [\d.]+ ms \(95 % CI [\d.]+–[\d.]+ over 5 runs\) > 150 ms$/,
  );
  // every run waited 300 ms (more on a loaded machine), so the level's mean is at least that
  assert.ok(Number(/mean ([\d.]+) ms/.exec(breached[0])![1]) >= 300, breached[0]);
  assert.equal(ws.samples(r.last).length, 5, 'every run stored first');
});

test('validate: judge takes level or run', async () => {
  const file = ws.write(
    'bad-judge.yaml',
    loadScenarioYaml('http://127.0.0.1:9/', { name: 'bad-judge', more: 'thresholds: { judge: each }' }),
  );
  const r = await runCli(['validate', file]);
  assert.equal(r.code, 2);
  assert.match(r.err.join('\n'), /thresholds\.judge: must be level or run/);
});
