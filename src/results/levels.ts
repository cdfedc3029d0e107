import type { StoredRun } from './types.js';

/** The levels a run measured, ascending (pure: no I/O, for statistics and exporters too). */
export function levelsOf(run: StoredRun): number[] {
  return [...new Set(run.samples.map((s) => s.level))].sort((a, b) => a - b);
}
