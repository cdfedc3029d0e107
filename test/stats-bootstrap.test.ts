/**
 * The percentile bootstrap against cases whose answer is known: closed forms where the bootstrap
 * distribution is normal to a good approximation (the mean of 40 values: Student's t interval for
 * the expanded interval, z·σ/√n for the plain one; a ratio of means by the delta method; Fieller's
 * interval for five and eight pairs), exact cases, numpy's quantiles, and Efron & Tibshirani's
 * worked example of a ratio (the patch data, "An Introduction to the Bootstrap", §10.3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BOOTSTRAP,
  bootstrapReplicates,
  expandedTail,
  percentileInterval,
  quantileSorted,
  ratioOfMeans,
  seededRandom,
} from '../src/stats/bootstrap.js';
import { normalSf, tQuantile } from '../src/stats/distributions.js';

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

test('closed form: the mean of 1..40 (denominators 1) — the expanded interval is Student t, the plain one mean ± z·σ/√n', () => {
  const xs = Array.from({ length: 40 }, (_, i) => i + 1);
  const pairs = xs.map((x) => [x, 1] as const);
  // s² = n(n + 1)/12 for 1..n (sample variance); the plug-in σ² = (n² − 1)/12
  const student = (tQuantile(0.975, 39) * Math.sqrt((40 * 41) / 12)) / Math.sqrt(40);
  const plain = (Z975 * Math.sqrt((40 * 40 - 1) / 12)) / Math.sqrt(40);
  const r = ratioOfMeans(pairs);
  close(r.ratio, 20.5, 1e-12, 'mean');
  // 2000 resamples: a bound has a Monte Carlo sd of about 0.11 here (200 000 give 16.775 and 24.25 against 16.761 and 24.239)
  close(r.low, 20.5 - student, 0.35, 'expanded low');
  close(r.high, 20.5 + student, 0.35, 'expanded high');
  const p = ratioOfMeans(pairs, { expand: false });
  close(p.low, 20.5 - plain, 0.35, 'plain low');
  close(p.high, 20.5 + plain, 0.35, 'plain high');
});

test('the expanded levels: Φ(−√(n/(n−1))·t(0.975, n−1)) — 0.00095 at n = 5, 0.0188 at n = 30, → 0.025 as n grows', () => {
  close(expandedTail(5, 0.95), normalSf(Math.sqrt(5 / 4) * 2.7764451051977987), 1e-12, 'n 5');
  close(expandedTail(5, 0.95), 0.000954, 1e-6, 'n 5');
  close(expandedTail(30, 0.95), 0.01875, 1e-4, 'n 30');
  close(expandedTail(100_000, 0.95), 0.025, 1e-4, 'n large');
});

test('closed form: a ratio of means by the delta method, R ± √(n/(n−1))·t·√(Σ(a − R·b)²/n) / (√n · mean b)', () => {
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
  const half = Math.sqrt(n / (n - 1)) * tQuantile(0.975, n - 1) * se;
  const r = ratioOfMeans(pairs);
  close(r.ratio, R, 1e-12, 'ratio');
  close(r.low, R - half, 0.12 * half, 'low');
  close(r.high, R + half, 0.12 * half, 'high');
  assert.ok(r.low! < R && R < r.high!);
});

/** Fieller's interval for the ratio of the means of paired values (normal errors, t with n − 1 df). */
function fieller(pairs: readonly (readonly [number, number])[]): [number, number] {
  const n = pairs.length;
  const ma = pairs.reduce((s, p) => s + p[0], 0) / n;
  const mb = pairs.reduce((s, p) => s + p[1], 0) / n;
  const cov = (f: (p: readonly [number, number]) => number) => pairs.reduce((s, p) => s + f(p), 0) / (n - 1);
  const [saa, sbb, sab] = [cov(([a]) => (a - ma) ** 2), cov(([, b]) => (b - mb) ** 2), cov(([a, b]) => (a - ma) * (b - mb))];
  const q = tQuantile(0.975, n - 1) ** 2 / n;
  const [A, B, C] = [mb * mb - q * sbb, ma * mb - q * sab, ma * ma - q * saa];
  const d = Math.sqrt(B * B - A * C);
  return [(B - d) / A, (B + d) / A];
}

test("closed form: five and eight pairs against Fieller's interval; the plain percentile interval is too narrow at n = 5", () => {
  const cases = [
    [
      [2290, 1000],
      [2301, 1012],
      [2312, 990],
      [2285, 1005],
      [2296, 996],
    ],
    [
      [2200, 1400],
      [2350, 1380],
      [2100, 1450],
      [2300, 1390],
      [2250, 1420],
    ],
    [
      [1575, 1202],
      [1500, 1100],
      [1620, 1250],
      [1400, 1000],
      [1550, 1150],
      [1580, 1190],
      [1490, 1120],
      [1600, 1210],
    ],
  ] as const;
  for (const pairs of cases) {
    const [low, high] = fieller(pairs);
    const r = ratioOfMeans(pairs);
    const tol = 0.2 * (high - low);
    close(r.low, low, tol, `n ${pairs.length}: low`);
    close(r.high, high, tol, `n ${pairs.length}: high`);
  }
  // the plain interval at n = 5 misses a quarter of Fieller's width or more
  const [low, high] = fieller(cases[1]);
  const plain = ratioOfMeans(cases[1], { expand: false });
  assert.ok(plain.high! - plain.low! < 0.75 * (high - low), `${plain.low}–${plain.high} against ${low}–${high}`);
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
  const forty = Array.from({ length: 40 }, (_, i) => [i + 1, 1] as const);
  assert.notEqual(ratioOfMeans(forty, { seed: 1 }).low, ratioOfMeans(forty).low, 'another seed, other resamples');
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
  // a wider confidence gives a wider interval; two pairs: the expanded levels are beyond every resample, the bounds the extremes
  assert.deepEqual(
    ratioOfMeans([
      [3, 1],
      [5, 1],
    ]),
    { n: 2, ratio: 4, low: 3, high: 5 },
  );
  const narrow = percentileInterval(5, (idx) => idx.reduce((s, i) => s + pairs[i][0], 0) / 5, { confidence: 0.5 })!;
  const wide = percentileInterval(5, (idx) => idx.reduce((s, i) => s + pairs[i][0], 0) / 5, { confidence: 0.99 })!;
  assert.ok(wide.low < narrow.low && wide.high > narrow.high);
});
