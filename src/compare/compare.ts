/**
 * Two runs side by side, as benchstat compares them: per metric and level, both sides' means
 * with their 95 % CI over the repetitions, the change of B against A in %, a two-sided p-value,
 * and a verdict that calls a difference only below alpha. n is the number of repetitions at that
 * level (never the request count: a run's requests are not independent observations). Pure.
 */
import type { MetricDef, WarningKind } from '../kinds/kind.js';
import { withPair, withRun, type StoredRun } from '../kinds/registry.js';
import { literalIpv4 } from '../lab/guard.js';
import { fingerprintDifferences, fingerprintOfManifest } from '../results/fingerprint.js';
import { systemChanges, systemOfManifest, type SystemUnderTest } from '../results/system.js';
import { describe, finiteValues, mannWhitneyU, welchT, type Description } from '../stats/describe.js';

export type TestName = 'mann-whitney' | 'welch';
/**
 * `~`: not significant at alpha (or no difference to test), benchstat's spelling. `not
 * comparable`: B would be better, but its figures at that level describe something else — only the
 * requests it did not lose, or the load generator — and `not_comparable` says which.
 */
export type Verdict = 'better' | 'worse' | '~' | 'not comparable';

export interface CompareOptions {
  alpha: number;
  test: TestName;
  /** metric names or prefixes (`latency_ms` = every latency percentile); none = every metric */
  metrics?: readonly string[];
  /** column labels instead of the scenarios' names or run ids */
  labels?: [string, string];
  /** --fail-on-regression's %: each row also tests B against A moved that far towards worse (`p_gate`) */
  gatePct?: number;
}

export interface Side {
  id: string;
  dir: string;
  scenario: string;
  /** what the tables call this side: the scenario's name, or the run's id when both are one scenario */
  label: string;
}

export interface ComparisonRow {
  metric: string;
  level: number;
  a: Description;
  b: Description;
  /** (mean B − mean A) / |mean A| × 100; ±Infinity when A's mean is 0 and B's is not; 0 when both are 0 */
  change_pct: number;
  /** null when the test cannot be made (Welch with fewer than two values a side) */
  p: number | null;
  verdict: Verdict;
  /** both sides hold one and the same value in every repetition: no test, p = 1 */
  all_equal: boolean;
  /** the metric does not depend on the machine (its registry's `portable`) */
  portable: boolean;
  /**
   * With a gate of PCT %: the same test of B against A's values moved PCT % towards worse (× (1 −
   * PCT/100) when higher is better, × (1 + PCT/100) when lower). Below alpha with B on the worse
   * side, B is significantly worse by more than PCT % (`beyond_gate`), which is what a breach
   * needs; a shift of PCT % within the nights' own spread is not one. null without a gate.
   */
  p_gate: number | null;
  beyond_gate: boolean | null;
  /** --fail-on-regression judges this row; else `not_gated` says why */
  gated: boolean;
  not_gated: NotGated | null;
  /** why a `better` became `not comparable`: "nginx-rr lost 92 % (haproxy-rr 0 %)", "generator-bound: nginx-rr 5 of 5 runs" */
  not_comparable: string | null;
}

/** Why a row is shown but not gated. */
export type NotGated = 'different machine' | 'judged by the history';

/**
 * The two runs' measuring machines (src/results/fingerprint.ts). Absolute figures are gated when
 * they match; and between two machines when the cluster is remote (neither on the lab nor on this
 * machine's loopback) and no run of either side was generator-bound: another runner then measures
 * the same cluster the same way.
 */
export interface Machines {
  same: boolean;
  /** one phrase per field that differs: `cpu_model "AMD EPYC" vs "Intel Xeon"` */
  differences: string[];
  /** the fingerprints' ids, A's and B's */
  a: string;
  b: string;
  /** both runs measured a cluster elsewhere than on the generator's machine */
  remote: boolean;
  /** runs of both sides that were generator-bound */
  generator_bound: number;
  /** absolute figures are gated: the same machine, or another runner of a remote cluster, never the bottleneck */
  absolute_gated: boolean;
}

/** The system under test of both runs (src/results/system.ts) and what changed from A to B: shown, and gated as any change. */
export interface Systems {
  a: SystemUnderTest;
  b: SystemUnderTest;
  /** one phrase per change: `haproxy 2.6.12 → 3.2.9` */
  changes: string[];
}

/** A warning of either run, as `report` prints it: said once when both runs have it. */
export interface CompareWarning {
  /** whose: A's label, B's, or both */
  side: 'a' | 'b' | 'both';
  kind: WarningKind;
  message: string;
  hint?: string;
}

export interface Comparison {
  a: Side;
  b: Side;
  alpha: number;
  test: TestName;
  /** the metrics shown, in their kind's order */
  metrics: MetricDef<never>[];
  rows: ComparisonRow[];
  /** metrics left out because both sides were equal everywhere (0 vs 0 loss), unless named */
  skipped: string[];
  /** things that change how to read it (too few repetitions to ever be significant, …) */
  notes: string[];
  machines: Machines;
  system: Systems;
  warnings: CompareWarning[];
}

/** `--metric portable`: every metric whose registry entry says it is portable, whatever its name. */
export const PORTABLE_SELECTOR = 'portable';

/**
 * Every metric the registry knows for these samples that matches a name or a `prefix.` of it, or
 * is portable when `portable` is named (the nightly names the portable figures without knowing them).
 */
export function selectMetrics<M extends { name: string; portable?: boolean }>(
  all: readonly M[],
  wanted: readonly string[] | undefined,
): { metrics: M[]; unknown: string[] } {
  if (!wanted?.length) return { metrics: [...all], unknown: [] };
  const matches = (m: M, w: string) => m.name === w || m.name.startsWith(w + '.') || (w === PORTABLE_SELECTOR && m.portable === true);
  const unknown = wanted.filter((w) => w !== PORTABLE_SELECTOR && !all.some((m) => matches(m, w)));
  return { metrics: all.filter((m) => wanted.some((w) => matches(m, w))), unknown };
}

/**
 * Column labels: the scenarios' names; for two runs of one scenario their ids; `baseline` and
 * `current` under --baseline; A and B when even the ids are equal (one second, two folders).
 */
export function sides(a: StoredRun, b: StoredRun, labels?: [string, string]): [Side, Side] {
  const pick = (f: (r: StoredRun) => string) => (f(a) !== f(b) ? [f(a), f(b)] : null);
  const [la, lb] = labels ?? pick((r) => r.manifest.scenario.name) ?? pick((r) => r.manifest.id) ?? ['A', 'B'];
  const side = (r: StoredRun, label: string): Side => ({ id: r.manifest.id, dir: r.dir, scenario: r.manifest.scenario.name, label });
  return [side(a, la), side(b, lb)];
}

function byLevel<X>(samples: readonly X[], level: (x: X) => number): Map<number, X[]> {
  const out = new Map<number, X[]>();
  for (const s of samples) out.set(level(s), [...(out.get(level(s)) ?? []), s]);
  return out;
}

/** "haproxy-rr vs nginx-rr"; "local: baseline vs current" when the labels do not name the scenario */
export function heading(c: Comparison): string {
  const named = c.a.label === c.a.scenario && c.b.label === c.b.scenario;
  return `${named || c.a.scenario !== c.b.scenario ? '' : `${c.a.scenario}: `}${c.a.label} vs ${c.b.label}`;
}

export function changePct(a: number, b: number): number {
  if (a === b) return 0;
  if (a === 0) return b > 0 ? Infinity : -Infinity;
  return ((b - a) / Math.abs(a)) * 100;
}

export function verdictOf(change: number, p: number | null, alpha: number, better: MetricDef<never>['better']): Verdict {
  if (p === null || !(p < alpha) || change === 0) return '~';
  return change > 0 === (better === 'higher') ? 'better' : 'worse';
}

/**
 * `own`: the sides' figures where the metric describes a level itself (a ratio of means with its
 * bootstrap interval, as the report shows it); the test is still made on the values.
 */
export function compareValues(
  xa: readonly number[],
  xb: readonly number[],
  metric: Pick<MetricDef<never>, 'name' | 'better' | 'portable'>,
  level: number,
  opts: CompareOptions,
  own?: [Description, Description],
): ComparisonRow {
  const [a, b] = own ?? [describe(xa), describe(xb)];
  const change = changePct(a.mean!, b.mean!);
  const p = testP(xa, xb, opts.test);
  const beyond = opts.gatePct === undefined ? null : beyondGate(xa, xb, metric.better, opts);
  return {
    metric: metric.name,
    level,
    a,
    b,
    change_pct: change,
    p,
    verdict: verdictOf(shift(a, b, opts.test), p, opts.alpha, metric.better),
    all_equal: allEqual(xa, xb),
    p_gate: beyond?.p ?? null,
    beyond_gate: beyond?.beyond ?? null,
    portable: metric.portable === true,
    gated: true,
    not_gated: null,
    not_comparable: null,
  };
}

/** both sides hold one and the same value in every repetition */
const allEqual = (xa: readonly number[], xb: readonly number[]) => [...xa, ...xb].every((v) => v === xa[0]);

/**
 * Which way B lies from A, by its sign. Mann-Whitney tests ranks: its direction is the medians',
 * not the means' (one outlier can move a mean the other way); Welch's t tests means.
 */
const shift = (a: Description, b: Description, test: TestName) =>
  test === 'welch' ? b.mean! - a.mean! : Math.sign(b.median! - a.median!) || b.mean! - a.mean!;

function testP(xa: readonly number[], xb: readonly number[], test: TestName): number | null {
  if (allEqual(xa, xb)) return 1;
  return test === 'welch' ? (welchT(xa, xb)?.p ?? null) : mannWhitneyU(xa, xb).p;
}

/** B against A moved the gate's % towards worse: significantly beyond it, on the worse side? */
function beyondGate(
  xa: readonly number[],
  xb: readonly number[],
  better: MetricDef<never>['better'],
  opts: CompareOptions,
): { p: number | null; beyond: boolean } {
  const factor = better === 'higher' ? 1 - opts.gatePct! / 100 : 1 + opts.gatePct! / 100;
  const edge = xa.map((x) => x * factor);
  const p = testP(edge, xb, opts.test);
  const towards = shift(describe(edge), describe(xb), opts.test);
  const worse = better === 'higher' ? towards < 0 : towards > 0;
  return { p, beyond: worse && p !== null && p < opts.alpha };
}

/**
 * The cluster runs on the generator's machine: the lab (`inventory: lab`, its calibration, its
 * 198.18.0.0/24), or this machine's loopback. Another machine is then another cluster too.
 */
function clusterIsLocal(run: StoredRun): boolean {
  const s = run.manifest.scenario as { inventory?: unknown; target?: unknown };
  if (s.inventory === 'lab' || run.manifest.calibration) return true;
  let host: string;
  try {
    host = new URL(String(s.target)).hostname;
  } catch {
    return true;
  }
  const ip = literalIpv4(host);
  return host === 'localhost' || host === '[::1]' || (ip !== null && (ip.startsWith('127.') || ip.startsWith('198.18.0.')));
}

/** How many of a run's samples measured the generator rather than the system. */
const boundRuns = (run: StoredRun): number => withRun(run, (kind, r) => r.samples.filter((x) => kind.generatorBound?.(x) === true).length);

/** Which rows the gate judges: every row on one machine, or of a remote cluster never generator-bound; else only the portable figures. */
export function machinesOf(runA: StoredRun, runB: StoredRun): Machines {
  const [a, b] = [fingerprintOfManifest(runA.manifest), fingerprintOfManifest(runB.manifest)];
  const differences = fingerprintDifferences(a, b);
  const remote = !clusterIsLocal(runA) && !clusterIsLocal(runB);
  const bound = boundRuns(runA) + boundRuns(runB);
  const same = !differences.length;
  return { same, differences, a: a.id, b: b.id, remote, generator_bound: bound, absolute_gated: same || (remote && bound === 0) };
}

export function gateByMachine(rows: readonly ComparisonRow[], machines: Machines): ComparisonRow[] {
  if (machines.absolute_gated) return [...rows];
  return rows.map((r) => (r.portable ? r : { ...r, gated: false, not_gated: 'different machine' }));
}

/** The line that says what the machines' difference means for the gate, naming what differs; null on one machine. */
export function machineLine(m: Machines): string | null {
  const what = m.differences.join('; ');
  if (m.same) return null;
  if (m.absolute_gated)
    return `another runner, the same remote cluster: absolute figures gated, the generator was never the bottleneck (${what})`;
  if (m.remote)
    return `different machine: absolute figures shown, not gated: the generator was the bottleneck in ${m.generator_bound} runs (${what})`;
  return `different machine: absolute figures shown, not gated (${what})`;
}

/** The line that names what changed in the system under test; null when nothing did. */
export function systemLine(s: Systems): string | null {
  return s.changes.length ? `system under test changed: ${s.changes.join('; ')} (gated like any change)` : null;
}

/** What qualifies a comparison's figures: what changed in the system under test, and what the machines' difference means. */
export const qualifierLines = (c: Comparison): string[] =>
  [systemLine(c.system), machineLine(c.machines)].filter((l): l is string => l !== null);

/** Each run's warnings, as `report` gives them (its kind's report of that run alone); one said by both is kept once. */
function warningsOf(runA: StoredRun, runB: StoredRun): CompareWarning[] {
  const of = (run: StoredRun) => withRun(run, (kind, r) => kind.report([r]).warnings);
  const [wa, wb] = [of(runA), of(runB)];
  const inB = new Set(wb.map((w) => w.message));
  const inA = new Set(wa.map((w) => w.message));
  const out = (ws: typeof wa, side: 'a' | 'b', other: Set<string>): CompareWarning[] =>
    ws.map((w) => ({ side: other.has(w.message) ? 'both' : side, kind: w.kind, message: w.message, ...(w.hint ? { hint: w.hint } : {}) }));
  return [...out(wa, 'a', inB), ...out(wb, 'b', inA).filter((w) => w.side === 'b')];
}

/** Runs of different kinds have no metric in common: nothing to compare. */
export function compareRuns(runA: StoredRun, runB: StoredRun, opts: CompareOptions): Comparison {
  const [a, b] = sides(runA, runB, opts.labels);
  const none = { metrics: [], rows: [], skipped: [] };
  const found =
    withPair(runA, runB, (kind, ra, rb) =>
      compareSamples(
        {
          all: kind.metrics([...ra.samples, ...rb.samples]),
          level: (s) => kind.level(s),
          bound: kind.generatorBound,
          labels: [a.label, b.label],
        },
        ra.samples,
        rb.samples,
        opts,
      ),
    ) ?? none;
  const machines = machinesOf(runA, runB);
  const rows = gateByMachine(found.rows, machines);
  const [sa, sb] = [systemOfManifest(runA.manifest), systemOfManifest(runB.manifest)];
  const system = { a: sa, b: sb, changes: systemChanges(sa, sb) };
  return {
    a,
    b,
    alpha: opts.alpha,
    test: opts.test,
    ...found,
    rows,
    notes: powerNotes(found.rows, opts),
    machines,
    system,
    warnings: warningsOf(runA, runB),
  };
}

/** What compareSamples needs of the runs' kind. */
interface KindParts<X> {
  all: MetricDef<X>[];
  level: (x: X) => number;
  bound?: (x: X) => boolean;
  /** the sides' labels, for the reasons a row is not comparable */
  labels: [string, string];
}

const percent = (share: number | null) => `${Math.round((share ?? 0) * 100)} %`;

/**
 * Why B's figures at a level cannot be called better than A's, or null: B lost significantly more
 * requests (its other figures describe only the ones that got through), or a run of either side
 * was generator-bound (its figures measure the load generator).
 */
function notComparable<X>(kind: KindParts<X>, level: number, sa: readonly X[], sb: readonly X[], opts: CompareOptions): string | null {
  const reasons: string[] = [];
  const loss = kind.all.find((m) => m.lossShare);
  if (loss) {
    const [xa, xb] = [finiteValues(sa.map(loss.value)), finiteValues(sb.map(loss.value))];
    const row = xa.length && xb.length ? compareValues(xa, xb, loss, level, { ...opts, gatePct: undefined }) : null;
    if (row?.verdict === 'worse') reasons.push(`${kind.labels[1]} lost ${percent(row.b.mean)} (${kind.labels[0]} ${percent(row.a.mean)})`);
  }
  if (kind.bound) {
    const [ba, bb] = [sa.filter(kind.bound).length, sb.filter(kind.bound).length];
    const sides = [ba ? `${kind.labels[0]} ${ba} of ${sa.length} runs` : '', bb ? `${kind.labels[1]} ${bb} of ${sb.length} runs` : ''];
    if (ba || bb) reasons.push(`generator-bound: ${sides.filter(Boolean).join(', ')}`);
  }
  return reasons.length ? reasons.join('; ') : null;
}

/** Per metric and level measured on both sides: the row; a metric equal everywhere is skipped unless named. */
function compareSamples<X>(
  kind: KindParts<X>,
  samplesA: readonly X[],
  samplesB: readonly X[],
  opts: CompareOptions,
): { metrics: MetricDef<X>[]; rows: ComparisonRow[]; skipped: string[] } {
  const { metrics: chosen } = selectMetrics(kind.all, opts.metrics);
  const levelsA = byLevel(samplesA, kind.level);
  const levelsB = byLevel(samplesB, kind.level);
  const levels = [...levelsA.keys()].filter((l) => levelsB.has(l)).sort((x, y) => x - y);
  const reasons = new Map(levels.map((l) => [l, notComparable(kind, l, levelsA.get(l)!, levelsB.get(l)!, opts)]));
  const rows: ComparisonRow[] = [];
  const skipped: string[] = [];
  const metrics: MetricDef<X>[] = [];
  for (const metric of chosen) {
    const own: ComparisonRow[] = [];
    for (const level of levels) {
      const [sa, sb] = [levelsA.get(level)!, levelsB.get(level)!];
      const [xa, xb] = [finiteValues(sa.map(metric.value)), finiteValues(sb.map(metric.value))];
      const figures = metric.describe && ([metric.describe(sa), metric.describe(sb)] as [Description, Description]);
      if (!xa.length || !xb.length) continue;
      const row = compareValues(xa, xb, metric, level, opts, figures || undefined);
      const why = reasons.get(level) ?? null;
      own.push(row.verdict === 'better' && why ? { ...row, verdict: 'not comparable', not_comparable: why } : row);
    }
    if (!own.length) continue;
    // 0 vs 0 loss on every level says nothing; shown only when asked for by name
    if (own.every((r) => r.all_equal) && !opts.metrics?.length) {
      skipped.push(metric.name);
      continue;
    }
    metrics.push(metric);
    rows.push(...own);
  }
  return { metrics, rows, skipped };
}

/**
 * The smallest two-sided p that the exact Mann-Whitney test can give for sizes m and n: both
 * extreme orderings, 2 / C(m+n, m) (3 and 3 → 0.1, 4 and 4 → 0.029, 5 and 5 → 0.0079).
 */
export function mannWhitneyMinP(m: number, n: number): number {
  let c = 1;
  for (let i = 1; i <= m; i++) c = (c * (n + i)) / i;
  return Math.min(1, 2 / c);
}

/** benchstat's "need >= 4 samples to detect a difference at alpha level 0.05", with the numbers. */
function powerNotes(rows: readonly ComparisonRow[], opts: CompareOptions): string[] {
  const seen = new Set<string>();
  const notes: string[] = [];
  for (const r of rows) {
    const key = `${r.a.n}/${r.b.n}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (opts.test === 'mann-whitney') {
      const minP = mannWhitneyMinP(r.a.n, r.b.n);
      if (minP >= opts.alpha)
        notes.push(
          `with ${r.a.n} and ${r.b.n} repetitions, Mann-Whitney cannot reach p < ${opts.alpha} (the smallest possible p is ${minP.toPrecision(3)}): every verdict at such levels is ~; add repetitions (5 a side reach 0.008)`,
        );
    } else if (r.a.n < 2 || r.b.n < 2) {
      notes.push(`Welch's t needs at least 2 repetitions a side (got ${r.a.n} and ${r.b.n}): no p-value there`);
    }
  }
  return notes;
}
