/**
 * `relative_to` (a load scenario's reference scenario, docs/scenarios.md): the file it names. A
 * name (`single`) is the file `single.yaml` (or `.yml`) beside the scenario; a value ending in
 * .yaml or .yml is a path relative to the scenario's file.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { inputError } from '../../errors.js';
import type { ResolvedScenario } from '../../scenario/resolved.js';
import type { LoadScenario } from './scenario.js';

/** Names a file rather than a scenario beside this one. */
export const isPathReference = (value: string) => /\.ya?ml$/.test(value);

/** The reference's file, or null without `relative_to`; exit 2 when a name has no file beside the scenario. */
export function referenceFile(r: ResolvedScenario<LoadScenario>): string | null {
  const value = r.scenario.relative_to;
  if (value === undefined) return null;
  const dir = dirname(r.file);
  if (isPathReference(value)) return isAbsolute(value) ? value : join(dir, value);
  const candidates = [`${value}.yaml`, `${value}.yml`].map((f) => join(dir, f));
  const found = candidates.find((f) => existsSync(f));
  if (!found)
    throw inputError(
      `${r.file}: relative_to: no scenario "${value}" beside it (neither ${candidates.join(' nor ')} exists)`,
      'name a scenario whose file is in the same folder, or give a path to its file ending in .yaml',
    );
  return found;
}
