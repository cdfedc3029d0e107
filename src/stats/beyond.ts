/**
 * Is a level past a limit, judged over its repetitions? It is when the 95 % confidence interval of
 * its mean (Student t, describe.ts) lies wholly beyond the limit: the figures are then
 * significantly worse than the limit (a one-sided test at 2.5 %), not merely one unlucky
 * repetition. A level whose mean sits exactly at the limit breaches about once in 40 such levels;
 * one far past it breaches whatever its spread. With one repetition there is no interval, and the
 * value is judged on its own. Pure.
 */
import { describe } from './describe.js';

export interface Beyond {
  n: number;
  mean: number | null;
  /** 95 % CI of the mean; null with fewer than 2 values */
  ci_low: number | null;
  ci_high: number | null;
  /** the interval (or the one value) lies wholly past the limit on the worse side */
  beyond: boolean;
}

/** `worse`: `above` for a ceiling (latency), `below` for a floor (req/s). No value: not beyond (the caller says why). */
export function beyondLimit(values: readonly (number | null)[], limit: number, worse: 'above' | 'below'): Beyond {
  const d = describe(values);
  const { n, mean, ci_low, ci_high } = d;
  if (mean === null) return { n, mean, ci_low, ci_high, beyond: false };
  // n = 1: no interval; the value is the mean
  const near = worse === 'above' ? (ci_low ?? mean) : (ci_high ?? mean);
  return { n, mean, ci_low, ci_high, beyond: worse === 'above' ? near > limit : near < limit };
}
