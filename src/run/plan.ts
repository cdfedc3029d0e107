/**
 * The order of runs. Repetitions are interleaved across levels (every level once, then again),
 * so that the drift of a noisy machine spreads over every level instead of biasing one
 * (the advice of benchstat's authors). Resume skips what a run folder already holds.
 */
import type { RunSample } from '../results/types.js';

export interface PlannedRun {
  level: number;
  repetition: number;
}

export function planRuns(levels: readonly number[], repetitions: number, done: readonly RunSample[] = []): PlannedRun[] {
  const have = new Set(done.map((s) => `${s.level}/${s.repetition}`));
  const plan: PlannedRun[] = [];
  for (let repetition = 1; repetition <= repetitions; repetition++) {
    for (const level of levels) if (!have.has(`${level}/${repetition}`)) plan.push({ level, repetition });
  }
  return plan;
}
