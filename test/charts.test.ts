/**
 * The charts: the level axis is numeric (on the configuration, and as chart.js lays it out on
 * @napi-rs/canvas, the code that draws the PNGs); every scenario has one colour and one marker in
 * every chart of the report and in compare's; points are where their data says. Report charts
 * from the committed baseline's run folders, read as `report` reads them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { Chart } from 'chart.js/auto';
import { compareChartSpec } from '../src/compare/compare-chart.js';
import { compareRuns } from '../src/compare/compare.js';
import { CHART_HEIGHT, CHART_WIDTH, chartConfig, type ChartSpec } from '../src/report/charts.js';
import { scenarioStyles, PALETTE, MARKERS } from '../src/report/style.js';
import { eachKind, runsOfKind, type StoredRun } from '../src/kinds/registry.js';
import { readRun } from '../src/kinds/run-folders.js';
import { loadReport } from '../src/kinds/load/report.js';
import { grid, sample, scenario, writeRun } from './report-fixtures.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'lb-charts-'));
const BASELINE = 'baselines/lab-quick';
const FOLDERS = ['single', 'haproxy-rr', 'haproxy-lc', 'nginx-rr'].map((n) => `${BASELINE}/20261126-091621-${n}`);

function stored(name: string, levels: number[], extra: Parameters<typeof scenario>[1] = {}) {
  return writeRun(
    tmp(),
    scenario(name, { load: { ...scenario('x').load, levels, repetitions: 3 }, ...extra }),
    grid(levels, 3, (l, r) => sample(l, r)),
  );
}

/** Where x sits between the first tick and the last (0 and 1), and the tick values, as chart.js lays them out. */
function laidOut(spec: ChartSpec, x: number): { at: number; ticks: number[] } {
  const chart = new Chart(createCanvas(CHART_WIDTH, CHART_HEIGHT) as unknown as HTMLCanvasElement, chartConfig(spec));
  try {
    const axis = chart.scales.x;
    const ticks = axis.ticks.map((t) => t.value);
    const px = (v: number) => axis.getPixelForValue(v);
    return { at: (px(x) - px(ticks[0])) / (px(ticks.at(-1)!) - px(ticks[0])), ticks };
  } finally {
    chart.destroy();
  }
}

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a}, not ${b}`);

test('report charts: levels 1000, 5000, 10000 on a linear axis, 5000 at 4/9 of the way, ticks at the levels', () => {
  const { charts } = loadReport([stored('haproxy-lc', [1000, 5000, 10000])]);
  assert.deepEqual(
    charts.map((s) => s.file),
    ['rps.png', 'throughput.png', 'loss.png', 'latency.png'],
  );
  for (const spec of charts) {
    assert.equal((chartConfig(spec).options!.scales!.x as { type: string }).type, 'linear', spec.file);
    const l = laidOut(spec, 5000);
    close(l.at, 4 / 9, spec.file);
    assert.deepEqual(l.ticks, [1000, 5000, 10000], spec.file);
  }
});

test('a thesis figure at a level not measured widens the axis but gets no tick', () => {
  const [rps] = loadReport([stored('haproxy-lc', [1000, 2000], { reference: { rps: { 1000: 98.5, 10000: 2352.937 } } })]).charts;
  const l = laidOut(rps, 2000);
  assert.deepEqual(l.ticks, [1000, 2000]);
  const chart = new Chart(createCanvas(CHART_WIDTH, CHART_HEIGHT) as unknown as HTMLCanvasElement, chartConfig(rps));
  try {
    assert.ok(chart.scales.x.max >= 10000, `the axis reaches the thesis marker: ${chart.scales.x.max}`);
  } finally {
    chart.destroy();
  }
});

test('compare.png: the same numeric axis, at the levels both runs measured', () => {
  const levels = [1000, 5000, 10000];
  const c = compareRuns(stored('haproxy-rr', levels), stored('nginx-rr', levels, { balancer: 'nginx' }), {
    alpha: 0.05,
    test: 'mann-whitney',
  });
  const l = laidOut(compareChartSpec(c, 'rps'), 5000);
  close(l.at, 4 / 9, 'laid out');
  assert.deepEqual(l.ticks, levels);
});

/** Each scenario's colour and marker in every dataset of every panel of a chart, as chart.js is configured to draw them. */
function looks(spec: ChartSpec): { scenario: string; color: string; marker: unknown; file: string }[] {
  return spec.panels.flatMap((p, i) => {
    const datasets = chartConfig(spec, i).data.datasets;
    return p.series.flatMap((s, j) => {
      const d = datasets[j] as { borderColor: string; pointStyle?: unknown };
      if (s.kind === 'repetitions' || s.kind === 'reference' || s.kind === 'level') {
        // the dots are the scenario's colour, faded; the × and the 1× line its colour
        const rgb = /^rgba\((\d+), (\d+), (\d+)/.exec(d.borderColor);
        const color = rgb
          ? `#${rgb
              .slice(1, 4)
              .map((x) => Number(x).toString(16).padStart(2, '0'))
              .join('')}`
          : d.borderColor;
        return [{ scenario: s.scenario, color, marker: s.kind === 'repetitions' ? d.pointStyle : undefined, file: spec.file }];
      }
      return [{ scenario: s.scenario, color: d.borderColor, marker: d.pointStyle, file: spec.file }];
    });
  });
}

test('one colour and one marker per scenario across ratio, rps, throughput, loss, latency, cpu and compare (the committed baseline)', async () => {
  const runs: StoredRun[] = await Promise.all([...FOLDERS, `${BASELINE}/20261126-092023-failover`].map((d) => readRun(d)));
  const charts = eachKind(runs, (kind, own) => kind.report(own)).flatMap((p) => p.charts);
  assert.deepEqual(
    charts.map((c) => c.file),
    ['ratio.png', 'rps.png', 'throughput.png', 'loss.png', 'latency.png', 'cpu.png', 'downtime.png'],
  );
  const load = runsOfKind(runs, 'load');
  const byName = (n: string) => load.find((r) => r.manifest.scenario.name === n)!;
  const compare = compareChartSpec(compareRuns(byName('haproxy-rr'), byName('nginx-rr'), { alpha: 0.05, test: 'mann-whitney' }), 'rps');
  const all = [...charts, compare].flatMap(looks);
  const colors = new Map<string, Set<string>>();
  const markers = new Map<string, Set<unknown>>();
  for (const l of all) {
    colors.set(l.scenario, (colors.get(l.scenario) ?? new Set()).add(l.color));
    if (l.marker !== undefined) markers.set(l.scenario, (markers.get(l.scenario) ?? new Set()).add(l.marker));
  }
  for (const [name, set] of colors)
    assert.equal(set.size, 1, `${name}: colours ${[...set]} in ${all.filter((l) => l.scenario === name).map((l) => l.file)}`);
  for (const [name, set] of markers) assert.equal(set.size, 1, `${name}: markers ${[...set]}`);
  const used = [...colors.values()].map((s) => [...s][0]);
  assert.equal(new Set(used).size, used.length, 'no two scenarios share a colour');
  // haproxy-rr in compare.png is haproxy-rr of rps.png (it was blue in one and red in the other)
  const of = (file: string, name: string) => all.find((l) => l.file === file && l.scenario === name)!.color;
  assert.equal(of('compare.png', 'haproxy-rr'), of('rps.png', 'haproxy-rr'));
  assert.equal(of('compare.png', 'nginx-rr'), of('cpu.png', 'nginx-rr'));
});

test('scenario styles: fixed for the thesis scenarios, stable for others, never shared within one chart', () => {
  const thesis = scenarioStyles(['nginx-rr', 'single']);
  assert.equal(thesis.get('single')!.color, PALETTE[0]);
  assert.equal(thesis.get('nginx-rr')!.color, PALETTE[3]);
  // the same name, whatever else is drawn beside it
  assert.deepEqual(scenarioStyles(['staging'])!.get('staging'), scenarioStyles(['a', 'staging', 'b']).get('staging'));
  // nine names in eight slots would collide; eight never do
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  const styles = scenarioStyles(names);
  assert.equal(new Set(names.map((n) => styles.get(n)!.color)).size, 8);
  assert.equal(new Set(names.map((n) => styles.get(n)!.marker)).size, MARKERS.length);
  // two runs of one scenario (labels are run ids) keep its colour
  const runs = scenarioStyles(['20260101-000000-haproxy-lc', '20260102-000000-haproxy-lc']);
  assert.equal(runs.get('20260101-000000-haproxy-lc')!.color, PALETTE[2]);
  assert.equal(runs.get('20260102-000000-haproxy-lc')!.color, PALETTE[2]);
});

test('cpu.png: a panel per host, and no series for a host that served nothing; latency on a log axis, a panel per set-up', async () => {
  const runs = await Promise.all(FOLDERS.map((d) => readRun(d)));
  const { charts } = loadReport(runsOfKind(runs, 'load'));
  const cpu = charts.find((c) => c.file === 'cpu.png')!;
  assert.deepEqual(
    cpu.panels.map((p) => p.title),
    ['web1', 'web2', 'web3'],
  );
  const drawn = (host: string) => [...new Set(cpu.panels.find((p) => p.title === host)!.series.map((s) => s.scenario))];
  assert.deepEqual(drawn('web1'), ['single', 'haproxy-rr', 'haproxy-lc', 'nginx-rr']);
  assert.deepEqual(drawn('web2'), ['haproxy-rr', 'haproxy-lc', 'nginx-rr'], "single's web2 served nothing");
  assert.match(cpu.what, /left out, busy below 1 % in every run: single's web2, single's web3/);
  // nginx-rr lost most of its requests at 5000 and 10000: its CPU there is drawn hollow, not as a figure like the others
  const nginx = cpu.panels[0].series.find((s) => s.scenario === 'nginx-rr' && (s.kind ?? 'mean') === 'mean')!;
  assert.deepEqual(
    nginx.points.map((p) => [p.x, p.hollow]),
    [
      [1000, false],
      [5000, true],
      [10000, true],
    ],
  );
  const latency = charts.find((c) => c.file === 'latency.png')!;
  assert.equal(latency.logY, true);
  assert.equal((chartConfig(latency, 0).options!.scales!.y as { type: string }).type, 'logarithmic');
  assert.deepEqual(
    latency.panels.map((p) => p.title),
    ['single', 'haproxy-rr', 'haproxy-lc', 'nginx-rr'],
  );
  assert.deepEqual(
    [...new Set(latency.panels[0].series.filter((s) => (s.kind ?? 'mean') === 'mean').map((s) => s.label))],
    ['p50', 'p90', 'p99', 'max'],
  );
  // every repetition is a dot: 5 repetitions × 3 levels per scenario, in rps.png
  const rps = charts.find((c) => c.file === 'rps.png')!;
  for (const s of rps.panels[0].series.filter((x) => x.kind === 'repetitions')) assert.equal(s.points.length, 15, s.label);
  // generator-bound runs are hollow dots, and the chart says so beside the point
  const bound = rps.panels[0].series.find((s) => s.kind === 'repetitions' && s.scenario === 'nginx-rr')!;
  assert.equal(bound.points.filter((p) => p.hollow).length, 14, 'nginx-rr: 4 + 5 + 5 generator-bound runs');
  assert.ok(rps.panels[0].notes!.some((n) => n.scenario === 'nginx-rr' && n.x === 10000 && /generator-bound 5\/5, lost 92 %/.test(n.text)));
});

test('loss.png is in % of requests and leaves out who lost nothing; no loss anywhere: no chart, one sentence', () => {
  const lossy = writeRun(
    tmp(),
    scenario('nginx-rr', { load: { ...scenario('x').load, levels: [1000, 2000], repetitions: 3 } }),
    grid([1000, 2000], 3, (l, r) => sample(l, r, 1, { loss: l / 10, errors: l / 10 })),
  );
  const clean = writeRun(
    tmp(),
    scenario('haproxy-lc', { load: { ...scenario('x').load, levels: [1000, 2000], repetitions: 3 } }),
    grid([1000, 2000], 3, (l, r) => sample(l, r, 1, { loss: 0, errors: 0 })),
  );
  const withLoss = loadReport([lossy, clean]);
  const loss = withLoss.charts.find((c) => c.file === 'loss.png')!;
  const means = loss.panels[0].series.filter((s) => (s.kind ?? 'mean') === 'mean');
  assert.deepEqual(
    means.map((s) => [s.scenario, s.points.map((p) => +p.y.toFixed(9))]),
    [['nginx-rr', [10, 10]]],
    '100 of 1000 and 200 of 2000: 10 %',
  );
  assert.match(loss.what, /haproxy-lc lost no request at any level and are not drawn/);
  const none = loadReport([clean]);
  assert.ok(!none.charts.some((c) => c.file === 'loss.png'));
  assert.match(none.section.markdown.join('\n'), /No request was lost: every one of the 6 runs of haproxy-lc completed all its requests\./);
});

test('a chart whose every figure is 0 becomes one sentence (a target that answered nothing: 0 req/s)', () => {
  const dead = writeRun(
    tmp(),
    scenario('dead', { load: { ...scenario('x').load, levels: [1000, 2000], repetitions: 3 } }),
    grid([1000, 2000], 3, (l, r) =>
      sample(l, r, 1, {
        rps: 0,
        throughput_mbps: 0,
        completed: 0,
        loss: l,
        errors: l,
        latency_ms: { p50: null, p90: null, p99: null, max: null },
      }),
    ),
  );
  const { charts, section } = loadReport([dead]);
  assert.deepEqual(
    charts.map((c) => c.file),
    ['loss.png'],
  );
  const md = section.markdown.join('\n');
  assert.match(md, /Requests per second: 0 in every run of dead\./);
  assert.match(md, /Throughput: 0 in every run of dead\./);
});
