/**
 * The load kind's part of the report: the runs, the charts in the thesis's figure layout, a table
 * per metric (levels down, scenarios across, "mean ± CI half-width", the scenario's reference
 * figures beside; hyperfine's export/markup.rs) and the noise between repetitions. The tables are
 * built once; Markdown and HTML only decide how they are spelled. Pure.
 */
import type { ChartPoint, ChartSeries, ChartSpec, KindReport, MetricDef, ReportSection } from '../kind.js';
import type { RunSample } from '../../results/types.js';
import { escapeHtml as esc, fmt, htmlTable, markdownTable, mdText, meanCi, valueInterval, type Table } from '../../util/format.js';
import { aggregate, NOISY_CV, type Aggregate, type ScenarioSummary } from './aggregate.js';
import type { LoadRun } from '../../run/stored.js';

export interface MetricTable extends Table {
  metric: MetricDef<RunSample>;
  /** references not tied to a level ("max", "mean", a bare number), one line each */
  notes: string[];
}

/** Reference keys as people write them → metric names of the registry. */
const REFERENCE_ALIASES: Record<string, string> = {
  throughput: 'throughput_mbps',
  latency_p99: 'latency_ms.p99',
  latency_p50: 'latency_ms.p50',
};

/** The scenario's reference for one metric: figures per level, and the others (max, mean) by key. */
export function referenceOf(s: ScenarioSummary, metric: string): { levels: Map<number, number>; other: [string, number][] } {
  const levels = new Map<number, number>();
  const other: [string, number][] = [];
  for (const [key, value] of Object.entries(s.reference)) {
    if ((REFERENCE_ALIASES[key] ?? key) !== metric) continue;
    if (typeof value === 'number') other.push(['', value]);
    else
      for (const [k, v] of Object.entries(value)) {
        if (/^\d+$/.test(k)) levels.set(Number(k), v);
        else other.push([k, v]);
      }
  }
  return { levels, other };
}

export function metricTables(agg: Aggregate): MetricTable[] {
  const index = new Map(agg.rows.map((r) => [`${r.scenario}\0${r.level}\0${r.metric}`, r]));
  const tables: MetricTable[] = [];
  for (const metric of agg.metrics) {
    const refs = agg.scenarios.map((s) => referenceOf(s, metric.name));
    const measured = agg.rows.filter((r) => r.metric === metric.name && r.n > 0);
    if (!measured.length && !refs.some((r) => r.levels.size || r.other.length)) continue;
    const levels = [...new Set([...measured.map((r) => r.level), ...refs.flatMap((r) => [...r.levels.keys()])])].sort((a, b) => a - b);
    // a ratio to a reference: its interval need not be symmetric; only the scenarios that have one
    const cell = metric.describe ? valueInterval : meanCi;
    const shown = (s: ScenarioSummary, i: number) =>
      !metric.describe || measured.some((r) => r.scenario === s.label) || refs[i].levels.size > 0;
    const header = ['requests'];
    agg.scenarios.forEach((s, i) => shown(s, i) && header.push(s.label, ...(refs[i].levels.size ? [`${s.label} thesis`] : [])));
    const rows = levels.map((level) => {
      const line = [String(level)];
      agg.scenarios.forEach((s, i) => {
        if (!shown(s, i)) return;
        line.push(cell(index.get(`${s.label}\0${level}\0${metric.name}`), ''));
        if (refs[i].levels.size) line.push(refs[i].levels.has(level) ? String(refs[i].levels.get(level)) : '');
      });
      return line;
    });
    const notes = agg.scenarios.flatMap((s, i) =>
      refs[i].other.map(([k, v]) => `thesis, ${s.label}: ${k ? `${k} ` : ''}${v} ${metric.unit}`),
    );
    if (metric.describe) notes.push(...ratioNotes(agg, metric.name));
    tables.push({ metric, header, rows, numeric: header.map(() => true), notes });
  }
  return tables;
}

/** Which reference each scenario's ratios are to (its manifest's relative_to). */
function ratioNotes(agg: Aggregate, metric: string): string[] {
  return agg.scenarios
    .filter((s) => s.relativeTo && agg.rows.some((r) => r.scenario === s.label && r.metric === metric && r.n > 0))
    .map((s) => `${s.label}: ÷ ${s.relativeTo!.scenario} (run ${s.relativeTo!.run}), run by run, paired by level and repetition`);
}

/** The runs a report is made of. */
export function runsTable(agg: Aggregate): Table {
  const header = ['run folder', 'scenario', 'title', 'profile', 'status', 'runs'];
  const rows = agg.scenarios.map((s) => [s.id, s.label, s.title, s.profile ?? '–', s.status, `${s.samples} of ${s.planned}`]);
  return { header, rows, numeric: [false, false, false, false, false, true] };
}

export const NOISE_TITLE = 'Noise between repetitions';
export const NOISE_INTRO = `Figures whose repetitions disagree: coefficient of variation (sd / mean) above ${NOISY_CV * 100} %. Read their means and intervals with care; add repetitions, or quiet the machine and the network. Request counts (loss, errors, timeouts, non2xx) are left out: a count that is mostly 0 varies a lot without the measurement being noisy.`;

/** Every noisy figure, one row each (scenario, metric, level); null when there is none. */
export function noiseTable(agg: Aggregate): Table | null {
  if (!agg.noisy.length) return null;
  const header = ['scenario', 'metric', 'requests', 'n', 'mean', 'cv %'];
  const rows = agg.noisy.map((f) => [f.scenario, f.metric, String(f.level), String(f.n), fmt(f.mean), (f.cv * 100).toFixed(1)]);
  return { header, rows, numeric: [false, false, true, true, true, true] };
}

/** Which metric goes in which chart; a chart with several metrics gets one line per scenario and metric. */
const CHARTS: { file: string; title: string; yLabel: string; metrics: { name: string; suffix: string }[] }[] = [
  { file: 'rps.png', title: 'Requests per second', yLabel: 'requests per second (req/s)', metrics: [{ name: 'rps', suffix: '' }] },
  { file: 'throughput.png', title: 'Throughput', yLabel: 'throughput (MB/s)', metrics: [{ name: 'throughput_mbps', suffix: '' }] },
  { file: 'loss.png', title: 'Request loss', yLabel: 'requests lost per run', metrics: [{ name: 'loss', suffix: '' }] },
  {
    file: 'latency.png',
    title: 'Latency (p50 solid, p99 dashed)',
    yLabel: 'latency (ms)',
    metrics: [
      { name: 'latency_ms.p50', suffix: ' p50' },
      { name: 'latency_ms.p99', suffix: ' p99' },
    ],
  },
];

const points = (rows: Aggregate['rows']): ChartPoint[] =>
  rows.filter((r) => r.mean !== null).map((r) => ({ x: r.level, y: r.mean!, low: r.ci_low, high: r.ci_high }));

/** The charts, laid out as the thesis's figures 4.1–4.6: x = simultaneous requests (the level), one line per scenario. */
export function chartSpecs(agg: Aggregate): ChartSpec[] {
  const rowsOf = (label: string, metric: string) => agg.rows.filter((r) => r.scenario === label && r.metric === metric);
  const specs: ChartSpec[] = CHARTS.map((c) => {
    const series: ChartSeries[] = [];
    agg.scenarios.forEach((s, i) => {
      c.metrics.forEach((m, j) =>
        series.push({ label: s.label + m.suffix, points: points(rowsOf(s.label, m.name)), color: i, dashed: j > 0 }),
      );
      for (const m of c.metrics) {
        const ref = referenceOf(s, m.name).levels;
        if (ref.size)
          series.push({
            label: `${s.label}${m.suffix} (thesis)`,
            points: [...ref].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y, low: null, high: null })),
            color: i,
            reference: true,
          });
      }
    });
    return { file: c.file, title: c.title, yLabel: c.yLabel, series };
  });
  // Figure 4.3: CPU of every backend, one line per backend and scenario
  // (several backends of one scenario share its hue; the dash pattern tells them apart)
  const cpu: ChartSeries[] = agg.scenarios.flatMap((s, i) =>
    s.metrics
      .filter((m) => /^cpu\..+\.mean$/.test(m.name))
      .map((m, k) => ({ label: `${s.label} ${m.name.split('.')[1]}`, points: points(rowsOf(s.label, m.name)), color: i, dash: k })),
  );
  if (cpu.some((c) => c.points.length)) {
    specs.push({ file: 'cpu.png', title: 'Backend CPU utilisation', yLabel: 'CPU busy (% of its share)', series: cpu });
  }
  return specs;
}

function markdown(agg: Aggregate): string[] {
  const parts = ['## Runs', '', markdownTable(runsTable(agg)), ''];
  parts.push(
    'Cells are the mean ± the half-width of its 95 % confidence interval (Student t) over the repetitions;',
    'ratios to a reference (×) are the ratio of the means over the pairs of runs, with its 95 % bootstrap interval in brackets;',
    '"thesis" columns are the scenario\'s `reference` figures.',
    '',
  );
  for (const t of metricTables(agg)) {
    parts.push(`## ${t.metric.label} (${t.metric.unit})`, '', `\`${t.metric.name}\``, '', markdownTable(t), '');
    if (t.notes.length) parts.push(...t.notes.map((n) => `- ${mdText(n)}`), '');
  }
  const noise = noiseTable(agg);
  if (noise) parts.push(`## ${NOISE_TITLE}`, '', NOISE_INTRO, '', markdownTable(noise), '');
  return parts;
}

function html(agg: Aggregate, charts: readonly ChartSpec[]): string[] {
  const body: string[] = ['<h2>Runs</h2>', htmlTable(runsTable(agg))];
  body.push('<h2>Charts</h2>', ...charts.map((c) => `<figure><img src="${encodeURI(c.file)}" alt="${esc(c.title)}"></figure>`));
  body.push(
    '<h2>Tables</h2>',
    '<p>Cells are the mean ± the half-width of its 95 % confidence interval (Student t) over the repetitions; ratios to a reference (×) are the ratio of the means over the pairs of runs, with its 95 % bootstrap interval in brackets; "thesis" columns are the scenario\'s <code>reference</code> figures. All figures: <a href="summary.csv">summary.csv</a>.</p>',
  );
  for (const t of metricTables(agg)) {
    body.push(`<h3>${esc(t.metric.label)} (${esc(t.metric.unit)}) <code>${esc(t.metric.name)}</code></h3>`, htmlTable(t));
    if (t.notes.length) body.push(`<ul>${t.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  }
  const noise = noiseTable(agg);
  if (noise) body.push(`<h2 id="noise">${esc(NOISE_TITLE)}</h2>`, `<p>${esc(NOISE_INTRO)}</p>`, htmlTable(noise));
  return body;
}

/** The load runs' part of the report: aggregated once, every exporter given the same figures. */
export function loadReport(runs: readonly LoadRun[]): KindReport {
  const agg = aggregate(runs);
  const charts = chartSpecs(agg);
  const section: ReportSection = { markdown: markdown(agg), html: html(agg, charts) };
  return { rows: agg.rows, charts, section, warnings: agg.warnings };
}
