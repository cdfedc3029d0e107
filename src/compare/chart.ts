/**
 * compare.png: both sides' means with 95 % CI bars per level, for one metric, drawn by the
 * report's own chart code (same layout, fonts and error bars). compareChartSpec is pure.
 */
import type { ChartSpec } from '../kinds/kind.js';
import type { Comparison } from './compare.js';

export const DEFAULT_CHART_METRIC = 'rps';

/** The metric to draw: the one asked for, if the comparison shows it, else its first. */
export function chartMetric(c: Comparison, wanted: string = DEFAULT_CHART_METRIC): string | null {
  return (c.metrics.find((m) => m.name === wanted) ?? c.metrics.find((m) => m.name.startsWith(wanted + '.')) ?? c.metrics[0])?.name ?? null;
}

export function compareChartSpec(c: Comparison, metricName: string, file = 'compare.png'): ChartSpec {
  const metric = c.metrics.find((m) => m.name === metricName)!;
  const rows = c.rows.filter((r) => r.metric === metricName);
  const side = (pick: 'a' | 'b') =>
    rows.filter((r) => r[pick].mean !== null).map((r) => ({ x: r.level, y: r[pick].mean!, low: r[pick].ci_low, high: r[pick].ci_high }));
  return {
    file,
    title: `${metric.label}: ${c.a.label} vs ${c.b.label} (bars: 95 % CI)`,
    yLabel: `${metric.label.toLowerCase()} (${metric.unit})`,
    series: [
      { label: c.a.label, points: side('a'), color: 0 },
      { label: c.b.label, points: side('b'), color: 1 },
    ],
  };
}
