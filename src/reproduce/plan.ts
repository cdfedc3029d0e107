/**
 * What `reproduce` will run: the thesis's scenario files from one folder, resolved with the
 * profile, every problem found before anything starts. The failover scenario is optional: where
 * its file is missing, the plan says so instead.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { inputError, LbError } from '../errors.js';
import { holdsScenarios, packagePath } from '../package-files.js';
import { hasKind, type AnyScenario } from '../kinds/registry.js';
import { groupJobs } from '../kinds/groups.js';
import { loadScenario, type ResolvedScenario } from '../kinds/scenario-file.js';
import type { LoadScenario } from '../kinds/load/scenario.js';
import type { FailoverScenario } from '../kinds/failover/scenario.js';
import { FAILOVER_SCENARIO, MIN_REPETITIONS, THESIS_SCENARIOS, type LoadRole } from './thesis.js';

export interface ReproducePlan {
  load: { role: LoadRole; scenario: ResolvedScenario<LoadScenario> }[];
  /**
   * The load scenarios run together, interleaved run by run, so that every ratio of the
   * conclusions pairs runs measured minutes apart: the four, and any other reference that one of
   * them names with `relative_to` (right before the first naming it).
   */
  together: ResolvedScenario<LoadScenario>[];
  failover: { scenario: ResolvedScenario<FailoverScenario> } | { missing: string };
  /** said in the report: repetitions raised, a scenario left out, … */
  notes: string[];
  /** some scenario names `inventory: lab` */
  needsLab: boolean;
}

export interface PlanOptions {
  scenariosDir: string;
  profile: string;
  /** every load scenario's repetitions; default: the profile's, raised to MIN_REPETITIONS */
  repetitions?: number;
}

/**
 * Where the thesis's scenarios are read from without --scenarios: ./scenarios when it holds every
 * load scenario (a clone of this project, or the user's own copies), else the ones shipped with
 * lb-bench, so that an installed lb-bench reproduces from any folder.
 */
export function defaultScenariosDir(cwd: string = process.cwd()): { dir: string; shipped: boolean } {
  const local = resolve(cwd, 'scenarios');
  // relative, as before: run folders and messages name scenarios/single.yaml, not a long path
  if (holdsScenarios(local, THESIS_SCENARIOS)) return { dir: relative(process.cwd(), local), shipped: false };
  return { dir: packagePath('scenarios'), shipped: true };
}

async function planFailover(file: string, profile: string): Promise<ReproducePlan['failover']> {
  if (!existsSync(file)) return { missing: `not run: ${file} does not exist` };
  const r = await loadScenario(file, { profile });
  if (!hasKind(r, 'failover')) throw inputError(`${file}: kind: must be failover for reproduce's failover step, got ${r.scenario.kind}`);
  return { scenario: r };
}

async function planLoad(file: string, role: string, opts: PlanOptions, notes: string[]): Promise<ResolvedScenario<LoadScenario>> {
  const load = async (repetitions?: number): Promise<ResolvedScenario<LoadScenario>> => {
    const r = await loadScenario(file, { profile: opts.profile, repetitions });
    if (!hasKind(r, 'load')) throw inputError(`${file}: kind: must be load for reproduce's ${role} step, got ${r.scenario.kind}`);
    return r;
  };
  const r = await load(opts.repetitions);
  if (opts.repetitions !== undefined || r.scenario.load.repetitions >= MIN_REPETITIONS) return r;
  notes.push(
    `${r.scenario.name}: ${r.scenario.load.repetitions} repetitions in profile ${opts.profile} raised to ${MIN_REPETITIONS}, so that Mann-Whitney can reach p < 0.05 and a ratio's interval is not the range of three (with 3 a side the smallest p is 0.1)`,
  );
  return load(MIN_REPETITIONS);
}

/** The four and the references they name (`relative_to`), read as the four are: one group, run together. */
async function planTogether(load: ReproducePlan['load'], opts: PlanOptions, notes: string[]): Promise<ResolvedScenario<LoadScenario>[]> {
  const groups = await groupJobs(
    load.map((l) => ({ scenario: l.scenario })),
    (file) => planLoad(file, 'reference', opts, notes),
  );
  return groups.flat().flatMap((j) => (hasKind(j.scenario, 'load') ? [j.scenario] : []));
}

/** Reads and checks every scenario; throws one input error (exit 2) listing every problem. */
export async function planReproduce(opts: PlanOptions): Promise<ReproducePlan> {
  const problems: string[] = [];
  const notes: string[] = [];
  const load: ReproducePlan['load'] = [];
  const collect = (e: unknown) => {
    if (!(e instanceof LbError)) throw e;
    problems.push(e.message);
  };
  for (const role of THESIS_SCENARIOS) {
    try {
      load.push({ role, scenario: await planLoad(join(opts.scenariosDir, `${role}.yaml`), role, opts, notes) });
    } catch (e) {
      collect(e);
    }
  }
  let together: ResolvedScenario<LoadScenario>[] = [];
  if (!problems.length) await planTogether(load, opts, notes).then((t) => (together = t), collect);
  let failover: ReproducePlan['failover'] = { missing: 'not run' };
  try {
    failover = await planFailover(join(opts.scenariosDir, `${FAILOVER_SCENARIO}.yaml`), opts.profile);
  } catch (e) {
    collect(e);
  }
  if (problems.length)
    throw inputError(
      problems.join('\n'),
      `reproduce runs ${[...THESIS_SCENARIOS, FAILOVER_SCENARIO].map((n) => `${n}.yaml`).join(', ')} from ${opts.scenariosDir}/, each with a profile named ${opts.profile}`,
    );
  if ('missing' in failover) notes.push(`failover: ${failover.missing}`);
  const all: AnyScenario[] = [...load.map((l) => l.scenario.scenario), ...('scenario' in failover ? [failover.scenario.scenario] : [])];
  return {
    load,
    together,
    failover,
    notes: [...new Set(notes)],
    needsLab: [...all, ...together.map((t) => t.scenario)].some((s) => s.inventory === 'lab'),
  };
}
