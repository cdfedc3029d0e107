/** A load run as its folder is read back: the scenario as the reader checks it, one RunSample per line. */
import type { StoredLoadScenario } from '../results/schema.js';
import type { RunSample, StoredRunOf } from '../results/types.js';

export type LoadRun = StoredRunOf<StoredLoadScenario, RunSample>;

/** The levels a load run measured, ascending (pure: no I/O, for statistics and exporters too). */
export function levelsOf(run: { samples: readonly RunSample[] }): number[] {
  return [...new Set(run.samples.map((s) => s.level))].sort((a, b) => a - b);
}
