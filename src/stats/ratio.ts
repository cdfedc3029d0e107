/**
 * A ratio of two paired measurements as one figure of a level (docs/metrics.md, "Ratios to a
 * reference"): the ratio of the means over the pairs, its percentile bootstrap interval with the
 * pairs resampled whole, and the spread of the per-pair ratios. Pure.
 */
import { BOOTSTRAP, ratioOfMeans, type BootstrapOptions } from './bootstrap.js';
import { describe, type Description } from './describe.js';

/** One pair: the scenario's figure and the reference's, or null where either is missing. */
export type Pair = readonly [number, number] | null;

/**
 * n: pairs with both figures; mean: Σ numerator ÷ Σ denominator; ci_low, ci_high: the bootstrap's
 * interval; sd, median, min, max, cv: of the per-pair ratios (how much the pairs disagree).
 */
export function describeRatio(pairs: readonly Pair[], opts: BootstrapOptions = {}): Description {
  const whole = pairs.filter((p): p is readonly [number, number] => p !== null && Number.isFinite(p[0]) && Number.isFinite(p[1]));
  const estimate = ratioOfMeans(whole, { confidence: BOOTSTRAP.confidence, ...opts });
  const each = describe(whole.map(([a, b]) => (b === 0 ? null : a / b)));
  return { ...each, n: whole.length, mean: estimate.ratio, ci_low: estimate.low, ci_high: estimate.high };
}
