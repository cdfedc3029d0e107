/**
 * index.html: the whole report on one page (src/export/html.ts) that opens from disk, with no server and nothing
 * fetched from elsewhere: plain CSS inline, the charts by relative path beside it. The verdict
 * first. Pure.
 */
import type { ReportSection, ReportWarning } from '../kinds/kind.js';
import { htmlPage } from '../export/html.js';
import { escapeHtml as esc } from '../util/format.js';

/**
 * The warnings the page lists at its end: not the noisy figures (their own section lists each) nor
 * the generator-bound levels (the caveats under the verdict say them).
 */
export function shownWarnings(warnings: readonly ReportWarning[]): ReportWarning[] {
  return warnings.filter((w) => w.kind !== 'noisy' && w.kind !== 'generator-bound');
}

export function toHtml(sections: readonly ReportSection[], warnings: readonly ReportWarning[]): string {
  const body: string[] = ['<h1>lb-bench report</h1>', ...sections.flatMap((s) => s.html)];
  const shown = shownWarnings(warnings);
  body.push('<h2>Warnings</h2>');
  body.push(
    shown.length
      ? `<ul class="warn">${shown.map((w) => `<li>${esc(w.message)}${w.hint ? ` — ${esc(w.hint)}` : ''}</li>`).join('\n')}</ul>`
      : '<p>None.</p>',
  );
  return htmlPage('lb-bench report', body);
}
