/**
 * The failover kind's part of a report: one table (per scenario and probe type: downtime mean ±
 * CI, min, max, failback, availability, the thesis's figure) and downtime.png (each repetition and
 * the mean, per probe type). Pure: runs in, a section and a chart spec out.
 */
import type { ChartSeries, ChartSpec, KindReport } from '../kind.js';
import { escapeHtml as esc, fmt, htmlTable, markdownTable, meanCi, type Table } from '../../util/format.js';
import { aggregateFailover, type FailoverAggregate } from './aggregate.js';
import type { FailoverRun } from '../../failover/stored.js';

export function failoverTable(fo: FailoverAggregate): Table {
  const header = [
    'scenario',
    'fault',
    'probe',
    'n',
    'downtime ms',
    'min',
    'max',
    'failback ms',
    'availability %',
    'min availability %',
    'thesis ms',
  ];
  const index = new Map(fo.rows.map((r) => [`${r.scenario}\0${r.metric}`, r]));
  const rows = fo.scenarios.flatMap((s) =>
    s.series.map(({ probe }) => {
      const d = index.get(`${s.label}\0downtime_ms.${probe}`);
      const a = index.get(`${s.label}\0availability.${probe}`);
      return [
        s.label,
        s.fault,
        probe,
        String(d?.n ?? 0),
        meanCi(d, ''),
        fmt(d?.min ?? null),
        fmt(d?.max ?? null),
        meanCi(index.get(`${s.label}\0failback_downtime_ms.${probe}`), ''),
        a?.mean == null ? '' : a.mean.toFixed(3),
        a?.min == null ? '' : a.min.toFixed(3),
        s.reference === null ? '' : String(s.reference),
      ];
    }),
  );
  return { header, rows, numeric: header.map((_, i) => i >= 3) };
}

/** x: repetition; a line of points per scenario and probe type, its mean dashed, the thesis's mean dotted. */
export function downtimeChart(fo: FailoverAggregate): ChartSpec | null {
  if (!fo.scenarios.length) return null;
  const series: ChartSeries[] = [];
  let color = 0;
  for (const s of fo.scenarios) {
    for (const { probe, downtime } of s.series) {
      const points = downtime.filter((d) => d.value !== null).map((d) => ({ x: d.repetition, y: d.value!, low: null, high: null }));
      if (!points.length) continue;
      const mean = points.reduce((n, p) => n + p.y, 0) / points.length;
      const xs = [points[0]!.x, points.at(-1)!.x];
      series.push({ label: `${s.label} ${probe}`, points, color });
      series.push({
        label: `${s.label} ${probe} mean ${mean.toFixed(1)} ms`,
        points: xs.map((x) => ({ x, y: mean, low: null, high: null })),
        color,
        dashed: true,
      });
      color++;
    }
    if (s.reference !== null) {
      const reps = s.series.flatMap((x) => x.downtime.map((d) => d.repetition));
      const xs = [Math.min(...reps, 1), Math.max(...reps, 1)];
      series.push({
        label: `${s.label} thesis mean ${s.reference} ms`,
        points: xs.map((x) => ({ x, y: s.reference!, low: null, high: null })),
        color: 7,
        dash: 2,
      });
    }
  }
  return { file: 'downtime.png', title: 'Failover downtime per repetition', yLabel: 'downtime (ms)', xLabel: 'repetition', series };
}

const TITLE = 'Failover';
const INTRO =
  "Downtime: last successful probe before the outage to the first after it, per probe type; mean ± the half-width of its 95 % CI over the repetitions. Availability: uptime / (uptime + downtime) × 100 over each repetition's probe window (thesis eq. 2.1).";

export function failoverReport(runs: readonly FailoverRun[]): KindReport {
  const fo = aggregateFailover(runs);
  const table = failoverTable(fo);
  const chart = downtimeChart(fo);
  const figure = chart ? [`<figure><img src="${encodeURI(chart.file)}" alt="${esc(chart.title)}"></figure>`] : [];
  return {
    rows: fo.rows,
    charts: chart ? [chart] : [],
    section: {
      markdown: [`## ${TITLE}`, '', INTRO, '', markdownTable(table), ''],
      html: [`<h2>${esc(TITLE)}</h2>`, `<p>${esc(INTRO)}</p>`, ...figure, htmlTable(table)],
    },
    warnings: fo.warnings,
  };
}
