/**
 * The conclusions as tables (src/export/table.ts) in the report's formats: a section for the head
 * of summary.md and index.html (the md and html exporters), conclusions.csv (the csv exporter) and
 * conclusions.json. Pure: rows in, text out.
 */
import { csv } from '../export/csv.js';
import { html } from '../export/html.js';
import { md } from '../export/md.js';
import { right, table, type Table } from '../export/table.js';
import type { ReportSection } from '../kinds/kind.js';
import { escapeHtml, mdText, pValue } from '../util/format.js';
import type { ConclusionRow } from './conclusions.js';

/** What the section says about how the table was made. */
export interface ConclusionContext {
  alpha: number;
  profile: string | null;
  /** the run folders behind the table, by scenario name */
  runs: { scenario: string; dir: string; runs: number; repetitions: string }[];
  /** things the reader must know: a scenario that was not run, raised repetitions, … */
  notes: string[];
}

/** yes / no / – : the thesis's ratio inside ours; only rows judged on a ratio have one. */
const inside = (r: ConclusionRow) => (r.ratio?.thesis_in_ci == null ? '–' : r.ratio.thesis_in_ci ? 'yes' : 'no');

/** The table of the report and of reproduce's stdout; the verdict in bold where the format can. */
export function conclusionsTable(rows: readonly ConclusionRow[]): Table {
  return table(
    [right('§5.1'), 'the thesis concludes', 'thesis', 'this machine', right('p'), 'thesis in CI', { name: 'verdict', strong: true }],
    rows.map((r) => [r.bullet, r.claim, r.thesis, r.measured, pValue(r.p), inside(r), r.verdict]),
  );
}

function preamble(ctx: ConclusionContext): string[] {
  const c = `${+((1 - ctx.alpha) * 100).toFixed(1)} %`;
  return [
    `Each conclusion of the thesis's section 5.1 beside what this machine measured (profile ${ctx.profile ?? 'none'}).`,
    `Req/s, throughput and backend CPU are judged on ratios, which travel between machines where absolute rates do not: the two scenarios ran together, their runs interleaved and paired by level and repetition, and each ratio has a ${c} bootstrap confidence interval over the repetitions ("this machine": the ratio (its interval)). "X serves more than Y" *holds* when the interval lies above 1 and *does not hold* when it lies below 1; "thesis in CI" says whether the thesis's own ratio lies inside the interval.`,
    `Lost requests compare the repetitions of two scenarios (never the requests) by Mann-Whitney U, two-sided, at alpha ${ctx.alpha}: *holds* — the difference goes the thesis's way with p < ${ctx.alpha}; *does not hold* — it goes the other way with p < ${ctx.alpha}, or the claim is refuted outright (a lost request, a failover that did not recover).`,
    `*not significant* — neither; *not measured* — the scenario did not run.`,
  ];
}

const methods = (rows: readonly ConclusionRow[]) => rows.map((r) => `\`${r.id}\`: ${r.method}`);
const runLines = (ctx: ConclusionContext) => ctx.runs.map((r) => `${r.scenario}: ${r.dir} (${r.runs} runs, ${r.repetitions})`);

/** `heading`: `#` for a document of its own (reproduce's stdout), `##` as a section of the report, after its verdict. */
function markdownLines(rows: readonly ConclusionRow[], ctx: ConclusionContext, heading = '#'): string[] {
  const parts = [`${heading} Conclusions of the thesis, reproduced`, '', ...preamble(ctx), '', md.table(conclusionsTable(rows)), ''];
  parts.push('How each row was measured:', '', ...methods(rows).map((m) => `- ${m}`), '');
  if (ctx.notes.length) parts.push('Notes:', '', ...ctx.notes.map((n) => `- ${mdText(n)}`), '');
  parts.push('Runs:', '', ...runLines(ctx).map((l) => `- ${mdText(l)}`), '');
  return parts;
}

export function conclusionsMarkdown(rows: readonly ConclusionRow[], ctx: ConclusionContext): string {
  return markdownLines(rows, ctx).join('\n');
}

/** *x* of the preamble → <em>x</em>, after escaping */
const inline = (s: string) =>
  escapeHtml(s)
    .replace(/\*([^*]+)\*/g, '<em>$1</em>')
    .replace(/`([^`]+)`/g, '<code>$1</code>');

export function conclusionsHtml(rows: readonly ConclusionRow[], ctx: ConclusionContext): string {
  const list = (items: string[]) => `<ul>${items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`;
  return [
    '<h2 id="conclusions">Conclusions of the thesis, reproduced</h2>',
    `<p>${preamble(ctx).map(inline).join(' ')}</p>`,
    html.table(conclusionsTable(rows)),
    '<p>How each row was measured:</p>',
    list(methods(rows)),
    ...(ctx.notes.length ? ['<p>Notes:</p>', list(ctx.notes)] : []),
    '<p>Runs:</p>',
    list(runLines(ctx)),
  ].join('\n');
}

/** conclusions.csv's columns (docs/reports.md). */
export const CSV_COLUMNS = [
  'id',
  'bullet',
  'claim',
  'thesis',
  'measured',
  'unit',
  'thesis_values',
  'measured_values',
  'method',
  'p',
  'alpha',
  'ratio',
  'ratio_low',
  'ratio_high',
  'thesis_ratio',
  'thesis_in_ci',
  'verdict',
] as const;

/** One row per conclusion, its figures at full precision; lists `;`-separated. */
export function conclusionsData(rows: readonly ConclusionRow[], alpha: number): Table {
  const list = (xs: readonly (number | null)[]) => xs.map((x) => (x === null ? '' : String(x))).join(';');
  return table(
    [...CSV_COLUMNS],
    rows.map((r) => [
      r.id,
      r.bullet,
      r.claim,
      r.thesis,
      r.measured,
      r.unit,
      list(r.thesis_values),
      list(r.measured_values),
      r.method,
      r.p,
      alpha,
      r.ratio?.value ?? null,
      r.ratio?.low ?? null,
      r.ratio?.high ?? null,
      r.ratio ? (typeof r.ratio.thesis === 'number' ? r.ratio.thesis : r.ratio.thesis.join(';')) : null,
      r.ratio?.thesis_in_ci ?? null,
      r.verdict,
    ]),
  );
}

export const conclusionsCsv = (rows: readonly ConclusionRow[], alpha: number): string => csv.table(conclusionsData(rows, alpha));

export function conclusionsJson(rows: readonly ConclusionRow[], ctx: ConclusionContext): string {
  return JSON.stringify({ alpha: ctx.alpha, profile: ctx.profile, conclusions: rows, runs: ctx.runs, notes: ctx.notes }, null, 2) + '\n';
}

/** The conclusions as a section of the report, right after its verdict and what to read with care. */
export function conclusionsSection(rows: readonly ConclusionRow[], ctx: ConclusionContext): ReportSection {
  return { markdown: markdownLines(rows, ctx, '##'), html: [conclusionsHtml(rows, ctx)] };
}
