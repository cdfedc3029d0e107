/**
 * Reading scenario files: YAML → profile merge → command-line overrides → strict schema.
 * Every problem of a file is collected and reported at once, as `FILE: field.path: reason`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { formatIssues, safeKey } from '../util/issues.js';
import { deepMerge, isPlainObject } from '../util/objects.js';
import { parseYamlMapping, problemsError, readYamlText, type YamlKind } from '../util/yaml-file.js';
import { failoverScenarioSchema } from './failover-schema.js';
import { redactScenario } from './redact.js';
import { loadScenarioSchema, type AnyScenario, type Scenario } from './schema.js';

export { fieldPath, formatIssues } from '../util/issues.js';

/** Either kind, told apart by `kind` (default `load`). */
export const anyScenarioSchema = z.preprocess(
  (v) => (isPlainObject(v) && v.kind === undefined ? { ...v, kind: 'load' } : v),
  z.discriminatedUnion('kind', [loadScenarioSchema, failoverScenarioSchema], { error: 'must be load or failover' }),
);

export interface Overrides {
  profile?: string;
  repetitions?: number;
  levels?: number[];
}

export interface ResolvedScenario<S extends AnyScenario = Scenario> {
  file: string;
  scenario: S;
  profile: string | null;
  overrides: Omit<Overrides, 'profile'>;
  /** hash of the resolved scenario: --resume refuses a run whose scenario changed */
  hash: string;
}

export const isFailover = (r: ResolvedScenario<AnyScenario>): r is ResolvedScenario<Extract<AnyScenario, { kind: 'failover' }>> =>
  r.scenario.kind === 'failover';
export const isLoad = (r: ResolvedScenario<AnyScenario>): r is ResolvedScenario<Scenario> => r.scenario.kind === 'load';

/** What a scenario file is, for the reader: its top-level keys are those of either kind, and profiles. */
export const SCENARIO_FILE: YamlKind = {
  what: 'scenario file',
  keys: [...new Set([...Object.keys(loadScenarioSchema.shape), ...Object.keys(failoverScenarioSchema.shape), 'profiles'])],
  expected: 'a mapping of scenario fields such as `name`, `target` and `load`',
};

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

  const baseResult = anyScenarioSchema.safeParse(base, { reportInput: true });
  if (!baseResult.success) problems.push(...formatIssues(baseResult.error.issues));
  // every profile must give a valid scenario too, so a broken `thesis` profile is found before the night it is used
  for (const [name, over] of Object.entries(profileTable)) {
    if (!isPlainObject(over)) {
      problems.push(`profiles.${safeKey(name)}: must be a mapping of overrides`);
      continue;
    }
    const merged = anyScenarioSchema.safeParse(deepMerge(base, over), { reportInput: true });
    if (!merged.success && baseResult.success) problems.push(...formatIssues(merged.error.issues, ['profiles', name]));
  }
  if (overrides.profile !== undefined && !(overrides.profile in profileTable)) {
    const known = Object.keys(profileTable);
    problems.push(
      `profiles: no profile named "${overrides.profile}"` + (known.length ? ` (the file has: ${known.map(safeKey).join(', ')})` : ' (the file has none)'),
    );
  }
  if (problems.length) return { ok: false, problems };

  let merged: unknown = overrides.profile ? deepMerge(base, profileTable[overrides.profile]) : base;
  const cli: Record<string, unknown> = {};
  if (overrides.levels) cli.levels = overrides.levels;
  if (overrides.repetitions !== undefined) cli.repetitions = overrides.repetitions;
  // a failover scenario's repetitions sit at the top level; --levels is for load scenarios only
  if (Object.keys(cli).length) merged = deepMerge(merged, isPlainObject(merged) && merged.kind === 'failover' ? cli : { load: cli });
  const final = anyScenarioSchema.safeParse(merged, { reportInput: true });
  if (!final.success) return { ok: false, problems: formatIssues(final.error.issues).map((p) => `${p} (from the command line)`) };

  const { profile, ...rest } = overrides;
  return {
    ok: true,
    // the hash leaves out credentials (a password in the target), which never reach a run folder
    value: { file, scenario: final.data, profile: profile ?? null, overrides: rest, hash: stableHash(redactScenario(final.data)) },
  };
}

/** Read and check a scenario file; throws one LbError (exit 2) listing every problem. */
export async function loadScenario(file: string, overrides: Overrides = {}): Promise<ResolvedScenario<AnyScenario>> {
  const result = resolveScenarioText(file, readYamlText(file, SCENARIO_FILE), overrides);
  if (!result.ok) throw problemsError(file, result.problems);
  return result.value;
}
