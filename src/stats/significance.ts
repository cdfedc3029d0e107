/**
 * Two-sample tests for `compare`: is B's metric different from A's? Both two-sided.
 * Mann-Whitney U follows scipy.stats.mannwhitneyu (method "auto", continuity correction on);
 * Welch's t follows scipy.stats.ttest_ind(equal_var=False).
 */
import { mean, sampleVariance } from 'simple-statistics';
import { normalSf, tTwoSided } from './distributions.js';

export interface TestResult {
  /** U of the first sample, or Welch's t */
  statistic: number;
  p: number;
  method: 'exact' | 'normal' | 'welch';
}

/** Ranks 1..n of the pooled values, ties given their average rank; also the sizes of the tie groups. */
function rank(values: number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  const ties: number[] = [];
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = (i + j) / 2 + 1;
    ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/**
 * P(U ≥ u) under H0 for sample sizes m, n without ties. The counts of U are the coefficients of
 * the Gaussian binomial [m+n choose m]_q = ∏_{i=1..m} (1 − q^{n+i}) / (1 − q^i) (Mann & Whitney
 * 1947); multiply by the numerator, then divide by (1 − q^i) as a running sum.
 */
export function mannWhitneyExactSf(u: number, m: number, n: number): number {
  if (m > n) [m, n] = [n, m];
  const size = m * n + 1;
  let c = new Float64Array(size);
  c[0] = 1;
  for (let i = 1; i <= m; i++) {
    const next = Float64Array.from(c);
    for (let k = size - 1; k >= n + i; k--) next[k] -= c[k - n - i];
    for (let k = i; k < size; k++) next[k] += next[k - i];
    c = next;
  }
  let total = 0;
  let tail = 0;
  for (let k = 0; k < size; k++) {
    total += c[k];
    if (k >= u) tail += c[k];
  }
  return tail / total;
}

/** Two-sided Mann-Whitney U test. Exact when a sample has 8 or fewer values and there are no ties (scipy's rule), else normal with tie correction. */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): TestResult {
  const n1 = x.length;
  const n2 = y.length;
  if (!n1 || !n2) throw new RangeError('mannWhitneyU: both samples need values');
  const { ranks, ties } = rank([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i];
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u = Math.max(u1, n1 * n2 - u1);
  const hasTies = ties.some((t) => t > 1);
  if ((n1 <= 8 || n2 <= 8) && !hasTies) {
    return { statistic: u1, p: Math.min(1, 2 * mannWhitneyExactSf(u, n1, n2)), method: 'exact' };
  }
  // σ² = n1·n2/12 · ((n+1) − Σ(t³−t)/(n(n−1))) (Conover, Practical Nonparametric Statistics, 3rd ed., §5.1)
  const n = n1 + n2;
  const tieTerm = ties.reduce((s, t) => s + t ** 3 - t, 0);
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (sd === 0) return { statistic: u1, p: 1, method: 'normal' };
  const z = (u - (n1 * n2) / 2 - 0.5) / sd; // 0.5: continuity correction
  return { statistic: u1, p: Math.min(1, Math.max(0, 2 * normalSf(z))), method: 'normal' };
}

/**
 * Welch's unequal-variance t test, two-sided; df by the Welch–Satterthwaite equation
 * (Welch 1947). Null when a sample has fewer than two values. Two constant samples: p 1 if
 * their values are equal, else 0 (a difference with no noise at all).
 */
export function welchT(x: readonly number[], y: readonly number[]): TestResult | null {
  if (x.length < 2 || y.length < 2) return null;
  const a = sampleVariance(x as number[]) / x.length;
  const b = sampleVariance(y as number[]) / y.length;
  const diff = mean(x as number[]) - mean(y as number[]);
  if (a + b === 0) return { statistic: diff === 0 ? 0 : Math.sign(diff) * Infinity, p: diff === 0 ? 1 : 0, method: 'welch' };
  const t = diff / Math.sqrt(a + b);
  const df = (a + b) ** 2 / (a ** 2 / (x.length - 1) + b ** 2 / (y.length - 1));
  return { statistic: t, p: tTwoSided(t, df), method: 'welch' };
}
