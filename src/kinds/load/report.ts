/**
 * The load kind's part of the report: its verdict (verdict.ts, with ratio.png), the caveats
 * (caveats.ts), the runs, the charts (charts.ts), a table per metric (levels down, scenarios
 * across, "mean (interval)", the scenario's reference figures beside; hyperfine's
 * export/markup.rs) and the noise between repetitions. The tables are built once, as src/export's
 * Table; its md and html exporters spell them. Pure.
 */
import type { ChartSpec, KindReport, MetricDef } from '../kind.js';
import type { RunSample, LoadRun } from './sample.js';
import { html as htmlExporter } from '../../export/html.js';
import { md } from '../../export/md.js';
import { right, table, type Table } from '../../export/table.js';
import { escapeHtml as esc, fmt, mdText, valueInterval } from '../../util/format.js';
import { figureHtml, figureMarkdown, inlineHtml, MEAN_INTERVAL, RATIO_INTERVAL, verdictLines } from '../figure.js';
import { aggregate, NOISY_CV, type Aggregate } from './aggregate.js';
import { caveatLines, caveatsOf } from './caveats.js';
import { loadCharts, ratioChart } from './charts.js';
import { referenceOf } from './references.js';
import { loadVerdict } from './verdict.js';

export { referenceOf } from './references.js';

export interface MetricTable extends Table {
  metric: MetricDef<RunSample>;
  /** references not tied to a level ("max", "mean", a bare number), one line each */
  notes: string[];
}

export function metricTables(agg: Aggregate): MetricTable[] {
  const index = new Map(agg.rows.map((r) => [`${r.scenario}\0${r.level}\0${r.metric}`, r]));
  const tables: MetricTable[] = [];
  for (const metric of agg.metrics) {
    const refs = agg.scenarios.map((s) => referenceOf(s, metric.name));
    const measured = agg.rows.filter((r) => r.metric === metric.name && r.n > 0);
    if (!measured.length && !refs.some((r) => r.levels.size || r.other.length)) continue;
    const levels = [...new Set([...measured.map((r) => r.level), ...refs.flatMap((r) => [...r.levels.keys()])])].sort((a, b) => a - b);
    // the interval need not be symmetric (cut at 0; a ratio's bootstrap): "mean (low–high)"; a ratio only for the scenarios that have one
    const cell = valueInterval;
    const shown = (s: Aggregate['scenarios'][number], i: number) =>
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
    tables.push({ metric, ...table(header.map(right), rows), notes });
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
  const rows = agg.scenarios.map((s) => [s.id, s.label, s.title, s.profile ?? '–', s.status, `${s.samples} of ${s.planned}`]);
  return table(['run folder', 'scenario', 'title', 'profile', 'status', right('runs')], rows);
}

export const NOISE_TITLE = 'Noise between repetitions';
export const NOISE_INTRO = `Figures whose repetitions disagree: coefficient of variation (sd / mean) above ${NOISY_CV * 100} %. Read their means and intervals with care; add repetitions, or quiet the machine and the network. Request counts (loss, errors, timeouts, non2xx) are left out: a count that is mostly 0 varies a lot without the measurement being noisy.`;

/** Every noisy figure, one row each (scenario, metric, level); null when there is none. */
export function noiseTable(agg: Aggregate): Table | null {
  if (!agg.noisy.length) return null;
  const rows = agg.noisy.map((f) => [f.scenario, f.metric, String(f.level), String(f.n), fmt(f.mean), (f.cv * 100).toFixed(1)]);
  return table(['scenario', 'metric', ...['requests', 'n', 'mean', 'cv %'].map(right)], rows);
}

const TABLES_INTRO = `Cells are the mean and, in brackets, its ${MEAN_INTERVAL} over the repetitions; ratios to a reference (×) are the ratio of the means over the pairs of runs, with its ${RATIO_INTERVAL}; "thesis" columns are the scenario's \`reference\` figures.`;

function markdown(agg: Aggregate, charts: readonly ChartSpec[], sentences: readonly string[]): string[] {
  const parts = ['## Runs', '', md.table(runsTable(agg)), ''];
  parts.push('## Charts', '', ...sentences.flatMap((s) => [mdText(s), '']), ...charts.flatMap(figureMarkdown));
  parts.push('## Tables', '', TABLES_INTRO, '');
  for (const t of metricTables(agg)) {
    parts.push(`### ${t.metric.label} (${t.metric.unit})`, '', `\`${t.metric.name}\``, '', md.table(t), '');
    if (t.notes.length) parts.push(...t.notes.map((n) => `- ${mdText(n)}`), '');
  }
  const noise = noiseTable(agg);
  if (noise) parts.push(`## ${NOISE_TITLE}`, '', NOISE_INTRO, '', md.table(noise), '');
  return parts;
}

function html(agg: Aggregate, charts: readonly ChartSpec[], sentences: readonly string[]): string[] {
  const body: string[] = ['<h2>Runs</h2>', htmlExporter.table(runsTable(agg))];
  body.push('<h2>Charts</h2>', ...sentences.map((s) => `<p>${esc(s)}</p>`), ...charts.map(figureHtml));
  body.push('<h2>Tables</h2>', `<p>${inlineHtml(TABLES_INTRO)} All figures: <a href="summary.csv">summary.csv</a>.</p>`);
  for (const t of metricTables(agg)) {
    body.push(`<h3>${esc(t.metric.label)} (${esc(t.metric.unit)}) <code>${esc(t.metric.name)}</code></h3>`, htmlExporter.table(t));
    if (t.notes.length) body.push(`<ul>${t.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  }
  const noise = noiseTable(agg);
  if (noise) body.push(`<h2 id="noise">${esc(NOISE_TITLE)}</h2>`, `<p>${esc(NOISE_INTRO)}</p>`, htmlExporter.table(noise));
  return body;
}

/** The load runs' part of the report: aggregated once, every exporter given the same figures. */
export function loadReport(runs: readonly LoadRun[]): KindReport {
  const agg = aggregate(runs);
  const caveats = agg.scenarios.flatMap((s, i) => caveatsOf(s.label, runs[i]));
  const input = { agg, runs, caveats };
  const ratio = ratioChart(input);
  const { charts, sentences } = loadCharts(input);
  return {
    rows: agg.rows,
    charts: [...(ratio ? [ratio] : []), ...charts],
    section: { markdown: markdown(agg, charts, sentences), html: html(agg, charts, sentences) },
    verdict: verdictLines(loadVerdict(agg, runs)),
    verdictCharts: ratio ? [ratio] : [],
    caveats: caveatLines(caveats),
    warnings: agg.warnings,
  };
}
