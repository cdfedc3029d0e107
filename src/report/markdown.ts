/** summary.md: the report as readable tables, the verdict first. Pure: sections in, text out. */
import type { ReportSection, ReportWarning } from '../kinds/kind.js';
import { mdText } from '../util/format.js';
import { shownWarnings } from './html.js';

export function toMarkdown(sections: readonly ReportSection[], warnings: readonly ReportWarning[]): string {
  const parts = ['# lb-bench report', '', ...sections.flatMap((s) => s.markdown)];
  const shown = shownWarnings(warnings);
  parts.push('## Warnings', '');
  if (!shown.length) parts.push('None.', '');
  else parts.push(...shown.map((w) => `- ${mdText(w.message)}${w.hint ? ` — ${mdText(w.hint)}` : ''}`), '');
  return parts.join('\n');
}
