/** summary.md: the report as readable tables. Pure: aggregate in, text out. */
import type { Aggregate } from '../stats/aggregate.js';
import { markdownTable, mdText, type Table } from '../util/format.js';
import { metricTables, NOISE_INTRO, NOISE_TITLE, noiseTable, runsTable } from './tables.js';

/** Sections after the load tables (failover), each a title, a table and notes. */
export interface ExtraSection {
  title: string;
  intro?: string;
  table: Table;
}

export function toMarkdown(agg: Aggregate, extra: readonly ExtraSection[] = []): string {
  const parts = ['# lb-bench report', '', '## Runs', '', markdownTable(runsTable(agg)), ''];
  parts.push('Cells are the mean ± the half-width of its 95 % confidence interval (Student t) over the repetitions;', '"thesis" columns are the scenario\'s `reference` figures.', '');
  for (const t of metricTables(agg)) {
    parts.push(`## ${t.metric.label} (${t.metric.unit})`, '', `\`${t.metric.name}\``, '', markdownTable(t), '');
    if (t.notes.length) parts.push(...t.notes.map((n) => `- ${mdText(n)}`), '');
  }
  for (const x of extra) parts.push(`## ${x.title}`, '', ...(x.intro ? [x.intro, ''] : []), markdownTable(x.table), '');
  const noise = noiseTable(agg);
  if (noise) parts.push(`## ${NOISE_TITLE}`, '', NOISE_INTRO, '', markdownTable(noise), '');
  // the noisy figures are listed above, each; the warnings that say so per scenario are for the terminal
  const warnings = agg.warnings.filter((w) => w.kind !== 'noisy');
  parts.push('## Warnings', '');
  if (!warnings.length) parts.push('None.', '');
  else parts.push(...warnings.map((w) => `- ${mdText(w.message)}${w.hint ? ` — ${mdText(w.hint)}` : ''}`), '');
  return parts.join('\n');
}
