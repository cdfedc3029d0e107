/**
 * What every figure of a report says about itself, as a paper's caption does: n per point, how its
 * intervals were made, the machine (its fingerprint), lb-bench's version and the date of the runs;
 * and the figure as each page spells it. Pure.
 */
import type { Manifest, StoredScenarioBase } from '../results/types.js';
import { fingerprintOfManifest } from '../results/fingerprint.js';
import { escapeHtml as esc, mdText } from '../util/format.js';
import type { ChartSpec, ReportSection } from './kind.js';

/** How the report's intervals of a mean are made (docs/metrics.md, "Aggregates"). */
export const MEAN_INTERVAL = "95 % interval of the mean: Student's t, cut at 0 (no figure here can be negative)";
/** How a ratio's interval is made (docs/metrics.md, "Ratios to a reference"). */
export const RATIO_INTERVAL = '95 % interval: percentile bootstrap of the pairs (expanded, Hesterberg 2015)';

/** "n = 5 per point", or "n = 3–5 per point" when the points differ. */
export function nPerPoint(ns: readonly number[], unit = 'repetitions'): string {
  const real = ns.filter((n) => n > 0);
  if (!real.length) return `n = 0 ${unit}`;
  const [lo, hi] = [Math.min(...real), Math.max(...real)];
  return `n = ${lo === hi ? lo : `${lo}–${hi}`} ${unit} per point`;
}

const distinct = (xs: readonly string[]) => [...new Set(xs)].join('; ');

/** "machine 037411110e7e (2 × AMD EPYC, Linux 6.18.44) · lb-bench 0.1.0 · runs of 2026-11-26" */
export function provenance(manifests: readonly Manifest<StoredScenarioBase>[]): string {
  const machines = distinct(
    manifests.map((m) => {
      const f = fingerprintOfManifest(m);
      return `${f.id} (${f.cpus} × ${f.cpu_model}, Linux ${f.kernel})`;
    }),
  );
  const versions = distinct(manifests.map((m) => m.tool.version));
  const days = [...new Set(manifests.map((m) => m.started_at.slice(0, 10)))].sort();
  const when = days.length > 1 ? `${days[0]} to ${days.at(-1)}` : (days[0] ?? '');
  return `machine ${machines} · lb-bench ${versions} · runs of ${when}`;
}

/** The caption's own line: n, the interval, where and when. */
export function caption(n: string, interval: string | null, manifests: readonly Manifest<StoredScenarioBase>[]): string {
  return [n, ...(interval ? [interval] : []), provenance(manifests)].join(' · ');
}

export function figureHtml(spec: ChartSpec): string {
  return `<figure><img src="${encodeURI(spec.file)}" alt="${esc(spec.title)}"><figcaption><strong>${esc(spec.title)}.</strong> ${esc(spec.what)} <span class="meta">${esc(spec.caption)}</span></figcaption></figure>`;
}

export function figureMarkdown(spec: ChartSpec): string[] {
  return [
    `![${mdText(spec.title)}](${encodeURI(spec.file)})`,
    '',
    `*${mdText(spec.title)}.* ${mdText(spec.what)} ${mdText(spec.caption)}`,
    '',
  ];
}

/** A verdict line (Markdown's **bold** and `code`) as HTML: escaped, then those two turned into tags. */
export const inlineHtml = (s: string) =>
  esc(s)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`]+)`/g, '<code>$1</code>');

/** A kind's verdict lines as a list on each page. */
export function verdictLines(lines: readonly string[]): ReportSection {
  return {
    markdown: [...lines.map((l) => `- ${mdText(l)}`), ''],
    html: [`<ul class="verdict">${lines.map((l) => `<li>${inlineHtml(l)}</li>`).join('\n')}</ul>`],
  };
}
