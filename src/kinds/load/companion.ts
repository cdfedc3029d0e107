/**
 * The load kind's companion: the reference scenario that `relative_to` names, read with the
 * invocation's profile and overrides, and checked before anything runs (exit 2).
 */
import { resolve } from 'node:path';
import { inputError } from '../../errors.js';
import { isPathReference, referenceFile } from './relative-to.js';
import type { ResolvedScenario } from '../../scenario/resolved.js';
import type { LoadScenario } from './scenario.js';
import type { ScenarioBase } from '../../scenario/fields.js';

const isLoad = (r: ResolvedScenario<ScenarioBase>): r is ResolvedScenario<LoadScenario> => r.scenario.kind === 'load';

export async function loadCompanion(
  r: ResolvedScenario<LoadScenario>,
  load: (file: string) => Promise<ResolvedScenario<ScenarioBase>>,
): Promise<ResolvedScenario<LoadScenario> | null> {
  const file = referenceFile(r);
  const named = r.scenario.relative_to;
  if (file === null || named === undefined) return null;
  const at = `${r.file}: relative_to`;
  if (resolve(file) === resolve(r.file)) throw inputError(`${at}: names this scenario itself; name its reference, e.g. single`);
  const ref = await load(file);
  if (!isLoad(ref)) throw inputError(`${at}: ${file} is a ${ref.scenario.kind} scenario; a reference must be a load scenario`);
  if (!isPathReference(named) && ref.scenario.name !== named)
    throw inputError(
      `${at}: ${file} holds the scenario "${ref.scenario.name}", not "${named}"`,
      `name it relative_to: ${ref.scenario.name}, or by its path`,
    );
  if (ref.scenario.relative_to !== undefined)
    throw inputError(
      `${at}: ${file} names a reference of its own (relative_to: ${ref.scenario.relative_to}); a reference is measured plainly`,
      `remove relative_to from ${file}, or name ${ref.scenario.relative_to} here`,
    );
  return ref;
}
