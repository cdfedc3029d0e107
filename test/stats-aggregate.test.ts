/** aggregate() on synthetic StoredRuns held in memory (pure: no files). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate } from '../src/kinds/load/aggregate.js';
import type { LoadRun } from '../src/kinds/load/sample.js';
import { grid, manifest, sample, scenario } from './report-fixtures.js';

function run(name: string, samples = grid([1000, 2000], 3, (l, r) => sample(l, r)), extra: Partial<LoadRun['manifest']> = {}): LoadRun {
  const sc = scenario(name);
  return { dir: `/results/x-${name}`, manifest: { ...manifest(sc, 6), id: `x-${name}`, ...extra }, samples };
}

test('one row per scenario, level and metric with the hand-computed figures', () => {
  const agg = aggregate([
    run('a'),
    run(
      'b',
      grid([1000], 3, (l, r) => sample(l, r, 2)),
    ),
  ]);
  const rps = agg.rows.filter((r) => r.metric === 'rps');
  assert.deepEqual(
    rps.map((r) => [r.scenario, r.level, r.n, r.mean, r.median, r.min, r.max]),
    [
      ['a', 1000, 3, 100, 100, 90, 110], // 90, 100, 110
      ['a', 2000, 3, 200, 200, 190, 210],
      ['b', 1000, 3, 200, 200, 190, 210], // factor 2
    ],
  );
  assert.equal(rps[0].sd, 10);
  // CI: 100 ± t(0.975, 2)·10/√3 = 100 ± 4.302652729749462·5.773502691896258
  assert.ok(Math.abs(rps[0].ci_high! - (100 + 4.302652729749462 * (10 / Math.sqrt(3)))) < 1e-9);
  // 13 fixed metrics (loss_ratio among them) × 3 (scenario, level) pairs; no CPU in these samples
  assert.equal(agg.rows.length, 13 * 3);
  assert.deepEqual(
    agg.scenarios.map((s) => [s.label, s.levels]),
    [
      ['a', [1000, 2000]],
      ['b', [1000]],
    ],
  );
});

test('warnings: noisy cv, generator-bound, missing CPU, sample warnings, incomplete run', () => {
  const samples = grid([1000], 3, (l, r) =>
    sample(l, r, 1, {
      rps: [50, 100, 150][r - 1], // cv 50 %
      generator_bound: r === 3,
      cpu: { web1: { mean: 40, peak: 60 }, web2: { mean: r === 2 ? null : 30, peak: null } },
      warnings: ['ulimit raised to 4096'],
    }),
  );
  const r = run('noisy', samples, { status: 'interrupted', planned_runs: 6 });
  r.manifest.scenario.backends = [
    { host: 'web1', cpu: 'procstat' },
    { host: 'web2', cpu: 'procstat' },
    { host: 'web3', cpu: 'procstat' },
  ];
  const { warnings, rows, noisy } = aggregate([r]);
  const by = (k: string) => warnings.filter((w) => w.kind === k).map((w) => w.message);
  // rps (50, 100, 150), duration (level / (90, 100, 110): cv 10.05 %) and the four latencies (10·rep): six metrics, one line
  assert.deepEqual(by('noisy'), ['noisy: 6 metrics vary by more than 10 % between repetitions at 1000 — see report']);
  assert.deepEqual(
    noisy.find((f) => f.metric === 'rps'),
    { scenario: 'noisy', metric: 'rps', level: 1000, n: 3, mean: 100, cv: 0.5 },
  );
  assert.ok(!noisy.some((f) => ['loss', 'errors', 'completed'].includes(f.metric)), 'request counts are not called noisy');
  // rps 90/100/110 at level 1000 (cv 10 %, not above) and 190/200/210 at 2000 (5 %): not noisy
  assert.deepEqual(
    aggregate([run('quiet')]).noisy.filter((f) => f.metric === 'rps'),
    [],
  );
  assert.deepEqual(by('generator-bound'), [
    "noisy level 1000: 1 of 3 runs were generator-bound (the load generator's CPU neared 100 %, or its event loop stalled for a quarter of the median latency)",
  ]);
  assert.deepEqual(by('cpu-missing'), ['noisy: CPU of web2 missing in 1 of 3 runs', 'noisy: CPU of web3 missing in 3 of 3 runs']);
  assert.deepEqual(by('sample'), ['noisy level 1000, 3 of 3 runs (the first, rep 1): ulimit raised to 4096']);
  assert.deepEqual(by('run'), ['noisy: run x-noisy is interrupted: 3 of 6 runs finished']);
  const cpu = rows.find((x) => x.metric === 'cpu.web2.mean')!;
  assert.equal(cpu.n, 2, 'a null CPU figure is left out, not counted as 0');
  assert.equal(cpu.mean, 30);
});

test('two runs of one scenario stay apart, labelled by their folder', () => {
  const agg = aggregate([run('a'), { ...run('a'), dir: '/results/y-a', manifest: { ...run('a').manifest, id: 'y-a' } }]);
  assert.deepEqual(
    agg.scenarios.map((s) => s.label),
    ['x-a', 'y-a'],
  );
});
