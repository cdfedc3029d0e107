/**
 * Summary statistics of one (scenario, level, metric) over its repetitions, as docs/metrics.md
 * ("Aggregates") lists them. Pure. The two-sample tests for `compare` are re-exported from here.
 */
import { max, mean, median, min, sampleStandardDeviation } from 'simple-statistics';
import { tQuantile } from './distributions.js';

export { mannWhitneyU, welchT, type TestResult } from './significance.js';
export { tQuantile, tCdf } from './distributions.js';

export interface Description {
  /** values that were not null */
  n: number;
  mean: number | null;
  /** sample standard deviation (n − 1) */
  sd: number | null;
  /** 95 % confidence interval of the mean, Student t */
  ci_low: number | null;
  ci_high: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
  /** coefficient of variation sd/mean, a fraction (0.1 = 10 %); null when mean is 0 */
  cv: number | null;
}

export const CONFIDENCE = 0.95;

/** The measured values of a metric: nulls (not measured) and non-finite values left out. */
export function finiteValues(values: readonly (number | null | undefined)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** t(0.975, df) is asked for the same few df over and over: keep them. */
const tCache = new Map<number, number>();
function tCritical(df: number): number {
  let t = tCache.get(df);
  if (t === undefined) tCache.set(df, (t = tQuantile(1 - (1 - CONFIDENCE) / 2, df)));
  return t;
}

export function describe(values: readonly (number | null | undefined)[]): Description {
  const xs = finiteValues(values);
  const n = xs.length;
  if (n === 0) return { n, mean: null, sd: null, ci_low: null, ci_high: null, median: null, min: null, max: null, cv: null };
  const m = mean(xs);
  const base = { n, mean: m, median: median(xs), min: min(xs), max: max(xs) };
  if (n === 1) return { ...base, sd: null, ci_low: null, ci_high: null, cv: null };
  const sd = sampleStandardDeviation(xs);
  // mean ± t(1−α/2, n−1)·s/√n
  const half = (tCritical(n - 1) * sd) / Math.sqrt(n);
  return { ...base, sd, ci_low: m - half, ci_high: m + half, cv: m === 0 ? null : sd / Math.abs(m) };
}

/** Where a figure can lie: counts, rates, times and CPU are never negative; a percentage of a whole is at most 100. */
export interface Domain {
  min: number;
  max?: number;
}
export const NON_NEGATIVE: Domain = { min: 0 };

/**
 * describe(), with the confidence interval of the mean cut to the figure's domain: Student's t
 * interval intersected with [min, max]. The true mean of values that cannot be negative is not
 * negative, so whenever t's interval holds it the cut one does too: the cut keeps its coverage
 * (95 %) and drops only values the mean cannot take (e.g. an idle host's CPU, 0.026 ± 0.049 %,
 * is 0–0.075 %, not −0.023–0.075 %).
 */
export function describeWithin(values: readonly (number | null | undefined)[], domain: Domain = NON_NEGATIVE): Description {
  const d = describe(values);
  if (d.ci_low === null || d.ci_high === null) return d;
  const max = domain.max ?? Infinity;
  return { ...d, ci_low: Math.min(max, Math.max(domain.min, d.ci_low)), ci_high: Math.max(domain.min, Math.min(max, d.ci_high)) };
}
