/**
 * The percentile bootstrap against cases whose answer is known: a closed form where the bootstrap
 * distribution is normal to a good approximation (the mean of 40 values; a ratio of means by the
 * delta method), exact cases, numpy's quantiles, and Efron & Tibshirani's worked example of a
 * ratio (the patch data, "An Introduction to the Bootstrap", §10.3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOTSTRAP, bootstrapReplicates, percentileInterval, quantileSorted, ratioOfMeans, seededRandom } from '../src/stats/bootstrap.js';

const close = (actual: number | null, expected: number, tol: number, what = '') =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tol, `${what} ${actual} is not within ${tol} of ${expected}`);

const Z975 = 1.959963984540054;

test('quantiles as numpy.quantile (linear, type 7) gives them', () => {
  assert.equal(quantileSorted([1, 2, 3, 4], 0.25), 1.75);
  close(quantileSorted([1, 2, 3, 4, 5], 0.1), 1.4, 1e-12);
  assert.equal(quantileSorted([7], 0.975), 7);
  assert.equal(quantileSorted([1, 3], 1), 3);
});

test('the generator is fixed by its seed, and uniform', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const xs = Array.from({ length: 20_000 }, () => a());
  assert.deepEqual(
    xs.slice(0, 5),
    Array.from({ length: 5 }, () => b()),
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  close(xs.reduce((s, x) => s + x, 0) / xs.length, 0.5, 0.01, 'mean of U(0,1)');
  assert.notEqual(seededRandom(43)(), seededRandom(42)());
});

test('a ratio that is the same in every pair: the interval is that ratio exactly', () => {
  const pairs = [1000, 1100, 950, 1020, 990].map((b) => [1.5 * b, b] as const);
  const r = ratioOfMeans(pairs);
  assert.equal(r.n, 5);
  close(r.ratio, 1.5, 1e-12, 'ratio');
  close(r.low, 1.5, 1e-12, 'low');
  close(r.high, 1.5, 1e-12, 'high');
});

test('closed form: the mean of 1..40 (denominators 1) — the bootstrap interval is mean ± z·σ/√n, σ the plug-in sd', () => {
  const xs = Array.from({ length: 40 }, (_, i) => i + 1);
  const r = ratioOfMeans(xs.map((x) => [x, 1] as const));
  // σ² = (n² − 1)/12 for 1..n: the bootstrap's distribution of the mean has sd σ/√n = 1.8252
  const half = (Z975 * Math.sqrt((40 * 40 - 1) / 12)) / Math.sqrt(40);
  close(r.ratio, 20.5, 1e-12, 'mean');
  // 2000 resamples: a 2.5 % quantile has a Monte Carlo sd of about 0.11 here
  close(r.low, 20.5 - half, 0.35, 'low');
  close(r.high, 20.5 + half, 0.35, 'high');
});

test('closed form: a ratio of means by the delta method, R ± z·√(Σ(a − R·b)²/n) / (√n · mean b)', () => {
  // 60 pairs, the numerator's noise partly shared with the denominator's (as two runs of one night)
  const pairs = Array.from({ length: 60 }, (_, i) => {
    const shared = 40 * Math.sin(i * 1.7);
    return [2300 + shared + 60 * Math.cos(i * 2.3), 1400 + 0.5 * shared + 30 * Math.sin(i * 0.9)] as const;
  });
  const n = pairs.length;
  const meanA = pairs.reduce((s, p) => s + p[0], 0) / n;
  const meanB = pairs.reduce((s, p) => s + p[1], 0) / n;
  const R = meanA / meanB;
  const se = Math.sqrt(pairs.reduce((s, [a, b]) => s + (a - R * b) ** 2, 0) / n) / (Math.sqrt(n) * meanB);
  const r = ratioOfMeans(pairs);
  close(r.ratio, R, 1e-12, 'ratio');
  close(r.low, R - Z975 * se, 0.12 * Z975 * se, 'low');
  close(r.high, R + Z975 * se, 0.12 * Z975 * se, 'high');
  assert.ok(r.low! < R && R < r.high!);
});

test("Efron & Tibshirani's patch data (§10.3): ratio −0.0713, bootstrap standard error about 0.105", () => {
  // z = oldpatch − placebo, y = newpatch − oldpatch, eight subjects; θ = E(y)/E(z)
  const z = [8406, 2342, 8187, 8459, 4795, 3516, 4796, 10238];
  const y = [-1200, 2601, -2705, 1982, -1290, 351, -638, -2719];
  const r = ratioOfMeans(y.map((v, i) => [v, z[i]] as const));
  close(r.ratio, -452.25 / 6342.375, 1e-12, 'θ̂');
  close(r.ratio, -0.0713, 5e-5, 'θ̂ as printed');
  const reps = bootstrapReplicates(8, (idx) => idx.reduce((s, i) => s + y[i], 0) / idx.reduce((s, i) => s + z[i], 0));
  const m = reps.reduce((s, v) => s + v, 0) / reps.length;
  const se = Math.sqrt(reps.reduce((s, v) => s + (v - m) ** 2, 0) / (reps.length - 1));
  // the book's 0.105 is itself from 400 resamples
  close(se, 0.105, 0.012, 'bootstrap standard error');
  assert.ok(r.low! < r.ratio! && r.ratio! < r.high!);
});

test('reproducible: the same pairs give the same interval; fewer than 2 pairs or a zero denominator give none', () => {
  const pairs = [
    [2300, 1400],
    [2250, 1380],
    [2400, 1450],
    [2280, 1390],
    [2330, 1420],
  ] as const;
  assert.deepEqual(ratioOfMeans(pairs), ratioOfMeans(pairs));
  const other = ratioOfMeans(pairs, { seed: 1 });
  assert.notEqual(other.low, ratioOfMeans(pairs).low);
  assert.equal(BOOTSTRAP.resamples, 2000);
  assert.deepEqual(ratioOfMeans([[2300, 1400]]), { n: 1, ratio: 2300 / 1400, low: null, high: null });
  assert.deepEqual(ratioOfMeans([]), { n: 0, ratio: null, low: null, high: null });
  assert.deepEqual(
    ratioOfMeans([
      [5, 0],
      [6, 0],
    ]),
    { n: 2, ratio: null, low: null, high: null },
  );
  // a wider confidence gives a wider interval
  const narrow = percentileInterval(5, (idx) => idx.reduce((s, i) => s + pairs[i][0], 0) / 5, { confidence: 0.5 })!;
  const wide = percentileInterval(5, (idx) => idx.reduce((s, i) => s + pairs[i][0], 0) / 5, { confidence: 0.99 })!;
  assert.ok(wide.low < narrow.low && wide.high > narrow.high);
});
