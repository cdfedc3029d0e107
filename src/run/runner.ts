/**
 * One load scenario, start to end: check the environment, then every planned (level, repetition)
 * run in order, each stored the moment it finishes. Interruption drops only the run in flight.
 * It is the case of one member of scenarios run together (together.ts).
 */
import type { FolderOptions } from '../results/lifecycle.js';
import type { LoadScenario } from '../kinds/load/scenario.js';
import type { ResolvedScenario } from '../scenario/resolved.js';
import type { LoadRun } from '../kinds/load/sample.js';
import { runTogether, type ScenarioResult } from './together.js';

export type { ScenarioResult } from './together.js';

export interface RunOptions extends FolderOptions {
  /** a stored run to complete instead of starting a new folder */
  resume?: LoadRun;
  acceptNewHostKeys?: boolean;
}

export async function runScenario(r: ResolvedScenario<LoadScenario>, opts: RunOptions): Promise<ScenarioResult> {
  const [outcome] = await runTogether([{ scenario: r, resume: opts.resume, lock: opts.lock }], opts);
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}
