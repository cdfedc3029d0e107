/**
 * index.html: the whole report on one page that opens from disk, with no server and nothing
 * fetched from elsewhere: plain CSS inline, the charts by relative path beside it. Pure.
 */
import type { ReportSection, ReportWarning } from '../kinds/kind.js';
import { escapeHtml as esc } from '../util/format.js';

const CSS = `body{font-family:system-ui,sans-serif;max-width:1040px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:.25em .6em}
th{background:#f3f3f3}.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;border:1px solid #ddd}code{background:#f3f3f3;padding:0 .2em}
.warn li{color:#8a5300}figure{margin:1em 0}`;

/** `lead`: sections right under the page's title (reproduce's conclusions). */
export function toHtml(
  sections: readonly ReportSection[],
  warnings: readonly ReportWarning[],
  lead: readonly ReportSection[] = [],
): string {
  const body: string[] = ['<h1>lb-bench report</h1>', ...lead.flatMap((s) => s.html), ...sections.flatMap((s) => s.html)];
  // the noisy figures are listed in their section, each; the warnings that say so per scenario are for the terminal
  const shown = warnings.filter((w) => w.kind !== 'noisy');
  body.push('<h2>Warnings</h2>');
  body.push(
    shown.length
      ? `<ul class="warn">${shown.map((w) => `<li>${esc(w.message)}${w.hint ? ` — ${esc(w.hint)}` : ''}</li>`).join('\n')}</ul>`
      : '<p>None.</p>',
  );
  return `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>lb-bench report</title>\n<style>\n${CSS}\n</style>\n</head>\n<body>\n${body.join('\n')}\n</body>\n</html>\n`;
}
