/**
 * The line each comparison opens with: whether the gate judges it, its verdict, and the figure
 * that decides it — `haproxy-lc: REGRESSION (gated) — rps at level 1000: -30.0 % (p 0.008); likely
 * cause: haproxy 2.6.12 → 3.2.9`. Pure.
 */
import { changeCell, pValue } from '../util/format.js';
import { heading, type Comparison, type ComparisonRow } from './compare.js';
import { causeText, isBreach } from './gate.js';

export interface ComparisonSummary {
  comparison: string;
  /** `gated`, `gated: portable figures only, different machine`, `not gated` (no --fail-on-regression), … */
  gated: string;
  /** REGRESSION or pass under a gate; else worse, better, mixed, or no significant change */
  verdict: string;
  /** the figure that decides it, or null when nothing differs significantly */
  decisive: { metric: string; level: number; change_pct: number; p: number | null; verdict: string } | null;
  rows: { worse: number; better: number; not_comparable: number; not_significant: number };
  /** changes of the system under test, named as the likely cause of a regression */
  likely_cause: string[];
  /** runs of both sides that measured the generator rather than the system */
  generator_bound: number;
}

function gatedText(c: Comparison, pct: number | null): string {
  if (pct === null) return 'not gated';
  const reasons = [...new Set(c.rows.filter((r) => !r.gated).map((r) => r.not_gated))];
  if (!reasons.length) return 'gated';
  if (!c.rows.some((r) => r.gated)) return `not gated: ${reasons.join(', ')}`;
  return reasons.length === 1 && reasons[0] === 'different machine'
    ? 'gated: portable figures only, different machine'
    : `partly gated (not: ${reasons.join(', ')})`;
}

/** Among rows of one kind, the one of the first metric (the kind's headline comes first) with the largest change. */
function decisiveOf(c: Comparison, rows: readonly ComparisonRow[]): ComparisonRow | null {
  for (const m of c.metrics) {
    const own = rows.filter((r) => r.metric === m.name);
    if (own.length) return own.reduce((x, y) => (Math.abs(y.change_pct) > Math.abs(x.change_pct) ? y : x));
  }
  return null;
}

export function summarize(c: Comparison, pct: number | null): ComparisonSummary {
  const of = (v: string) => c.rows.filter((r) => r.verdict === v);
  const [worse, better, notComparable] = [of('worse'), of('better'), of('not comparable')];
  const breaches = pct === null ? [] : c.rows.filter((r) => isBreach(r, pct));
  const verdict = breaches.length
    ? 'REGRESSION'
    : pct !== null
      ? 'pass'
      : worse.length && better.length
        ? 'mixed'
        : worse.length
          ? 'worse'
          : better.length
            ? 'better'
            : 'no significant change';
  const row = decisiveOf(c, breaches) ?? decisiveOf(c, worse) ?? decisiveOf(c, better);
  return {
    comparison: heading(c),
    gated: gatedText(c, pct),
    verdict,
    decisive: row && { metric: row.metric, level: row.level, change_pct: row.change_pct, p: row.p, verdict: row.verdict },
    rows: { worse: worse.length, better: better.length, not_comparable: notComparable.length, not_significant: of('~').length },
    likely_cause: breaches.length ? c.system.changes : [],
    generator_bound: c.machines.generator_bound,
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function summaryLine(s: ComparisonSummary): string {
  const figure = s.decisive
    ? ` — ${s.decisive.metric} at level ${s.decisive.level}: ${changeCell(s.decisive.change_pct)} (p ${pValue(s.decisive.p)})`
    : s.verdict === 'no significant change'
      ? ''
      : ' — no significant change';
  const counts = [
    s.rows.worse ? `${s.rows.worse} worse` : '',
    s.rows.better ? `${s.rows.better} better` : '',
    s.rows.not_comparable ? `${s.rows.not_comparable} not comparable` : '',
  ].filter(Boolean);
  const rows = s.decisive && counts.length ? `; rows: ${counts.join(', ')}` : '';
  const bound = s.generator_bound ? `; ${plural(s.generator_bound, 'generator-bound run')}` : '';
  return `${s.comparison}: ${s.verdict} (${s.gated})${figure}${rows}${bound}${causeText(s.likely_cause)}`;
}
