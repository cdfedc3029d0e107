/**
 * Reading scenario files: YAML → profile merge → command-line overrides → strict schema.
 * Every problem of a file is collected and reported at once, as `FILE: field.path: reason`.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { inputError } from '../errors.js';
import { deepMerge, isPlainObject } from '../util/objects.js';
import { failoverScenarioSchema } from './failover-schema.js';
import { loadScenarioSchema, type AnyScenario, type Scenario } from './schema.js';

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

/** `load.levels[2]` from ['load', 'levels', 2]. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(top level)';
}

export const isFailover = (r: ResolvedScenario<AnyScenario>): r is ResolvedScenario<Extract<AnyScenario, { kind: 'failover' }>> =>
  r.scenario.kind === 'failover';
export const isLoad = (r: ResolvedScenario<AnyScenario>): r is ResolvedScenario<Scenario> => r.scenario.kind === 'load';

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** One line per zod issue, in the form `field.path: reason, got X`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${fieldPath([...path, key])}: unknown field; check its spelling (see lb-bench schema)`);
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length) {
      // a union fails with one branch's reason: report the first, it is the intended form
      lines.push(...formatIssues(issue.errors[0], path).slice(0, 1));
      continue;
    }
    let reason = issue.message;
    if (issue.code === 'invalid_type' && issue.input === undefined) reason = 'is required';
    else if ('input' in issue && issue.input !== undefined) reason += `, got ${describe(issue.input)}`;
    lines.push(`${fieldPath(path)}: ${reason}`);
  }
  return [...new Set(lines)];
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
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) {
    return {
      ok: false,
      problems: doc.errors.map((e) => `line ${(e.linePos?.[0].line ?? 0)}: not valid YAML: ${e.message.split('\n')[0]}`),
    };
  }
  const raw = doc.toJS();
  if (!isPlainObject(raw)) return { ok: false, problems: ['(top level): must be a mapping of scenario fields'] };

  const problems: string[] = [];
  const { profiles, ...base } = raw;
  if (profiles !== undefined && !isPlainObject(profiles)) problems.push('profiles: must be a mapping of profile names to overrides');
  const profileTable = isPlainObject(profiles) ? profiles : {};

  const baseResult = anyScenarioSchema.safeParse(base, { reportInput: true });
  if (!baseResult.success) problems.push(...formatIssues(baseResult.error.issues));
  // every profile must give a valid scenario too, so a broken `thesis` profile is found before the night it is used
  for (const [name, over] of Object.entries(profileTable)) {
    if (!isPlainObject(over)) {
      problems.push(`profiles.${name}: must be a mapping of overrides`);
      continue;
    }
    const merged = anyScenarioSchema.safeParse(deepMerge(base, over), { reportInput: true });
    if (!merged.success && baseResult.success) problems.push(...formatIssues(merged.error.issues, ['profiles', name]));
  }
  if (overrides.profile !== undefined && !(overrides.profile in profileTable)) {
    const known = Object.keys(profileTable);
    problems.push(
      `profiles: no profile named "${overrides.profile}"` + (known.length ? ` (the file has: ${known.join(', ')})` : ' (the file has none)'),
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
    value: { file, scenario: final.data, profile: profile ?? null, overrides: rest, hash: stableHash(final.data) },
  };
}

/** Read and check a scenario file; throws one LbError (exit 2) listing every problem. */
export async function loadScenario(file: string, overrides: Overrides = {}): Promise<ResolvedScenario<AnyScenario>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw inputError(`${file}: cannot read the scenario file (${code === 'ENOENT' ? 'no such file' : code})`, 'check the path');
  }
  const result = resolveScenarioText(file, text, overrides);
  if (!result.ok) throw inputError(result.problems.map((p) => `${file}: ${p}`).join('\n'));
  return result.value;
}
