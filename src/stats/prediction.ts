/**
 * The prediction interval of one more observation from a normal sample: where a new value falls
 * with the given probability, given n earlier ones (mean ± t(1−α/2, n−1)·s·√(1 + 1/n)). Wider than
 * the mean's confidence interval, which is ± t·s/√n: the new value has its own noise besides the
 * uncertainty of the mean. Pure.
 */
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { tQuantile } from './distributions.js';

export interface PredictionBand {
  n: number;
  mean: number;
  /** sample standard deviation (n − 1) */
  sd: number;
  low: number;
  high: number;
}

/** The band of `values` (at least 2) at `confidence` (0.99: a new value falls outside it once in a hundred). */
export function predictionBand(values: readonly number[], confidence: number): PredictionBand {
  const n = values.length;
  if (n < 2) throw new RangeError(`a prediction band needs at least 2 values, got ${n}`);
  const m = mean([...values]);
  const sd = sampleStandardDeviation([...values]);
  const half = tQuantile(1 - (1 - confidence) / 2, n - 1) * sd * Math.sqrt(1 + 1 / n);
  return { n, mean: m, sd, low: m - half, high: m + half };
}
