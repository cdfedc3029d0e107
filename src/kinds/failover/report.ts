/**
 * The failover kind's part of a report: its verdict (downtime with its interval against the
 * thesis's mean), one table (per scenario and probe type: downtime mean (interval), min, max,
 * failback, availability, the thesis's figure) and downtime.png (each repetition and the mean, per
 * probe type). Pure: runs in, a section and a chart spec out.
 */
import type { ChartSeries, ChartSpec, KindReport } from '../kind.js';
import { html } from '../../export/html.js';
import { md } from '../../export/md.js';
import { right, table, type Table } from '../../export/table.js';
import { escapeHtml as esc, fmt, valueInterval } from '../../util/format.js';
import { caption, figureHtml, figureMarkdown, MEAN_INTERVAL, nPerPoint, verdictLines } from '../figure.js';
import { aggregateFailover, type FailoverAggregate } from './aggregate.js';
import type { FailoverRun } from './sample.js';

export function failoverTable(fo: FailoverAggregate): Table {
  const header = [
    'scenario',
    'fault',
    'probe',
    ...['n', 'downtime ms', 'min', 'max', 'failback ms', 'availability %', 'min availability %', 'thesis ms'].map(right),
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
        valueInterval(d, ''),
        fmt(d?.min ?? null),
        fmt(d?.max ?? null),
        valueInterval(index.get(`${s.label}\0failback_downtime_ms.${probe}`), ''),
        a?.mean == null ? '' : a.mean.toFixed(3),
        a?.min == null ? '' : a.min.toFixed(3),
        s.reference === null ? '' : String(s.reference),
      ];
    }),
  );
  return table(header, rows);
}

const probeTicks = (fo: FailoverAggregate) => [...new Set(fo.scenarios.flatMap((s) => s.series.map((x) => x.probe)))];

/** downtime.png: x = the probe type; per scenario every repetition's downtime, the mean with its interval, the thesis's mean as a line. */
export function downtimeChart(fo: FailoverAggregate, runs: readonly FailoverRun[]): ChartSpec | null {
  const probes = probeTicks(fo);
  if (!probes.length) return null;
  const x = (p: string) => (probes as string[]).indexOf(p) + 1;
  const index = new Map(fo.rows.map((r) => [`${r.scenario}\0${r.metric}`, r]));
  const series: ChartSeries[] = [];
  const ns: number[] = [];
  for (const s of fo.scenarios) {
    const means = s.series.flatMap(({ probe }) => {
      const d = index.get(`${s.label}\0downtime_ms.${probe}`);
      if (!d || d.mean === null) return [];
      ns.push(d.n);
      return [{ x: x(probe), y: d.mean, low: d.ci_low, high: d.ci_high }];
    });
    if (!means.length) continue;
    series.push({ label: `${s.label} (${s.fault})`, scenario: s.label, points: means });
    series.push({
      label: `${s.label} repetitions`,
      scenario: s.label,
      kind: 'repetitions',
      points: s.series.flatMap(({ probe, downtime }) =>
        downtime.filter((d) => d.value !== null).map((d) => ({ x: x(probe), y: d.value!, low: null, high: null })),
      ),
    });
    if (s.reference !== null)
      series.push({
        label: `${s.label}: the thesis's mean, ${s.reference} ms`,
        scenario: s.label,
        kind: 'level',
        points: [0.6, probes.length + 0.4].map((px) => ({ x: px, y: s.reference!, low: null, high: null })),
      });
  }
  if (!series.length) return null;
  return {
    file: 'downtime.png',
    title: 'Failover downtime',
    yLabel: 'downtime (ms)',
    xLabel: 'probe',
    xTicks: probes.map((p, i) => ({ value: i + 1, label: p })),
    lines: false,
    panels: [{ title: '', series }],
    what: 'From the last probe answered before the fault to the first answered after it, per probe type; a dot per repetition beside the mean.',
    caption: caption(
      nPerPoint(ns),
      MEAN_INTERVAL,
      runs.map((r) => r.manifest),
    ),
  };
}

const TITLE = 'Failover';
const INTRO =
  "Downtime: last successful probe before the outage to the first after it, per probe type; its mean and, in brackets, the 95 % interval of the mean (Student's t, cut at 0) over the repetitions. Availability: uptime / (uptime + downtime) × 100 over each repetition's probe window (thesis eq. 2.1).";

/** the thesis's figure against ours: "3.2× longer", or within 5 % "about the same" */
const times = (a: number, b: number) =>
  Math.abs(a / b - 1) < 0.05 ? 'about the same' : a > b ? `${(a / b).toFixed(1)}× longer` : `${(b / a).toFixed(1)}× shorter`;

/** The verdict's lines: per scenario and probe type, the downtime with its interval against the thesis's mean; its threshold. */
export function failoverVerdict(fo: FailoverAggregate, runs: readonly FailoverRun[]): string[] {
  const index = new Map(fo.rows.map((r) => [`${r.scenario}\0${r.metric}`, r]));
  return fo.scenarios.flatMap((s, i) => {
    const lines = s.series.flatMap(({ probe }) => {
      const d = index.get(`${s.label}\0downtime_ms.${probe}`);
      if (!d || d.mean === null) return [`${s.label} (${s.fault}), ${probe} probes: no repetition recovered`];
      const ci = d.ci_low !== null && d.ci_high !== null ? ` (95 % CI ${fmt(d.ci_low, d.mean)}–${fmt(d.ci_high, d.mean)})` : '';
      let line = `${s.label} (${s.fault}), ${probe} probes: downtime **${fmt(d.mean)} ms**${ci}, n = ${d.n}`;
      if (s.reference !== null) {
        const inside = d.ci_low !== null && d.ci_high !== null && d.ci_low <= s.reference && s.reference <= d.ci_high;
        line += `; the thesis's mean, ${s.reference} ms, is ${times(s.reference, d.mean)}${d.ci_low !== null ? (inside ? ', inside this interval' : ', outside this interval') : ''}`;
      }
      return [line];
    });
    const limit = (runs[i].manifest.scenario as { thresholds?: { downtime_ms?: number } }).thresholds?.downtime_ms;
    if (limit !== undefined) {
      const over = runs[i].samples.filter((x) => !x.recovered || Object.values(x.downtime_ms).some((v) => v !== null && v! > limit)).length;
      lines.push(
        over
          ? `${s.label}: \`downtime_ms ≤ ${limit}\` **broken** in ${over} of ${s.samples} repetitions`
          : `${s.label}: \`downtime_ms ≤ ${limit}\` **held** over ${s.samples} repetitions`,
      );
    }
    return lines;
  });
}

function failoverCaveats(fo: FailoverAggregate): string[] {
  return fo.scenarios.flatMap((s) => [
    ...(s.notRecovered
      ? [
          `${s.label}: ${s.notRecovered} of ${s.samples} repetitions did not fail over within the bound; their downtime is left out of the mean`,
        ]
      : []),
    ...(s.samples < 5 ? [`${s.label}: ${s.samples} repetitions only — its interval is wide; the thesis had 25`] : []),
  ]);
}

export function failoverReport(runs: readonly FailoverRun[]): KindReport {
  const fo = aggregateFailover(runs);
  const figures = failoverTable(fo);
  const chart = downtimeChart(fo, runs);
  const verdict = failoverVerdict(fo, runs);
  return {
    rows: fo.rows,
    charts: chart ? [chart] : [],
    section: {
      markdown: [`## ${TITLE}`, '', INTRO, '', ...(chart ? figureMarkdown(chart) : []), md.table(figures), ''],
      html: [`<h2>${esc(TITLE)}</h2>`, `<p>${esc(INTRO)}</p>`, ...(chart ? [figureHtml(chart)] : []), html.table(figures)],
    },
    verdict: verdictLines(verdict),
    verdictCharts: [],
    caveats: failoverCaveats(fo),
    warnings: fo.warnings,
  };
}
