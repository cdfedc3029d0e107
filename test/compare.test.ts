/**
 * compare on run folders written with RunWriter in temp dirs, through the whole CLI in-process.
 * Reference p-values: scipy 1.17.1, scipy.stats.mannwhitneyu(a, b, alternative='two-sided')
 * (method "auto": exact without ties and n ≤ 8, else normal with tie and continuity correction)
 * and scipy.stats.ttest_ind(a, b, equal_var=False), on the very numbers written below.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changePct, compareValues, mannWhitneyMinP, verdictOf } from '../src/compare/compare.js';
import { metricByName } from '../src/kinds/load/metrics.js';
import { CHART_HEIGHT, CHART_WIDTH } from '../src/report/charts.js';
import type { RunSample } from '../src/kinds/load/sample.js';
import { runCli } from './helpers/cli.js';
import { failoverScenario, sample, scenario, writeFailoverRun, writeRun } from './report-fixtures.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'lb-compare-'));

type Series = Record<number, { rps: number[]; p50: number[]; p99: number[] }>;

/** Five repetitions per level; loss and errors 0 everywhere, so they are equal on both sides. */
function samples(series: Series): RunSample[] {
  return Object.entries(series).flatMap(([level, s]) =>
    s.rps.map((rps, i) =>
      sample(Number(level), i + 1, 1, {
        rps,
        completed: Number(level),
        loss: 0,
        errors: 0,
        latency_ms: { p50: s.p50[i], p90: s.p50[i], p99: s.p99[i], max: s.p99[i] },
      }),
    ),
  );
}

const A: Series = {
  1000: { rps: [100, 102, 98, 101, 99], p50: [10, 11, 12, 13, 14], p99: [50, 52, 54, 56, 58] },
  2000: { rps: [200, 204, 196, 202, 198], p50: [20, 20, 21, 21, 22], p99: [60, 60, 60, 60, 60] },
};
const B: Series = {
  1000: { rps: [90, 91, 89, 92, 88], p50: [12, 13, 15, 16, 17], p99: [30, 31, 32, 33, 34] },
  2000: { rps: [201, 199, 205, 197, 203], p50: [23, 23, 24, 24, 25], p99: [60, 60, 60, 60, 60] },
};

/** metric, level → [Mann-Whitney p, Welch p, verdict under Mann-Whitney] from scipy (see the header). */
const EXPECTED: [string, number, number, number, string][] = [
  // every B below every A: U = 25, exact p = 2/C(10,5) = 2/252, by hand as well
  ['rps', 1000, 0.007936507936507936, 8.488181527628489e-6, 'worse'],
  // overlapping: U = 10, exact
  ['rps', 2000, 0.6904761904761905, 0.6305360755569764, '~'],
  // ties (12, 13 on both sides): normal approximation with tie correction
  ['latency_ms.p50', 1000, 0.09269171612444643, 0.05862975926462079, '~'],
  // every B above every A, with ties inside each side: normal, p = 0.0112
  ['latency_ms.p50', 2000, 0.011159425282914755, 0.000470689829577669, 'worse'],
  // lower latency is better
  ['latency_ms.p99', 1000, 0.007936507936507936, 1.0059842999809074e-5, 'better'],
];

interface JsonRow {
  metric: string;
  level: number;
  p: number | null;
  verdict: string;
  change_pct: number | null;
  all_equal: boolean;
  a: { n: number; mean: number };
  b: { n: number; mean: number };
}
interface JsonOut {
  comparisons: { rows: JsonRow[]; skipped: string[]; notes: string[]; a: { label: string }; b: { label: string } }[];
  gate: { breaches: { metric: string; level: number }[] } | null;
}

function fixture() {
  const results = tmp();
  const a = writeRun(
    results,
    scenario('haproxy-rr', { load: { ...scenario('x').load, levels: [1000, 2000], repetitions: 5 } }),
    samples(A),
  );
  const b = writeRun(
    results,
    scenario('nginx-rr', { balancer: 'nginx', load: { ...scenario('x').load, levels: [1000, 2000], repetitions: 5 } }),
    samples(B),
    {},
    '2026-01-02T04:00:00.000Z',
  );
  return { results, a: a.dir, b: b.dir };
}

const row = (out: JsonOut, metric: string, level: number) => out.comparisons[0].rows.find((r) => r.metric === metric && r.level === level)!;

test('stored runs: p-values and verdicts as scipy gives them, n = repetitions', async () => {
  const f = fixture();
  for (const [testName, column] of [
    ['mann-whitney', 2],
    ['welch', 3],
  ] as const) {
    const r = await runCli(['compare', f.a, f.b, '--json', '--test', testName]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const out = JSON.parse(r.out.join('\n')) as JsonOut;
    for (const e of EXPECTED) {
      const got = row(out, e[0], e[1]);
      assert.ok(
        Math.abs(got.p! - (e[column] as number)) < 1e-9 * Math.max(1, 1 / (e[column] as number)),
        `${testName} ${e[0]} ${e[1]}: p ${got.p} vs scipy ${e[column]}`,
      );
      assert.equal(got.a.n, 5);
      assert.equal(got.b.n, 5);
      if (testName === 'mann-whitney') assert.equal(got.verdict, e[4], `${e[0]} ${e[1]}`);
    }
    assert.equal(row(out, 'rps', 1000).change_pct, -10, 'mean 90 against 100');
    // loss and errors are 0 on both sides: left out; p99 at 2000 is 60 everywhere: ~ with p 1
    assert.ok(out.comparisons[0].skipped.includes('loss') && out.comparisons[0].skipped.includes('errors'));
    assert.ok(!out.comparisons[0].rows.some((x) => x.metric === 'loss'));
    assert.deepEqual(
      [row(out, 'latency_ms.p99', 2000).p, row(out, 'latency_ms.p99', 2000).verdict, row(out, 'latency_ms.p99', 2000).all_equal],
      [1, '~', true],
    );
  }
  // Welch is more sensitive here: p50 at 1000 is still above 0.05, but by less
  const welch = JSON.parse((await runCli(['compare', f.a, f.b, '--json', '--test', 'welch'])).out.join('\n')) as JsonOut;
  assert.equal(row(welch, 'latency_ms.p50', 1000).verdict, '~');
});

test('text, md and csv tables; the chosen runs on stderr', async () => {
  const f = fixture();
  const text = await runCli(['compare', f.a, f.b, '--metric', 'rps', 'latency_ms.p50', '--verbose']);
  assert.equal(text.code, 0);
  assert.match(text.err[0], /^A: haproxy-rr  .*haproxy-rr  \(10 runs, levels 1000,2000, complete\)$/);
  assert.match(text.err[1], /^B: nginx-rr  /);
  const t = text.out.join('\n');
  assert.match(t, /^rps: Requests per second \(req\/s, higher is better\)$/m);
  // mean ± t(0.975, 4)·sd/√5: sd of 100,102,98,101,99 is √2.5 → 2.776·1.581/2.236 = 1.963
  assert.match(t, /^1000\s+100\.0 ± 2\.0\s+90\.00 ± 1\.96\s+-10\.0 %\s+0\.008\s+5\+5\s+worse$/m);
  assert.match(t, /^2000\s+.*\s+0\.690\s+5\+5\s+~$/m);
  assert.match(t, /^latency_ms\.p50: .*lower is better/m);
  assert.doesNotMatch(t, /latency_ms\.p99/, '--metric limits the tables');

  const md = (await runCli(['compare', f.a, f.b, '--format', 'md', '--metric', 'rps'])).out.join('\n');
  assert.match(md, /^\| level \| haproxy-rr \| nginx-rr \| change \| p \| n \| verdict \|$/m);
  assert.match(md, /^\| 1000 \| 100\.0 ± 2\.0 \| 90\.00 ± 1\.96 \| -10\.0 % \| 0\.008 \| 5\+5 \| worse \|$/m);

  const csv = (await runCli(['compare', f.a, f.b, '--format', 'csv', '--metric', 'rps'])).out;
  assert.equal(
    csv[0],
    'a_run,b_run,a,b,metric,level,a_n,a_mean,a_ci_low,a_ci_high,b_n,b_mean,b_ci_low,b_ci_high,change_pct,p,test,verdict,gated,not_comparable',
  );
  const cells = csv[1].split(',');
  assert.deepEqual(
    [cells[2], cells[3], cells[4], cells[5], cells[6], cells[7], cells[14], cells[15], cells[17]],
    ['haproxy-rr', 'nginx-rr', 'rps', '1000', '5', '100', '-10', '0.007936507936507936', 'worse'],
  );

  // named explicitly, an all-equal metric is shown: 0 vs 0 → ~, p 1
  const loss = JSON.parse((await runCli(['compare', f.a, f.b, '--json', '--metric', 'loss'])).out.join('\n')) as JsonOut;
  assert.deepEqual(
    loss.comparisons[0].rows.map((x) => [x.level, x.p, x.verdict, x.change_pct]),
    [
      [1000, 1, '~', 0],
      [2000, 1, '~', 0],
    ],
  );

  const bad = await runCli(['compare', f.a, f.b, '--metric', 'rsp']);
  assert.equal(bad.code, 2);
  assert.match(bad.err.join('\n'), /--metric: unknown "rsp"[\s\S]*metrics of these runs: rps, throughput_mbps/);
});

test('--fail-on-regression: exit 1 listing each breach, after the full table; --out writes compare.png', async () => {
  const f = fixture();
  const out = join(tmp(), 'cmp');
  const r = await runCli(['compare', f.a, f.b, '--fail-on-regression', '5', '--out', out]);
  assert.equal(r.code, 1);
  assert.match(r.out.join('\n'), /^generator_cpu|latency_ms\.max/m, 'the whole table is printed before the gate');
  const breaches = r.err.filter((l) => l.startsWith('regression: '));
  // rps −10 % at 1000; p50 +14.4 % at 2000 (mean 23.8 vs 20.8), and p90 which the fixture sets equal to p50;
  assert.ok(
    breaches.some((l) =>
      /^regression: haproxy-rr vs nginx-rr: rps at level 1000: -10\.0 % \(p 0\.008; beyond 5 %: p 0\.008\), worse by more than 5 %$/.test(
        l,
      ),
    ),
    breaches.join('\n'),
  );
  assert.ok(
    breaches.some((l) =>
      /^regression: haproxy-rr vs nginx-rr: latency_ms\.p50 at level 2000: \+14\.4 % \(p 0\.011; beyond 5 %: p 0\.034\)/.test(l),
    ),
    breaches.join('\n'),
  );
  assert.ok(!breaches.some((l) => /p99/.test(l)), 'a better metric is no breach');
  assert.match(r.err.at(-1)!, /significant regressions of more than 5 %/);
  const png = readFileSync(join(out, 'compare.png'));
  assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [CHART_WIDTH, CHART_HEIGHT]);

  // 15 %: both regressions are smaller, so the gate passes
  const loose = await runCli(['compare', f.a, f.b, '--fail-on-regression', '15']);
  assert.equal(loose.code, 0, loose.err.join('\n'));
  assert.match(loose.err.at(-1)!, /no significant regression of more than 15 %/);
});

test('names: haproxy vs nginx picks haproxy-rr vs nginx-rr; ambiguous and unknown names exit 2 with the candidates', async () => {
  const results = tmp();
  const sc = (name: string, balancer: string, algorithm?: string) => scenario(name, { balancer, algorithm });
  const data = samples(A);
  writeRun(results, sc('haproxy-rr', 'haproxy', 'roundrobin'), data, {}, '2026-01-02T01:00:00.000Z');
  writeRun(results, sc('haproxy-lc', 'haproxy', 'leastconn'), data, {}, '2026-01-02T02:00:00.000Z');
  writeRun(results, sc('nginx-rr', 'nginx', 'roundrobin'), data, {}, '2026-01-02T03:00:00.000Z');
  writeRun(results, sc('single', 'none'), data, {}, '2026-01-02T04:00:00.000Z');
  // an older nginx-rr run: the newest one is meant
  writeRun(results, sc('nginx-rr', 'nginx', 'roundrobin'), data, {}, '2026-01-01T03:00:00.000Z');

  const ok = await runCli(['compare', 'haproxy', 'nginx', '--results', results]);
  assert.equal(ok.code, 0, ok.err.join('\n'));
  assert.match(ok.err[0], /^A: haproxy-rr  .*20260102-\d{6}-haproxy-rr  /);
  assert.match(ok.err[1], /^B: nginx-rr  .*20260102-\d{6}-nginx-rr  /);
  assert.match(ok.out[0], /^haproxy-rr vs nginx-rr: /, 'the line for the comparison opens the output');
  // the other way round, and a scenario name against a balancer name
  assert.match((await runCli(['compare', 'nginx', 'haproxy', '--results', results])).err[1], /^B: haproxy-rr /);
  assert.match((await runCli(['compare', 'haproxy', 'haproxy-lc', '--results', results])).err.join('\n'), /same run/);
  assert.match((await runCli(['compare', 'nginx-rr', 'haproxy', '--results', results])).err[1], /^B: haproxy-rr /);

  // single has no algorithm to share: haproxy stays two candidates
  const ambiguous = await runCli(['compare', 'haproxy', 'single', '--results', results]);
  assert.equal(ambiguous.code, 2);
  assert.match(
    ambiguous.err[0],
    /^lb-bench: "haproxy" is ambiguous: 2 candidates: haproxy-rr \(load, haproxy\/roundrobin, .*\), haproxy-lc \(load, haproxy\/leastconn, .*\)$/,
  );

  const unknown = await runCli(['compare', 'haproxy-rr', 'traefik', '--results', results]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err[0], /^lb-bench: unknown run "traefik"/);
  assert.match(unknown.err[1], /scenarios with runs: haproxy-lc, haproxy-rr, nginx-rr, single; balancers: haproxy, nginx$/);

  const one = await runCli(['compare', 'haproxy-rr', '--results', results]);
  assert.equal(one.code, 2);
});

test('names: only runs of a kind the other side has are candidates; a failover run never answers for haproxy against nginx-rr', async () => {
  const results = tmp();
  const sc = (name: string, balancer: string, algorithm: string) => scenario(name, { balancer, algorithm });
  const data = samples(A);
  writeRun(results, sc('haproxy-lc', 'haproxy', 'leastconn'), data, {}, '2026-01-02T01:00:00.000Z');
  // failover.yaml's labels: balancer haproxy, algorithm roundrobin, as nginx-rr's
  const fo = writeFailoverRun(results, failoverScenario('failover'), [600, 610, 620, 615, 605], '2026-01-02T02:00:00.000Z');
  writeRun(results, sc('nginx-rr', 'nginx', 'roundrobin'), data, {}, '2026-01-02T03:00:00.000Z');

  const lc = await runCli(['compare', 'haproxy', 'nginx', '--results', results]);
  assert.equal(lc.code, 0, lc.err.join('\n'));
  assert.match(lc.err[0], /^A: haproxy-lc  .*-haproxy-lc  /);
  assert.match(lc.err[1], /^B: nginx-rr  /);
  assert.match(lc.out[0], /^haproxy-lc vs nginx-rr: /);
  assert.match((await runCli(['compare', 'nginx', 'haproxy', '--results', results])).err[1], /^B: haproxy-lc /);

  // a failover run against a load run: exit 2, naming what each name means
  const odd = await runCli(['compare', 'failover', 'nginx', '--results', results]);
  assert.equal(odd.code, 2);
  assert.match(
    odd.err[0],
    /^lb-bench: nothing comparable: "failover" is failover \(failover, haproxy\/roundrobin, \d{8}-\d{6}-failover\); "nginx" is nginx-rr \(load, nginx\/roundrobin, \d{8}-\d{6}-nginx-rr\)$/,
  );
  assert.match(odd.err[1], /load runs compare only with load runs, failover runs with failover runs/);
  const folder = await runCli(['compare', fo.dir, 'nginx', '--results', results]);
  assert.equal(folder.code, 2);
  assert.match(folder.err[0], new RegExp(`^lb-bench: nothing comparable: "${fo.dir}" is failover \\(failover, `));

  // with haproxy-rr too, the shared algorithm decides among the load runs, as before
  writeRun(results, sc('haproxy-rr', 'haproxy', 'roundrobin'), data, {}, '2026-01-02T04:00:00.000Z');
  const rr = await runCli(['compare', 'haproxy', 'nginx', '--results', results]);
  assert.equal(rr.code, 0, rr.err.join('\n'));
  assert.match(rr.out[0], /^haproxy-rr vs nginx-rr: /);

  // two failover scenarios still compare with each other
  writeFailoverRun(results, failoverScenario('failover-tuned'), [300, 310, 305, 290, 295], '2026-01-02T05:00:00.000Z');
  const both = await runCli(['compare', 'failover', 'failover-tuned', '--results', results, '--json']);
  assert.equal(both.code, 0, both.err.join('\n'));
  assert.match(both.err[0], /^A: failover  .*-failover  \(5 runs, failover, complete\)$/);
  assert.match(both.err[1], /^B: failover-tuned  /);
  const rows: JsonRow[] = (JSON.parse(both.out.join('\n')) as JsonOut).comparisons[0].rows;
  const downtime = rows.find((r) => r.metric === 'downtime_ms.http');
  assert.ok(downtime && downtime.verdict === 'better', JSON.stringify(rows).slice(0, 400));
});

test('pure parts: change, verdict, smallest Mann-Whitney p, all-equal samples', () => {
  assert.equal(changePct(100, 90), -10);
  assert.equal(changePct(0, 3), Infinity, 'loss 0 → 3');
  assert.equal(changePct(0, 0), 0);
  assert.equal(verdictOf(-10, 0.01, 0.05, 'higher'), 'worse');
  assert.equal(verdictOf(-10, 0.01, 0.05, 'lower'), 'better');
  assert.equal(verdictOf(-10, 0.05, 0.05, 'lower'), '~', 'significant only below alpha');
  assert.equal(verdictOf(Infinity, 0.01, 0.05, 'lower'), 'worse');
  // 2/C(m+n, m): 2/20, 2/70, 2/252
  assert.equal(mannWhitneyMinP(3, 3), 0.1);
  assert.ok(Math.abs(mannWhitneyMinP(4, 4) - 2 / 70) < 1e-15);
  assert.ok(Math.abs(mannWhitneyMinP(5, 5) - 2 / 252) < 1e-15);
  const loss = metricByName('loss')!;
  const r = compareValues([0, 0, 0], [0, 0, 0], loss, 1000, { alpha: 0.05, test: 'mann-whitney' });
  assert.deepEqual([r.p, r.verdict, r.all_equal, r.change_pct], [1, '~', true, 0]);
});

test('--fail-on-regression 10: a difference beyond 10 % but within the spread is not a regression; one significantly beyond it is', async () => {
  const results = tmp();
  const load = { ...scenario('x').load, levels: [1000], repetitions: 5 };
  const runOf = (xs: number[]) => xs.map((rps, i) => sample(1000, i + 1, 1, { rps, completed: 1000, loss: 0, errors: 0 }));
  // two nights of the same code as measured here (a ratio, 5 repetitions): every B below every A
  // (p 0.008), −13.3 %, but A moved 10 % down overlaps B: within what varies from night to night
  const a = writeRun(results, scenario('night', { load }), runOf([2.1, 2.2, 2.25, 2.3, 2.4]), {}, '2026-01-01T02:00:00.000Z');
  const b = writeRun(results, scenario('night', { load }), runOf([1.85, 1.9, 1.95, 2.0, 2.05]), {}, '2026-01-02T02:00:00.000Z');
  const r = await runCli(['compare', a.dir, b.dir, '--fail-on-regression', '10', '--metric', 'rps', '--json']);
  assert.equal(r.code, 0, r.err.join('\n'));
  const row = (JSON.parse(r.out.join('\n')) as JsonOut).comparisons[0].rows[0] as unknown as Record<string, unknown>;
  assert.deepEqual([row.verdict, Math.round(row.change_pct as number), row.p, row.beyond_gate], ['worse', -13, 2 / 252, false]);
  assert.ok((row.p_gate as number) > 0.05, String(row.p_gate));
  assert.match(r.err.at(-1)!, /^no significant regression of more than 10 %/);
  // the web servers' share cut to 70 %: −29 %, far beyond the spread
  const c = writeRun(results, scenario('night', { load }), runOf([1.5, 1.55, 1.6, 1.65, 1.7]), {}, '2026-01-03T02:00:00.000Z');
  const cut = await runCli(['compare', a.dir, c.dir, '--fail-on-regression', '10', '--metric', 'rps']);
  assert.equal(cut.code, 1, cut.err.join('\n'));
  assert.ok(
    cut.err.includes(
      'regression: night: ' +
        a.dir.split('/').at(-1) +
        ' vs ' +
        c.dir.split('/').at(-1) +
        ': rps at level 1000: -28.9 % (p 0.008; beyond 10 %: p 0.008), worse by more than 10 %',
    ),
    cut.err.join('\n'),
  );
});

test('three repetitions a side: a note that Mann-Whitney cannot be significant', async () => {
  const results = tmp();
  const three = (f: number) => [1, 2, 3].map((rep) => sample(1000, rep, f));
  const a = writeRun(results, scenario('a'), three(1));
  const b = writeRun(results, scenario('b'), three(2));
  const r = await runCli(['compare', a.dir, b.dir, '--metric', 'rps', '--verbose']);
  assert.match(r.out.join('\n'), /^1000 .* 0\.100\s+3\+3\s+~$/m, 'p = 2/20, the smallest possible, is not below 0.05');
  assert.match(
    r.out.join('\n'),
    /note: with 3 and 3 repetitions, Mann-Whitney cannot reach p < 0\.05 \(the smallest possible p is 0\.100\)/,
  );
});

test('--baseline: each scenario against its newest run in DIR; missing ones are warned about, not failed', async () => {
  const base = tmp();
  const current = tmp();
  const load = { ...scenario('x').load, levels: [1000, 2000], repetitions: 5 };
  writeRun(base, scenario('haproxy-rr', { load }), samples(A));
  writeRun(base, scenario('haproxy-lc', { load }), samples(A));
  writeRun(current, scenario('haproxy-rr', { load }), samples(B));
  writeRun(current, scenario('single', { load }), samples(B));
  const r = await runCli(['compare', '--results', current, '--baseline', base, '--fail-on-regression', '5', '--metric', 'rps']);
  assert.equal(r.code, 1);
  assert.ok(r.err.includes(`warning: single: no run in the baseline ${base}; not compared`), r.err.join('\n'));
  assert.ok(r.err.includes(`warning: haproxy-lc: in the baseline but no run under ${current}/; not compared`), r.err.join('\n'));
  assert.equal(r.out[0], 'gate: FAIL — 1 significant regression of more than 5 %');
  assert.ok(r.out.includes('== haproxy-rr: baseline vs current =='), r.out.join('\n'));
  assert.deepEqual(
    r.err.filter((l) => l.startsWith('regression: ')),
    ['regression: haproxy-rr: baseline vs current: rps at level 1000: -10.0 % (p 0.008; beyond 5 %: p 0.008), worse by more than 5 %'],
  );

  const both = await runCli(['compare', 'a', 'b', '--baseline', base]);
  assert.equal(both.code, 2);
  const empty = await runCli(['compare', '--results', current, '--baseline', tmp()]);
  assert.equal(empty.code, 2);
  assert.match(empty.err[0], /--baseline .*: no run folders with finished runs there/);
});
