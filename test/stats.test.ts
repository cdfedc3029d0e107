/**
 * Statistics against literal data with known values. Where a value is quoted to many digits it was
 * computed with scipy 1.17.1 (scipy.stats.t.ppf, mannwhitneyu, ttest_ind) unless said otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describe, mannWhitneyU, welchT, tQuantile, tCdf } from '../src/stats/describe.js';
import { incompleteBeta, lnGamma, normalSf } from '../src/stats/distributions.js';
import { mannWhitneyExactSf } from '../src/stats/significance.js';

const close = (actual: number | null, expected: number, tol: number, what = '') =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tol, `${what} ${actual} is not within ${tol} of ${expected}`);

test('t quantile matches printed tables and scipy', () => {
  // Printed tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2) give three decimals
  close(tQuantile(0.975, 1), 12.706, 5e-4, 't(0.975, 1)');
  close(tQuantile(0.975, 2), 4.303, 5e-4, 't(0.975, 2)');
  close(tQuantile(0.975, 29), 2.045, 5e-4, 't(0.975, 29)');
  close(tQuantile(0.975, 1000), 1.962, 5e-4, 't(0.975, 1000)');
  // scipy.stats.t.ppf, to many digits
  close(tQuantile(0.975, 1), 12.706204736174694, 1e-9);
  close(tQuantile(0.975, 5), 2.5705818356363146, 1e-10);
  close(tQuantile(0.975, 29), 2.045229642132703, 1e-10);
  close(tQuantile(0.995, 3), 5.840909309733355, 1e-9);
  close(tQuantile(0.025, 29), -2.045229642132703, 1e-10, 'lower tail is the mirror');
  assert.equal(tQuantile(0.5, 7), 0);
  // t with 1 df is Cauchy: P(T ≤ 1) = 3/4 exactly
  close(tCdf(1, 1), 0.75, 1e-14);
});

test('special functions at exact values', () => {
  close(lnGamma(5), Math.log(24), 1e-13, 'lnΓ(5) = ln 4!');
  close(lnGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-13, 'Γ(½) = √π');
  close(incompleteBeta(0.3, 1, 1), 0.3, 1e-14, 'I_x(1,1) = x');
  close(incompleteBeta(0.3, 2, 1), 0.09, 1e-14, 'I_x(2,1) = x²');
  close(normalSf(1.959963984540054), 0.025, 1e-8, 'z(0.975)');
});

test('describe: the textbook data set 2,4,4,4,5,5,7,9', () => {
  const d = describe([2, 4, 4, 4, 5, 5, 7, 9, null]);
  assert.equal(d.n, 8, 'nulls are skipped');
  assert.equal(d.mean, 5);
  // Σ(x−5)² = 32, s = √(32/7)
  close(d.sd, Math.sqrt(32 / 7), 1e-12, 'sd');
  // scipy.stats.t.interval(0.95, 7, loc=5, scale=sem)
  close(d.ci_low, 3.21251208176379, 1e-9, 'ci_low');
  close(d.ci_high, 6.787487918236209, 1e-9, 'ci_high');
  assert.equal(d.median, 4.5);
  assert.equal(d.min, 2);
  assert.equal(d.max, 9);
  close(d.cv, Math.sqrt(32 / 7) / 5, 1e-12, 'cv');
});

test('describe: edge cases', () => {
  assert.deepEqual(describe([]), { n: 0, mean: null, sd: null, ci_low: null, ci_high: null, median: null, min: null, max: null, cv: null });
  assert.deepEqual(describe([null, 7]), { n: 1, mean: 7, sd: null, ci_low: null, ci_high: null, median: 7, min: 7, max: 7, cv: null });
  const zeros = describe([0, 0, 0]);
  assert.equal(zeros.sd, 0);
  assert.equal(zeros.cv, null, 'cv is null when the mean is 0');
  assert.equal(zeros.ci_low, 0);
  // two values: t(0.975, 1)·s/√2 with s = √2 → half-width 12.7062
  const two = describe([1, 3]);
  close(two.ci_high! - two.mean!, 12.706204736174694, 1e-9);
});

test('Mann-Whitney U: exact, small samples without ties', () => {
  // scipy docs example (Conover's diagnosis ages): U = 17, p = 0.1111111111111111 (= 2·7/126 by hand:
  // 7 of the C(9,4) = 126 arrangements have U ≤ 3)
  const r = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
  assert.equal(r.statistic, 17);
  assert.equal(r.method, 'exact');
  close(r.p, 0.1111111111111111, 1e-14);
  // a 3-value sample against 20: still exact (scipy's rule), p from scipy
  const s = mannWhitneyU(
    [2.5, 17.5, 30.5],
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  assert.equal(s.statistic, 39);
  close(s.p, 0.4573687182382834, 1e-12);
  // complete separation of 3 and 3: P(U ≥ 9) = 1/20, two-sided 0.1
  close(mannWhitneyU([4, 5, 6], [1, 2, 3]).p, 0.1, 1e-14);
  close(mannWhitneyExactSf(0, 4, 6), 1, 1e-14);
});

test('Mann-Whitney U: normal approximation with tie correction', () => {
  const ties = mannWhitneyU([1, 2, 2, 3, 3, 3, 4, 5], [3, 4, 4, 5, 5, 6, 7, 7, 8]);
  assert.equal(ties.method, 'normal');
  assert.equal(ties.statistic, 7.5);
  close(ties.p, 0.006373133838085873, 1e-7); // erfc is good to ~1e-7
  // no ties but both samples larger than 8
  const big = mannWhitneyU([10.5, 11.5, 12.5, 13.5, 14.5, 15.5, 16.5, 17.5, 18.5], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 19, 20]);
  assert.equal(big.statistic, 90);
  close(big.p, 0.011639972121794035, 1e-7);
  assert.equal(mannWhitneyU([5, 5, 5, 5, 5, 5, 5, 5, 5], [5, 5, 5, 5, 5, 5, 5, 5, 5]).p, 1, 'all equal');
});

test("Welch's t test", () => {
  // Wikipedia "Welch's t-test", example 1: t = −2.46, ν ≈ 24.99, p = 0.021; scipy to more digits
  const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
  const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
  const r = welchT(a1, a2)!;
  close(r.statistic, -2.455356398286006, 1e-12);
  close(r.p, 0.021378001462866992, 1e-10);
  const b1 = [17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8];
  const b2 = [21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8];
  close(welchT(b1, b2)!.p, 0.14884169660532817, 1e-10);
  assert.equal(welchT([1], [2, 3]), null);
  assert.equal(welchT([0, 0, 0], [0, 0])!.p, 1);
  assert.equal(welchT([1, 1, 1], [2, 2])!.p, 0);
});
