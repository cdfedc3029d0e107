/**
 * Reading run folders back: every folder under a results folder, or one by name; each checked
 * against its kind's schemas (read.ts), so that a damaged or hand-edited file is one line naming
 * the file and field (exit 2). Which kinds there are is not known here: the kinds' registry hands
 * them in (src/kinds/run-folders.ts). Writing is writer.ts.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve, basename } from 'node:path';
import { inputError, LbError } from '../errors.js';
import { describeValue, formatIssues } from '../util/issues.js';
import { isPlainObject } from '../util/objects.js';
import { errorWords } from '../io/files.js';
import { fingerprintOfManifest } from './fingerprint.js';
import { lockState } from './lock.js';
import { systemOfManifest } from './system.js';
import { badFile, notJson, parseOptions, readStoredText, type CheckedBase } from './read.js';
import type { StoredRunOf, StoredScenarioBase } from './types.js';
import { manifestBaseSchema } from './manifest-schema.js';
import { storeWarning } from './warnings.js';

/** The writer's side, named here too: the benchmarks and tests take them from here. */
export { RunWriter, checkPlainFiles, interruptOpenRuns, timestampId } from './writer.js';
export { readJsonl } from './read.js';

export const DEFAULT_RESULTS_DIR = 'results';

/** manifest.json as JSON; exit 2 when it is missing, unreadable or not JSON (never quoting it). */
async function readManifestJson(dir: string): Promise<{ file: string; raw: unknown }> {
  const file = join(dir, 'manifest.json');
  const text = await readStoredText(file);
  if (text === null) throw inputError(`${dir}: not a run folder (no manifest.json)`, 'name a folder under results/, or a scenario name');
  try {
    return { file, raw: JSON.parse(text) };
  } catch (e) {
    throw inputError(`${file}: ${notJson(e)}`, 'restore it from a copy, or move the folder out of the results folder');
  }
}

/** The kinds a run folder may be of, and how a folder of each is read (src/kinds/run-folders.ts). */
export interface FolderKinds<K extends string, R> {
  /** the kind a manifest's scenario names, or null; a scenario without `kind` is read as the default kind */
  named(kind: unknown): K | null;
  /** the kinds, as a message lists them: "load or failover" */
  choices: string;
  /** the rest of a folder of that kind, its manifest checked */
  read(kind: K, dir: string, file: string, base: CheckedBase, scenario: unknown): Promise<R>;
}

/** The scenario of a manifest, by its kind's schema (a folder written before kinds existed holds a load run). */
function readScenario<K extends string>(raw: unknown, kinds: FolderKinds<K, unknown>): { ok: true; kind: K; scenario: unknown } | { ok: false; problems: string[] } {
  const scenario = isPlainObject(raw) && isPlainObject(raw.scenario) ? raw.scenario : null;
  if (!scenario) return { ok: false, problems: ['scenario: must be an object'] };
  const kind = kinds.named(scenario.kind);
  if (!kind) return { ok: false, problems: [`scenario.kind: must be ${kinds.choices}, got ${describeValue(scenario.kind)}`] };
  return { ok: true, kind, scenario: { ...scenario, kind } };
}

type AnyRun = StoredRunOf<StoredScenarioBase, unknown>;

/** A run folder of one of these kinds, checked: exit 2 naming the file and field when manifest.json or a sample is bad. */
export async function readRunOf<K extends string, R extends AnyRun>(dir: string, kinds: FolderKinds<K, R>): Promise<R> {
  const { file, raw } = await readManifestJson(dir);
  const checked = manifestBaseSchema.safeParse(raw, parseOptions);
  const base: CheckedBase = checked.success ? { ok: true, value: checked.data } : { ok: false, problems: formatIssues(checked.error.issues) };
  // its scenario is read by its kind; a manifest that is not even an object has no kind
  const scenario = isPlainObject(raw) ? readScenario(raw, kinds) : { ok: false as const, problems: [] };
  if (!scenario.ok) throw badFile(file, [...scenario.problems, ...(base.ok ? [] : base.problems)]);
  const run = await kinds.read(scenario.kind, dir, file, base, scenario.scenario);
  // a folder written before fingerprints, or before the system under test was told apart: the same fields, as its manifest recorded them
  run.manifest.fingerprint = fingerprintOfManifest(run.manifest);
  run.manifest.system = systemOfManifest(run.manifest);
  if (run.manifest.status === 'running') judgeRunning(run);
  return run;
}

/**
 * A folder that says `running` is running only while a process holds its lock, as `run --resume`
 * judges it: a run killed outright (SIGKILL, a power cut) left `running` behind, and is read as
 * interrupted, with a warning. Nothing is written: reading never changes a folder.
 */
function judgeRunning(run: AnyRun): void {
  const { state, pid } = lockState(run.dir);
  if (state === 'held') return;
  const who = pid === undefined ? 'no lb-bench process holds its lock' : `its process (pid ${pid}) has ended`;
  storeWarning(`${run.dir}: marked running, but ${who}: read as interrupted (complete it with lb-bench run --resume ${run.dir})`);
  run.manifest.status = 'interrupted';
}

/** Every run folder under DIR, read by `readRun`, oldest first. A folder that cannot be read is left out with a warning. */
export async function listRunsOf<R extends AnyRun>(resultsDir: string, readRun: (dir: string) => Promise<R>): Promise<R[]> {
  let names: string[];
  try {
    names = await readdir(resultsDir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    throw inputError(
      code === 'ENOTDIR' ? `${resultsDir}: not a folder; the results folder holds run folders` : `${resultsDir}: cannot read the results folder (${errorWords(e)})`,
      'name the folder that lb-bench run --out wrote into (default results/)',
    );
  }
  const runs: R[] = [];
  for (const name of names.sort()) {
    const dir = join(resultsDir, name);
    try {
      if (!(await stat(join(dir, 'manifest.json'))).isFile()) continue;
    } catch {
      continue; // not a run folder
    }
    try {
      runs.push(await readRun(dir));
    } catch (e) {
      if (!(e instanceof LbError)) throw e;
      const [first, ...more] = e.message.split('\n');
      storeWarning(`${first}${more.length ? ' (and more problems)' : ''}; that run folder is left out`);
    }
  }
  return runs.sort((a, b) => a.manifest.started_at.localeCompare(b.manifest.started_at) || a.dir.localeCompare(b.dir));
}

/** The newest run of each scenario that has at least one sample. */
export function newestPerScenario<R extends AnyRun>(runs: readonly R[]): R[] {
  const byName = new Map<string, R>();
  for (const run of runs) if (run.samples.length) byName.set(run.manifest.scenario.name, run);
  return [...byName.values()];
}

/** A run named on the command line: a folder path, or a folder name under the results folder. */
export async function findRunFolder(ref: string, resultsDir = DEFAULT_RESULTS_DIR): Promise<string | null> {
  for (const candidate of [ref, join(resultsDir, basename(ref))]) {
    try {
      if ((await stat(join(candidate, 'manifest.json'))).isFile()) return resolve(candidate);
    } catch {
      /* try the next */
    }
  }
  return null;
}
