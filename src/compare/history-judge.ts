/**
 * Tonight against the nights before it, for one figure (a scenario, level and metric): each
 * night's mean is one observation, and the last N nights give a 99 % prediction band, mean ±
 * t(0.995, n−1)·s·√(1 + 1/n), where a night like them falls 99 times in 100. A night outside the band
 * on the worse side, and worse than the nights' mean by more than the gate's percentage, is *out*.
 *
 * One night out is noise until it lasts: a regression is a run of at least `confirm` nights out,
 * tonight the last of them, each judged against the N nights before the run began (so the step
 * itself never widens the band it is judged by). A run longer than N nights is no longer looked
 * for: a level that has lasted N nights is the new normal. Pure.
 */
import { changePct } from './compare.js';
import { MIN_NIGHTS } from './history-limits.js';
import { predictionBand, type PredictionBand } from '../stats/prediction.js';

export const HISTORY_CONFIDENCE = 0.99;

export interface JudgeOptions {
  /** the last N nights make the band */
  nights: number;
  /** nights out in a row, tonight the last, that make a regression */
  confirm: number;
  /** worse by more than this % of the nights' mean (0: any amount outside the band) */
  pct: number;
  better: 'higher' | 'lower';
}

/**
 * `~` inside the band; `better` outside it on the better side; `watch` out, but fewer nights in a
 * row than `confirm`; `worse` a regression; `too few nights` fewer than MIN_NIGHTS to judge by.
 */
export type HistoryVerdict = '~' | 'better' | 'watch' | 'worse' | 'too few nights';

export interface Judgement {
  verdict: HistoryVerdict;
  /** the band tonight was judged by (for `watch` and `worse`, the one before the run began); null with too few nights */
  band: PredictionBand | null;
  /** nights of this figure on record (before any left out) */
  recorded: number;
  /** tonight against the band's mean, % */
  change_pct: number | null;
  /** nights out in a row, tonight the last (0: tonight is not out) */
  nights_out: number;
}

/** Is v out of the band on the worse side, by more than pct % of its mean? */
function isOut(v: number, band: PredictionBand, o: JudgeOptions): boolean {
  const change = changePct(band.mean, v);
  return o.better === 'higher' ? v < band.low && change < -o.pct : v > band.high && change > o.pct;
}

/** The longest run of nights out ending tonight, with the band before it; 0 and tonight's own band when tonight is not out. */
function longestRun(past: readonly number[], tonight: number, o: JudgeOptions): { length: number; band: PredictionBand } {
  const m = past.length;
  const own = predictionBand(past.slice(-o.nights), HISTORY_CONFIDENCE);
  let found = { length: 0, band: own };
  // j: nights of the history in the run before tonight; the band is the N nights before the run
  for (let j = 0; j < o.nights && m - j >= MIN_NIGHTS; j++) {
    const band = j === 0 ? own : predictionBand(past.slice(0, m - j).slice(-o.nights), HISTORY_CONFIDENCE);
    if ([...past.slice(m - j), tonight].every((v) => isOut(v, band, o))) found = { length: j + 1, band };
  }
  return found;
}

/** `past`: the nights' means, oldest first, tonight's not among them. */
export function judgeNight(past: readonly number[], tonight: number, o: JudgeOptions): Judgement {
  if (past.length < MIN_NIGHTS) return { verdict: 'too few nights', band: null, recorded: past.length, change_pct: null, nights_out: 0 };
  const run = longestRun(past, tonight, o);
  const change_pct = changePct(run.band.mean, tonight);
  const base = { band: run.band, recorded: past.length, change_pct, nights_out: run.length };
  if (run.length >= o.confirm) return { verdict: 'worse', ...base };
  if (run.length > 0) return { verdict: 'watch', ...base };
  const better = o.better === 'higher' ? tonight > run.band.high : tonight < run.band.low;
  return { verdict: better ? 'better' : '~', ...base };
}
