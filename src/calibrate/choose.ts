/**
 * How `lab calibrate` judges a share and chooses the next one, and the last. Pure: measurements
 * in, a verdict out (test/calibrate.test.ts feeds it literal measurements).
 *
 * A share is a valid scale model of the thesis when the web tier is the bottleneck and the rest
 * keeps a stated headroom, all measured: web1 alone uses at least WEB_MIN_PCT of its share (the
 * web server, not something else, sets single's pace), each balancer stays below BALANCER_PCT of
 * a core and the generator below GENERATOR_PCT at the top level, and the generator did not bind
 * the bursts (generator-bound, README "Metrics"). Among valid shares, the one whose single server
 * peaks at the thesis's 1428 req/s (within TOLERANCE); where no valid share reaches it, the
 * largest valid share.
 */
import type { CalibrationPoint } from '../lab/calibration.js';

/** The thesis, §4.1: a single Apache server peaks at 1428.161 req/s (src/reproduce/thesis.ts has it too). */
export const THESIS_SINGLE_RPS = 1428.161;

export interface Budget {
  /** each balancer's CPU at the top level, % of one core */
  balancer_pct: number;
  /** the generator's CPU, % of one core */
  generator_pct: number;
  /** web1's CPU in single, % of its share: below this, the web server is not what limits */
  web_min_pct: number;
  /** the largest share: three web servers at full share beside the balancer's and generator's budgets */
  max_web_cpus: number;
  /** a share whose bursts were generator-bound is not valid (always, but in a test that checks the plumbing) */
  reject_generator_bound: boolean;
}

export interface SearchOptions {
  target: number;
  /** a share whose single peak is within this fraction of the target is taken */
  tolerance: number;
  /** shares measured at most */
  maxTries: number;
  budget: Budget;
}

export const BALANCER_PCT = 50;
export const GENERATOR_PCT = 50;
export const WEB_MIN_PCT = 80;
export const TOLERANCE = 0.05;
export const MAX_TRIES = 5;
/** the smallest share tried: below it, Apache's own start-up work swamps the measurement */
export const MIN_WEB_CPUS = 0.05;
/** shares are set in hundredths of a CPU (1 ms of a 100 ms cgroup period) */
const STEP = 0.01;

const round = (v: number) => Math.round(v / STEP) * STEP;
const floorStep = (v: number) => Math.floor(v / STEP + 1e-9) * STEP;
const fixed = (v: number) => Number(v.toFixed(2));

/**
 * Three web servers at full share run beside one balancer and the generator in the HAProxy
 * scenarios, so the share can be at most (cores − their budgets) / 3: 0.33 CPU on 2 cores.
 */
export function maxWebCpus(cpus: number, balancerPct = BALANCER_PCT, generatorPct = GENERATOR_PCT): number {
  return fixed(Math.max(MIN_WEB_CPUS, floorStep((cpus - (balancerPct + generatorPct) / 100) / 3)));
}

export function defaultSearch(cpus: number): SearchOptions {
  return {
    target: THESIS_SINGLE_RPS,
    tolerance: TOLERANCE,
    maxTries: MAX_TRIES,
    budget: {
      balancer_pct: BALANCER_PCT,
      generator_pct: GENERATOR_PCT,
      web_min_pct: WEB_MIN_PCT,
      max_web_cpus: maxWebCpus(cpus),
      reject_generator_bound: true,
    },
  };
}

export type Measured = Omit<CalibrationPoint, 'invalid'>;

/** Why a share is not a valid scale model: one phrase per reason; empty when it is. */
export function invalidReasons(m: Measured, b: Budget): string[] {
  const out: string[] = [];
  if (m.web_pct === null) out.push("web1's CPU was not measured");
  else if (m.web_pct < b.web_min_pct) out.push(`web1 used ${m.web_pct} % of its share (< ${b.web_min_pct} %): it is not the bottleneck`);
  for (const [name, v] of [
    ['HAProxy', m.haproxy_pct],
    ['Nginx', m.nginx_pct],
  ] as const)
    if (v === null) out.push(`${name}'s CPU was not measured`);
    else if (v >= b.balancer_pct) out.push(`${name} at ${v} % of a core at the top level (≥ ${b.balancer_pct} %)`);
  if (m.generator_pct >= b.generator_pct) out.push(`the generator at ${m.generator_pct} % of a core (≥ ${b.generator_pct} %)`);
  if (m.generator_bound && b.reject_generator_bound) out.push('generator-bound');
  return out;
}

export const judge = (m: Measured, b: Budget): CalibrationPoint => ({ ...m, invalid: invalidReasons(m, b) });

const valid = (p: CalibrationPoint) => p.invalid.length === 0;
const within = (p: CalibrationPoint, o: SearchOptions) => Math.abs(p.single_rps - o.target) <= o.tolerance * o.target;

/**
 * How much smaller an invalid share must be for its figures to fit their budgets: the balancer's
 * and the generator's CPU follow the requests served, which follow the share; a web server below
 * its minimum is given what it used. At most 0.8 of it, so the search moves.
 */
function shrink(p: CalibrationPoint, b: Budget): number {
  const ratios = [0.8];
  for (const v of [p.haproxy_pct, p.nginx_pct]) if (v !== null && v >= b.balancer_pct) ratios.push((0.9 * b.balancer_pct) / v);
  if (p.generator_pct >= b.generator_pct) ratios.push((0.9 * b.generator_pct) / p.generator_pct);
  if (p.web_pct !== null && p.web_pct < b.web_min_pct) ratios.push(p.web_pct / 100);
  return Math.max(0.1, Math.min(...ratios));
}

/** The share the target lies at, between a valid share below it and a share above it (or invalid). */
function between(lo: CalibrationPoint, hi: CalibrationPoint, o: SearchOptions): number {
  if (!valid(hi) || hi.single_rps <= lo.single_rps) return (lo.web_cpus + hi.web_cpus) / 2;
  return lo.web_cpus + ((o.target - lo.single_rps) * (hi.web_cpus - lo.web_cpus)) / (hi.single_rps - lo.single_rps);
}

/** Where the target should be, from the shares measured so far (single's peak grows about in proportion to the share). */
function aim(points: readonly CalibrationPoint[], o: SearchOptions): number | null {
  const lo = points.filter((p) => valid(p) && p.single_rps < o.target).sort((a, b) => b.web_cpus - a.web_cpus)[0];
  const hi = points
    .filter((p) => (!valid(p) || p.single_rps > o.target) && (!lo || p.web_cpus > lo.web_cpus))
    .sort((a, b) => a.web_cpus - b.web_cpus)[0];
  if (lo && hi) return between(lo, hi, o);
  if (lo) return lo.single_rps > 0 ? (lo.web_cpus * o.target) / lo.single_rps : lo.web_cpus * 2;
  if (!hi) return null;
  return valid(hi) ? (hi.web_cpus * o.target) / hi.single_rps : hi.web_cpus * shrink(hi, o.budget);
}

/** The next share to measure, or null: the target is met, the tries are spent, or the search has nowhere new to go. */
export function nextShare(points: readonly CalibrationPoint[], o: SearchOptions): number | null {
  if (points.length >= o.maxTries || points.some((p) => valid(p) && within(p, o))) return null;
  const at = aim(points, o);
  if (at === null || !Number.isFinite(at)) return null;
  const next = fixed(Math.min(o.budget.max_web_cpus, Math.max(MIN_WEB_CPUS, round(at))));
  return points.some((p) => Math.abs(p.web_cpus - next) < STEP / 2) ? null : next;
}

export type Choice = { point: CalibrationPoint; reached: boolean; reason: string } | { point: null; reason: string };

const rps = (v: number) => `${Math.round(v)} req/s`;

/** The share to keep: a measured one, never an interpolation. */
export function chooseShare(points: readonly CalibrationPoint[], o: SearchOptions): Choice {
  const good = points.filter(valid);
  if (!good.length)
    return {
      point: null,
      reason: `no share tried is a valid scale model: ${points.map((p) => `${p.web_cpus} CPU: ${p.invalid.join(', ')}`).join('; ')}`,
    };
  const near = good.filter((p) => within(p, o)).sort((a, b) => Math.abs(a.single_rps - o.target) - Math.abs(b.single_rps - o.target))[0];
  if (near)
    return {
      point: near,
      reached: true,
      reason: `single peaks at ${rps(near.single_rps)}, within ${o.tolerance * 100} % of the thesis's ${rps(o.target)}`,
    };
  if (good.every((p) => p.single_rps < o.target)) {
    const largest = [...good].sort((a, b) => b.web_cpus - a.web_cpus)[0]!;
    const larger = points.filter((p) => p.web_cpus > largest.web_cpus);
    const why =
      largest.web_cpus >= o.budget.max_web_cpus
        ? `${o.budget.max_web_cpus} CPU is the most this machine allows`
        : larger.length
          ? `a larger share is not a valid model (${larger.map((p) => `${p.web_cpus} CPU: ${p.invalid.join(', ')}`).join('; ')})`
          : `the search stopped after ${points.length} shares`;
    return {
      point: largest,
      reached: false,
      reason: `this machine cannot reach the thesis's ${rps(o.target)}: ${why}; the largest valid share, ${largest.web_cpus} CPU, gives ${rps(largest.single_rps)}`,
    };
  }
  const closest = [...good].sort((a, b) => Math.abs(a.single_rps - o.target) - Math.abs(b.single_rps - o.target))[0]!;
  return {
    point: closest,
    reached: false,
    reason: `no share came within ${o.tolerance * 100} % of ${rps(o.target)} in ${points.length} tries; the closest valid one gives ${rps(closest.single_rps)}`,
  };
}
