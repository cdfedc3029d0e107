/**
 * compare.png: both sides' means with their interval bars per level, for one metric, drawn by the
 * report's own chart code, each side in its scenario's colour and marker (style.ts): two
 * scenarios look as they do in the report; a scenario compared with itself (baseline and current)
 * keeps its colour, the second side dashed and hollow. compareChartSpec is pure.
 */
import type { ChartPoint, ChartSpec } from '../kinds/kind.js';
import type { Comparison, ComparisonRow } from './compare.js';
import { nPerPoint } from '../kinds/figure.js';
import { VERSION } from '../version.js';

export const DEFAULT_CHART_METRIC = 'rps';

/** The metric to draw: the one asked for, if the comparison shows it, else its first. */
export function chartMetric(c: Comparison, wanted: string = DEFAULT_CHART_METRIC): string | null {
  return (c.metrics.find((m) => m.name === wanted) ?? c.metrics.find((m) => m.name.startsWith(wanted + '.')) ?? c.metrics[0])?.name ?? null;
}

/** "20261126" of a run id "20261126-091621-single", as a date. */
const dayOf = (id: string) => /^(\d{4})(\d{2})(\d{2})-/.exec(id)?.slice(1).join('-') ?? id;

export function compareChartSpec(c: Comparison, metricName: string, file = 'compare.png'): ChartSpec {
  const metric = c.metrics.find((m) => m.name === metricName)!;
  const rows = c.rows.filter((r) => r.metric === metricName);
  // every metric lb-bench compares is ≥ 0: an interval is cut at 0 as the report cuts it
  const cut = (v: number | null) => (v === null ? null : Math.max(0, v));
  const side = (pick: 'a' | 'b'): ChartPoint[] =>
    rows
      .filter((r) => r[pick].mean !== null)
      .map((r) => ({ x: r.level, y: r[pick].mean!, low: cut(r[pick].ci_low), high: cut(r[pick].ci_high) }));
  const same = c.a.scenario === c.b.scenario;
  const ratio = metric.unit === '×';
  const ns = (pick: 'a' | 'b') => rows.map((r: ComparisonRow) => r[pick].n);
  const machines = c.machines.same
    ? `machine ${c.machines.a}`
    : `machines ${c.machines.a} (${c.a.label}) and ${c.machines.b} (${c.b.label}): absolute figures not comparable`;
  return {
    file,
    title: `${metric.label}: ${c.a.label} vs ${c.b.label}`,
    yLabel: `${metric.label.toLowerCase()} (${metric.unit})`,
    panels: [
      {
        title: '',
        series: [
          { label: c.a.label, scenario: c.a.scenario, points: side('a') },
          { label: c.b.label, scenario: c.b.scenario, points: side('b'), second: same },
        ],
      },
    ],
    what: `Each side's mean per level${same ? `; ${c.b.label} dashed and hollow` : ''}.`,
    caption: [
      `${c.a.label}: ${nPerPoint(ns('a'))}, ${c.b.label}: ${nPerPoint(ns('b'))}`,
      ratio
        ? '95 % interval: percentile bootstrap of the pairs (expanded, Hesterberg 2015)'
        : "95 % interval of the mean: Student's t, cut at 0",
      machines,
      `runs ${c.a.id} and ${c.b.id} of ${[...new Set([dayOf(c.a.id), dayOf(c.b.id)])].join(' and ')}`,
      `drawn by lb-bench ${VERSION}`,
    ].join(' · '),
  };
}
