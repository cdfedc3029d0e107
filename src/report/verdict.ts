/**
 * The report's opening: "Verdict" (each kind's answer: which set-up serves the most at each level
 * and by what ratio, the failover downtime, or one scenario's thresholds and headline figures),
 * right under it what to read with care (generator-bound runs, lossy levels, kernel drops), then
 * the verdict's charts (ratio.png), whose notes say the same. One section for both pages. Pure.
 */
import { figureHtml, figureMarkdown } from '../kinds/figure.js';
import type { KindReport, ReportSection } from '../kinds/kind.js';
import { escapeHtml as esc, mdText } from '../util/format.js';

export const VERDICT_TITLE = 'Verdict';
export const CAVEATS_TITLE = 'Read with care';
const NO_CAVEATS = 'Nothing: no run was generator-bound, lost more than 1 % of its requests, or saw this machine drop packets.';

export function verdictSection(parts: readonly KindReport[]): ReportSection {
  const caveats = parts.flatMap((p) => p.caveats);
  const charts = parts.flatMap((p) => p.verdictCharts);
  return {
    markdown: [
      `## ${VERDICT_TITLE}`,
      '',
      ...parts.flatMap((p) => p.verdict.markdown),
      `### ${CAVEATS_TITLE}`,
      '',
      ...(caveats.length ? caveats.map((c) => `- ${mdText(c)}`) : [NO_CAVEATS]),
      '',
      ...charts.flatMap(figureMarkdown),
    ],
    html: [
      `<section id="verdict"><h2>${VERDICT_TITLE}</h2>`,
      ...parts.flatMap((p) => p.verdict.html),
      `<h3 id="caveats">${CAVEATS_TITLE}</h3>`,
      caveats.length ? `<ul class="caveats">${caveats.map((c) => `<li>${esc(c)}</li>`).join('\n')}</ul>` : `<p>${NO_CAVEATS}</p>`,
      ...charts.map(figureHtml),
      '</section>',
    ],
  };
}
