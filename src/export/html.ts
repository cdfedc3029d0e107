/**
 * html: tables and documents as HTML, and the page they stand on: plain CSS inline, nothing fetched
 * from elsewhere, so that it opens from disk (index.html, compare --format html). Pure.
 */
import { escapeHtml as esc } from '../util/format.js';
import { cellText, headerText, type Block, type MarkupExporter, type Table } from './table.js';

const CSS = `body{font-family:system-ui,sans-serif;max-width:1040px;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.4}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:.25em .6em}
th{background:#f3f3f3}.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;border:1px solid #ddd}code{background:#f3f3f3;padding:0 .2em}
.warn li{color:#8a5300}figure{margin:1em 0}figcaption{font-size:.9em;color:#444;margin-top:.3em}
figcaption .meta{color:#777}#verdict{border:2px solid #1f77b4;border-radius:6px;padding:.2em 1em .5em;margin-bottom:1.5em}
#verdict h2{margin-top:.4em}ul.verdict li{margin:.35em 0}ul.caveats li{color:#8a5300}`;

/** A whole page around `body` (HTML already spelled). */
export function htmlPage(title: string, body: readonly string[]): string {
  return `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${esc(title)}</title>\n<style>\n${CSS}\n</style>\n</head>\n<body>\n${body.join('\n')}\n</body>\n</html>\n`;
}

function table(t: Table): string {
  const num = (i: number) => (t.columns[i].align === 'right' ? ' class="num"' : '');
  const th = t.columns.map((c, i) => `<th${num(i)}>${esc(headerText(c))}</th>`).join('');
  const td = (c: string, i: number) => `<td${num(i)}>${t.columns[i].strong ? `<strong>${esc(c)}</strong>` : esc(c)}</td>`;
  const rows = t.rows.map((r) => `<tr>${r.map(cellText).map(td).join('')}</tr>`);
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

function block(b: Block): string {
  if ('heading' in b) return `<h${b.level}>${esc(b.heading)}</h${b.level}>`;
  if ('table' in b) return table(b.table);
  if (b.style === 'list') return `<ul>${b.lines.map((l) => `<li>${esc(l)}</li>`).join('\n')}</ul>`;
  return b.lines.map((l) => `<p>${b.style === 'strong' ? `<strong>${esc(l)}</strong>` : esc(l)}</p>`).join('\n');
}

/** A page of its own, titled by its first heading. */
function document(blocks: readonly Block[]): string {
  const title = blocks.find((b): b is Extract<Block, { heading: string }> => 'heading' in b)?.heading ?? 'lb-bench';
  return htmlPage(title, blocks.filter((b) => !('lines' in b) || b.lines.length).map(block));
}

export const html: MarkupExporter = { kind: 'markup', table, document };
