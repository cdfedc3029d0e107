/**
 * Ratios between two load runs measured together, their runs paired by (level, repetition), as
 * reproduce judges the thesis on them: at each level both ran, and at the peaks (each side's
 * highest mean over those levels, as the thesis's figures are peaks). Intervals by the bootstrap
 * of src/stats: at a level the pairs are resampled; at the peaks the repetitions are, each with
 * its runs at every level of both sides. Pure.
 */
import type { RunSample, LoadRun } from '../kinds/load/sample.js';
import { levelsOf } from '../kinds/registry.js';
import { sampleKey } from '../kinds/load/stored.js';
import { percentileInterval } from '../stats/bootstrap.js';
import { describeRatio } from '../stats/ratio.js';

export type Figure = (s: RunSample) => number | null;

export interface LevelRatio {
  level: number;
  /** pairs with both figures */
  n: number;
  ratio: number | null;
  low: number | null;
  high: number | null;
}

export interface PeakRatio {
  /** repetitions with a figure at every shared level on both sides */
  n: number;
  ratio: number;
  low: number | null;
  high: number | null;
  a: { level: number; mean: number };
  b: { level: number; mean: number };
}

const sharedLevels = (a: LoadRun, b: LoadRun) => levelsOf(a).filter((l) => levelsOf(b).includes(l));

/** The figure of each side: one for both, or a's and b's (a balanced mean against the single server's). */
export type Figures = Figure | readonly [Figure, Figure];
const split = (f: Figures): readonly [Figure, Figure] => (typeof f === 'function' ? [f, f] : f);

/** b's sample of each of a's (level, repetition), where both have the figure. */
function pairs(a: LoadRun, b: LoadRun, figures: Figures, level: number): [number, number][] {
  const [fa, fb] = split(figures);
  const other = new Map(b.samples.filter((s) => s.level === level).map((s) => [sampleKey(s), s]));
  const out: [number, number][] = [];
  for (const s of a.samples.filter((x) => x.level === level)) {
    const t = other.get(sampleKey(s));
    const [x, y] = [fa(s), t ? fb(t) : null];
    if (x !== null && y !== null && Number.isFinite(x) && Number.isFinite(y)) out.push([x, y]);
  }
  return out;
}

/** a ÷ b at each level both ran: the ratio of the means over the pairs, with its bootstrap interval. */
export function levelRatios(a: LoadRun, b: LoadRun, figures: Figures, confidence: number): LevelRatio[] {
  return sharedLevels(a, b).map((level) => {
    const d = describeRatio(pairs(a, b, figures, level), { confidence });
    return { level, n: d.n, ratio: d.mean, low: d.ci_low, high: d.ci_high };
  });
}

/** The highest of the levels' means of the chosen repetitions, and its level. */
function peakOf(table: readonly number[][], idx: readonly number[], levels: readonly number[]): { level: number; mean: number } {
  let best = { level: levels[0], mean: -Infinity };
  levels.forEach((level, j) => {
    const mean = idx.reduce((sum, i) => sum + table[i][j], 0) / idx.length;
    if (mean > best.mean) best = { level, mean };
  });
  return best;
}

/**
 * a's peak ÷ b's peak over the levels both ran, from the repetitions that have the figure at every
 * one of them on both sides; null when fewer than one such repetition.
 */
export function peakRatio(a: LoadRun, b: LoadRun, figures: Figures, confidence: number): PeakRatio | null {
  const levels = sharedLevels(a, b);
  const at = (run: LoadRun, figure: Figure) => new Map(run.samples.map((s) => [sampleKey(s), figure(s)]));
  const [fa, fb] = [at(a, split(figures)[0]), at(b, split(figures)[1])];
  const reps = [...new Set(a.samples.map((s) => s.repetition))].sort((x, y) => x - y);
  const whole = (f: Map<string, number | null>, r: number) => levels.map((level) => f.get(sampleKey({ level, repetition: r })) ?? null);
  const rows = reps
    .map((r) => [whole(fa, r), whole(fb, r)])
    .filter(([x, y]) => [...x, ...y].every((v) => v !== null && Number.isFinite(v))) as number[][][];
  if (!levels.length || !rows.length) return null;
  const [ta, tb] = [rows.map((r) => r[0]), rows.map((r) => r[1])];
  const all = rows.map((_, i) => i);
  const ratioAt = (idx: readonly number[]) => {
    const d = peakOf(tb, idx, levels).mean;
    return d === 0 ? null : peakOf(ta, idx, levels).mean / d;
  };
  const ratio = ratioAt(all);
  if (ratio === null) return null;
  const interval = percentileInterval(rows.length, ratioAt, { confidence });
  return {
    n: rows.length,
    ratio,
    low: interval?.low ?? null,
    high: interval?.high ?? null,
    a: peakOf(ta, all, levels),
    b: peakOf(tb, all, levels),
  };
}

/** Were they measured together, their runs interleaved (each names the other's folder)? */
export function runTogether(a: LoadRun, b: LoadRun): boolean {
  return (a.manifest.interleaved ?? []).includes(b.manifest.id);
}
