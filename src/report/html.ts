/**
 * index.html: the whole report on one page that opens from disk, with no server and nothing
 * fetched from elsewhere: plain CSS inline, the charts by relative path beside it. The verdict
 * first. Pure.
 */
import type { ReportSection, ReportWarning } from '../kinds/kind.js';
import { escapeHtml as esc } from '../util/format.js';

const CSS = `body{font-family:system-ui,sans-serif;max-width:1040px;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.4}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:.25em .6em}
th{background:#f3f3f3}.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;border:1px solid #ddd}code{background:#f3f3f3;padding:0 .2em}
.warn li{color:#8a5300}figure{margin:1em 0}figcaption{font-size:.9em;color:#444;margin-top:.3em}
figcaption .meta{color:#777}#verdict{border:2px solid #1f77b4;border-radius:6px;padding:.2em 1em .5em;margin-bottom:1.5em}
#verdict h2{margin-top:.4em}ul.verdict li{margin:.35em 0}ul.caveats li{color:#8a5300}`;

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
  return `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>lb-bench report</title>\n<style>\n${CSS}\n</style>\n</head>\n<body>\n${body.join('\n')}\n</body>\n</html>\n`;
}
