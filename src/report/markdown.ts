/** summary.md: the report as readable tables. Pure: sections in, text out. */
import type { ReportSection, ReportWarning } from '../kinds/kind.js';
import { mdText } from '../util/format.js';

/** `lead`: sections above the report's own title (reproduce's conclusions), each a document of its own. */
export function toMarkdown(
  sections: readonly ReportSection[],
  warnings: readonly ReportWarning[],
  lead: readonly ReportSection[] = [],
): string {
  const parts = [...lead.flatMap((s) => s.markdown), '# lb-bench report', '', ...sections.flatMap((s) => s.markdown)];
  // the noisy figures are listed in their section, each; the warnings that say so per scenario are for the terminal
  const shown = warnings.filter((w) => w.kind !== 'noisy');
  parts.push('## Warnings', '');
  if (!shown.length) parts.push('None.', '');
  else parts.push(...shown.map((w) => `- ${mdText(w.message)}${w.hint ? ` — ${mdText(w.hint)}` : ''}`), '');
  return parts.join('\n');
}
