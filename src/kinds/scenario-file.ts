/**
 * Reading scenario files: YAML → profile merge → command-line overrides → strict schema.
 * Every problem of a file is collected and reported at once, as `FILE: field.path: reason`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { hasKind, KIND_CHOICES, KINDS, kindNamed, withScenario, type AnyScenario } from './registry.js';
import { formatIssues, safeKey } from '../util/issues.js';
import { deepMerge, isPlainObject } from '../util/objects.js';
import { parseYamlMapping, problemsError, readYamlText, type YamlKind } from '../util/yaml-file.js';
import type { Overrides, ResolvedScenario } from '../scenario/resolved.js';
import type { LoadScenario } from './load/scenario.js';

export { fieldPath, formatIssues } from '../util/issues.js';
export type { Overrides, ResolvedScenario } from '../scenario/resolved.js';

/** The benchmarks run load scenarios: is this one? */
export const isLoad = (r: ResolvedScenario<AnyScenario>): r is ResolvedScenario<LoadScenario> => hasKind(r, 'load');

/** What a scenario file is, for the reader: its top-level keys are those of any kind, and profiles. */
export const SCENARIO_FILE: YamlKind = {
  what: 'scenario file',
  keys: [...new Set([...Object.values(KINDS).flatMap((k) => Object.keys(k.schema.shape)), 'profiles'])],
  expected: 'a mapping of scenario fields such as `name`, `target` and `load`',
};

type Parsed = { success: true; data: AnyScenario } | { success: false; error: { issues: z.core.$ZodIssue[] } };

/** A scenario of any kind, by its kind's schema; `kind` left out is `load`. */
function parseScenario(raw: unknown): Parsed {
  if (!isPlainObject(raw))
    return {
      success: false,
      error: { issues: [{ code: 'invalid_type', expected: 'object', path: [], message: 'must be a mapping', input: raw }] },
    };
  const name = kindNamed(raw.kind);
  if (!name)
    return { success: false, error: { issues: [{ code: 'custom', path: ['kind'], message: `must be ${KIND_CHOICES}`, input: raw.kind }] } };
  return KINDS[name].schema.safeParse({ ...raw, kind: name }, { reportInput: true });
}

function stableHash(value: unknown): string {
  const canonical = JSON.stringify(value, (_k, v) =>
    isPlainObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Parse and check one file's text; returns the scenario or the list of problems. */
export function resolveScenarioText(
  file: string,
  text: string,
  overrides: Overrides = {},
): { ok: true; value: ResolvedScenario<AnyScenario> } | { ok: false; problems: string[] } {
  const parsed = parseYamlMapping(text, SCENARIO_FILE);
  if (!parsed.ok) return parsed;
  const raw = parsed.value;

  const problems: string[] = [];
  const { profiles, ...base } = raw;
  if (profiles !== undefined && !isPlainObject(profiles)) problems.push('profiles: must be a mapping of profile names to overrides');
  const profileTable = isPlainObject(profiles) ? profiles : {};

  const baseResult = parseScenario(base);
  if (!baseResult.success) problems.push(...formatIssues(baseResult.error.issues));
  // every profile must give a valid scenario too, so a broken `thesis` profile is found before the night it is used
  for (const [name, over] of Object.entries(profileTable)) {
    if (!isPlainObject(over)) {
      problems.push(`profiles.${safeKey(name)}: must be a mapping of overrides`);
      continue;
    }
    const merged = parseScenario(deepMerge(base, over));
    if (!merged.success && baseResult.success) problems.push(...formatIssues(merged.error.issues, ['profiles', name]));
  }
  // its own keys only: `__proto__` or `constructor` is not a profile of the file
  if (overrides.profile !== undefined && !Object.hasOwn(profileTable, overrides.profile)) {
    const known = Object.keys(profileTable);
    problems.push(
      `profiles: no profile named "${overrides.profile}"` +
        (known.length ? ` (the file has: ${known.map(safeKey).join(', ')})` : ' (the file has none)'),
    );
  }
  if (problems.length) return { ok: false, problems };

  let merged: unknown = overrides.profile ? deepMerge(base, profileTable[overrides.profile]) : base;
  const cli: Omit<Overrides, 'profile'> = {};
  if (overrides.levels) cli.levels = overrides.levels;
  if (overrides.repetitions !== undefined) cli.repetitions = overrides.repetitions;
  // where they go is the kind's: a load scenario's repetitions sit under `load`, a failover's at the top
  const kind = isPlainObject(merged) ? kindNamed(merged.kind) : null;
  if (Object.keys(cli).length && kind) merged = deepMerge(merged, KINDS[kind].overrides(cli));
  const final = parseScenario(merged);
  if (!final.success) return { ok: false, problems: formatIssues(final.error.issues).map((p) => `${p} (from the command line)`) };

  const { profile, ...rest } = overrides;
  const resolved = { file, scenario: final.data, redacted: final.data, profile: profile ?? null, overrides: rest, hash: '' };
  // the hash leaves out credentials (a password in the target), which never reach a run folder
  const redacted = withScenario<AnyScenario>(resolved, (k, r) => k.redact(r.scenario));
  return { ok: true, value: { ...resolved, redacted, hash: stableHash(redacted) } };
}

/** Read and check a scenario file; throws one LbError (exit 2) listing every problem. */
export async function loadScenario(file: string, overrides: Overrides = {}): Promise<ResolvedScenario<AnyScenario>> {
  const result = resolveScenarioText(file, readYamlText(file, SCENARIO_FILE), overrides);
  if (!result.ok) throw problemsError(file, result.problems);
  return result.value;
}
