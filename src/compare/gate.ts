/**
 * --fail-on-regression PCT: a breach is a gated row (every row on one machine; on two, only the
 * portable figures) that is significantly worse (verdict `worse`, p below alpha), worse by more
 * than PCT % of A's mean, and significantly so: B tested against A moved PCT % towards worse is
 * below alpha too (`beyond_gate`). Without the last, two nights of the same code differed by 14 %
 * in a ratio at p 0.008 — their difference was real, but within what varies from night to night.
 * Pure; the command decides the exit code.
 */
import type { Comparison, ComparisonRow } from './compare.js';
import { changeCell, pValue } from '../util/format.js';
import { heading } from './compare.js';

export interface Breach {
  /** the comparison's heading: "haproxy-rr vs nginx-rr", "local: baseline vs current" */
  comparison: string;
  metric: string;
  level: number;
  /** Infinity when A's mean was 0 (JSON: null) */
  change_pct: number;
  p: number;
  /** the test against A moved the gate's % towards worse (null: not made) */
  p_gate: number | null;
  /** what changed in the system under test between the runs: the likely cause (empty: nothing recorded changed) */
  likely_cause: string[];
}

/** Is this row a breach of the gate at PCT %? */
export const isBreach = (r: ComparisonRow, pct: number) =>
  r.gated && r.verdict === 'worse' && Math.abs(r.change_pct) > pct && r.beyond_gate !== false;

export function breaches(comparisons: readonly Comparison[], pct: number): Breach[] {
  return comparisons.flatMap((c) =>
    c.rows
      .filter((r) => isBreach(r, pct))
      .map((r) => ({
        comparison: heading(c),
        metric: r.metric,
        level: r.level,
        change_pct: r.change_pct,
        p: r.p!,
        p_gate: r.p_gate,
        likely_cause: c.system.changes,
      })),
  );
}

/** `; likely cause: haproxy 2.6.12 → 3.2.9` after a breach beside a change of the system under test. */
export const causeText = (changes: readonly string[]) => (changes.length ? `; likely cause: ${changes.join(', ')}` : '');

export function breachLine(b: Breach, pct: number): string {
  const beyond = b.p_gate === null ? '' : `; beyond ${pct} %: p ${pValue(b.p_gate)}`;
  return `regression: ${b.comparison}: ${b.metric} at level ${b.level}: ${changeCell(b.change_pct)} (p ${pValue(b.p)}${beyond}), worse by more than ${pct} %${causeText(b.likely_cause)}`;
}

/** The gate's outcome, as every output opens with it. */
export interface GateOutcome {
  fail_on_regression_pct: number;
  alpha: number;
  /** 'fail': a regression of the comparisons or of the history (exit 1) */
  outcome: 'pass' | 'fail';
  /** regressions in all, of the comparisons and the history */
  regressions: number;
  /** judged by the history (its regressions are K nights out, not tests at alpha) */
  history: boolean;
}

export function gateOutcome(
  found: readonly Breach[],
  historyRegressions: number,
  pct: number,
  alpha: number,
  history: boolean,
): GateOutcome {
  const regressions = found.length + historyRegressions;
  return { fail_on_regression_pct: pct, alpha, outcome: regressions ? 'fail' : 'pass', regressions, history };
}

/** `no significant regression of more than 10 % (alpha 0.05)`, `3 significant regressions of more than 10 %` */
export function outcomeText(o: GateOutcome): string {
  const significant = o.history ? '' : 'significant ';
  if (!o.regressions)
    return `no ${significant}regression of more than ${o.fail_on_regression_pct} %${o.history ? '' : ` (alpha ${o.alpha})`}`;
  return `${o.regressions} ${significant}regression${o.regressions > 1 ? 's' : ''} of more than ${o.fail_on_regression_pct} %`;
}

/** The first line of every output of a gate: `gate: FAIL — 1 significant regression of more than 10 %`. */
export const outcomeLine = (o: GateOutcome) => `gate: ${o.outcome === 'fail' ? 'FAIL' : 'pass'} — ${outcomeText(o)}`;
