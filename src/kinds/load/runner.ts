/**
 * One load scenario, start to end: check the environment, then every planned (level, repetition)
 * run in order, each stored the moment it finishes. Interruption drops only the run in flight.
 * It is the case of one member of scenarios run together (together.ts).
 */
import type { RunOptions, ScenarioResult } from '../kind.js';
import type { LoadRun, RunSample } from './sample.js';
import type { LoadScenario } from './scenario.js';
import type { ResolvedScenario } from '../../scenario/resolved.js';
import { runTogether } from './together.js';

export async function runScenario(r: ResolvedScenario<LoadScenario>, opts: RunOptions<LoadRun>): Promise<ScenarioResult<RunSample>> {
  const [outcome] = await runTogether([{ scenario: r, resume: opts.resume, lock: opts.lock }], opts);
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}
