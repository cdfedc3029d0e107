/**
 * The level axis of every chart is numeric: on the chart configuration, and on the chart as
 * chart.js lays it out on @napi-rs/canvas (the code that draws the PNGs). Report charts from
 * stored run folders, the compare chart from two of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { Chart } from 'chart.js/auto';
import { compareChartSpec } from '../src/compare/chart.js';
import { compareRuns } from '../src/compare/compare.js';
import { CHART_HEIGHT, CHART_WIDTH, chartConfig, type ChartSpec } from '../src/report/charts.js';
import { aggregate } from '../src/kinds/load/aggregate.js';
import { chartSpecs } from '../src/kinds/load/report.js';
import { grid, sample, scenario, writeRun } from './report-fixtures.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'lb-charts-'));

function stored(name: string, levels: number[], extra: Parameters<typeof scenario>[1] = {}) {
  return writeRun(
    tmp(),
    scenario(name, { load: { ...scenario('x').load, levels, repetitions: 3 }, ...extra }),
    grid(levels, 3, (l, r) => sample(l, r)),
  );
}

/** Where x sits along the drawn axis, 0 at its left end and 1 at its right, and the tick values, as chart.js lays them out. */
function laidOut(spec: ChartSpec, x: number): { at: number; ticks: number[] } {
  const chart = new Chart(createCanvas(CHART_WIDTH, CHART_HEIGHT) as unknown as HTMLCanvasElement, chartConfig(spec));
  try {
    const axis = chart.scales.x;
    return { at: (axis.getPixelForValue(x) - axis.left) / (axis.right - axis.left), ticks: axis.ticks.map((t) => t.value) };
  } finally {
    chart.destroy();
  }
}

/** The x axis as configured: numeric, from min to max; and x's place on it. */
function configured(spec: ChartSpec, x: number): { type: unknown; at: number } {
  const scale = chartConfig(spec).options!.scales!.x as { type: string; min: number; max: number };
  return { type: scale.type, at: (x - scale.min) / (scale.max - scale.min) };
}

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a}, not ${b}`);

test('report charts: levels 1000, 5000, 10000 place 5000 at 4/9 of a linear axis, ticks at the levels', () => {
  const specs = chartSpecs(aggregate([stored('haproxy-lc', [1000, 5000, 10000])]));
  assert.deepEqual(
    specs.map((s) => s.file),
    ['rps.png', 'throughput.png', 'loss.png', 'latency.png'],
  );
  for (const spec of specs) {
    const c = configured(spec, 5000);
    assert.equal(c.type, 'linear', spec.file);
    close(c.at, 4 / 9, `${spec.file}, configured`);
    const l = laidOut(spec, 5000);
    close(l.at, 4 / 9, `${spec.file}, laid out`);
    assert.deepEqual(l.ticks, [1000, 5000, 10000], spec.file);
  }
});

test('the axis runs from the lowest level to the highest, not from a round number below it', () => {
  // chart.js alone would start this axis at 0 or 1000: 5000 is (5000 − 1500) / (12000 − 1500) = 1/3
  const [rps] = chartSpecs(aggregate([stored('odd', [1500, 5000, 12000])]));
  close(configured(rps, 5000).at, 1 / 3, 'configured');
  const l = laidOut(rps, 5000);
  close(l.at, 1 / 3, 'laid out');
  close(laidOut(rps, 1500).at, 0, 'the lowest level at the left end');
  assert.deepEqual(l.ticks, [1500, 5000, 12000]);
});

test('a thesis figure at a level not measured widens the axis but gets no tick', () => {
  const [rps] = chartSpecs(aggregate([stored('haproxy-lc', [1000, 2000], { reference: { rps: { 1000: 98.5, 10000: 2352.937 } } })]));
  const l = laidOut(rps, 2000);
  assert.deepEqual(l.ticks, [1000, 2000]);
  close(l.at, 1 / 9, '2000 between 1000 and the thesis marker at 10000');
});

test('compare.png: the same numeric axis, at the levels both runs measured', () => {
  const levels = [1000, 5000, 10000];
  const c = compareRuns(stored('haproxy-rr', levels), stored('nginx-rr', levels, { balancer: 'nginx' }), {
    alpha: 0.05,
    test: 'mann-whitney',
  });
  const spec = compareChartSpec(c, 'rps');
  assert.equal(configured(spec, 5000).type, 'linear');
  close(configured(spec, 5000).at, 4 / 9, 'configured');
  const l = laidOut(spec, 5000);
  close(l.at, 4 / 9, 'laid out');
  assert.deepEqual(l.ticks, levels);
});
