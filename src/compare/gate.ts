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
}

/** Is this row a breach of the gate at PCT %? */
export const isBreach = (r: ComparisonRow, pct: number) =>
  r.gated && r.verdict === 'worse' && Math.abs(r.change_pct) > pct && r.beyond_gate !== false;

export function breaches(comparisons: readonly Comparison[], pct: number): Breach[] {
  return comparisons.flatMap((c) =>
    c.rows
      .filter((r) => isBreach(r, pct))
      .map((r) => ({ comparison: heading(c), metric: r.metric, level: r.level, change_pct: r.change_pct, p: r.p!, p_gate: r.p_gate })),
  );
}

export function breachLine(b: Breach, pct: number): string {
  const beyond = b.p_gate === null ? '' : `; beyond ${pct} %: p ${pValue(b.p_gate)}`;
  return `regression: ${b.comparison}: ${b.metric} at level ${b.level}: ${changeCell(b.change_pct)} (p ${pValue(b.p)}${beyond}), worse by more than ${pct} %`;
}
