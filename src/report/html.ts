/**
 * index.html: the whole report on one page that opens from disk, with no server and nothing
 * fetched from elsewhere: plain CSS inline, the charts by relative path beside it. Pure.
 */
import type { Aggregate } from '../stats/aggregate.js';
import type { ExtraSection } from './markdown.js';
import { escapeHtml as esc, htmlTable } from '../util/format.js';
import { metricTables, NOISE_INTRO, NOISE_TITLE, noiseTable, runsTable } from './tables.js';

const CSS = `body{font-family:system-ui,sans-serif;max-width:1040px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:.25em .6em}
th{background:#f3f3f3}.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;border:1px solid #ddd}code{background:#f3f3f3;padding:0 .2em}
.warn li{color:#8a5300}figure{margin:1em 0}`;

/** charts: the PNG files written beside index.html, with their titles. */
export function toHtml(agg: Aggregate, charts: readonly { file: string; title: string }[], extra: readonly ExtraSection[] = []): string {
  const body: string[] = ['<h1>lb-bench report</h1>', '<h2>Runs</h2>', htmlTable(runsTable(agg))];
  body.push('<h2>Charts</h2>', ...charts.map((c) => `<figure><img src="${encodeURI(c.file)}" alt="${esc(c.title)}"></figure>`));
  body.push('<h2>Tables</h2>', '<p>Cells are the mean ± the half-width of its 95 % confidence interval (Student t) over the repetitions; "thesis" columns are the scenario\'s <code>reference</code> figures. All figures: <a href="summary.csv">summary.csv</a>.</p>');
  for (const t of metricTables(agg)) {
    body.push(`<h3>${esc(t.metric.label)} (${esc(t.metric.unit)}) <code>${esc(t.metric.name)}</code></h3>`, htmlTable(t));
    if (t.notes.length) body.push(`<ul>${t.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  }
  for (const x of extra) body.push(`<h2>${esc(x.title)}</h2>`, ...(x.intro ? [`<p>${esc(x.intro)}</p>`] : []), htmlTable(x.table));
  const noise = noiseTable(agg);
  if (noise) body.push(`<h2 id="noise">${esc(NOISE_TITLE)}</h2>`, `<p>${esc(NOISE_INTRO)}</p>`, htmlTable(noise));
  // the noisy figures are listed above, each; the warnings that say so per scenario are for the terminal
  const warnings = agg.warnings.filter((w) => w.kind !== 'noisy');
  body.push('<h2>Warnings</h2>');
  body.push(warnings.length ? `<ul class="warn">${warnings.map((w) => `<li>${esc(w.message)}${w.hint ? ` — ${esc(w.hint)}` : ''}</li>`).join('\n')}</ul>` : '<p>None.</p>');
  return `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>lb-bench report</title>\n<style>\n${CSS}\n</style>\n</head>\n<body>\n${body.join('\n')}\n</body>\n</html>\n`;
}
