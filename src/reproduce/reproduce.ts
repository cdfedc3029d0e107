/**
 * `reproduce`, start to end: plan (every file checked first) → the lab up, unless it already is →
 * single, haproxy-rr, haproxy-lc and nginx-rr together, interleaved run by run → failover → the lab down if this brought it up (also on
 * failure and interruption) → one report with the thesis's conclusions first.
 *
 * A scenario that fails on its environment does not stop the others: its rows say "not
 * measured", the report is still written, and the exit code is 3. Interruption stops at once
 * (exit 130); what finished is kept in the results folder.
 */
import { dirname, resolve } from 'node:path';
import type { Io } from '../io/io.js';
import { ExitCode, Interrupted, LbError, inputError } from '../errors.js';
import type { TogetherOutcome } from '../kinds/kind.js';
import { KINDS, planOf, runsOfKind, type StoredRun } from '../kinds/registry.js';
import type { RunSample, LoadRun } from '../kinds/load/sample.js';
import { listRuns, readRun } from '../kinds/run-folders.js';
import { newestPerScenario } from '../results/store.js';
import { conclusions, type ConclusionRow, type FailoverInput } from './conclusions.js';
import { planReproduce, type ReproducePlan } from './plan.js';
import { writeReproduceReport } from './report.js';
import { FAILOVER_SCENARIO, THESIS_SCENARIOS, type LoadRole } from './thesis.js';

export interface ReproduceOptions {
  profile: string;
  scenariosDir: string;
  resultsDir: string;
  outDir: string;
  keepLab: boolean;
  alpha: number;
  repetitions?: number;
  acceptNewHostKeys?: boolean;
  /** calibrate the lab first when this machine has no calibration (default true; --no-calibrate) */
  calibrate?: boolean;
  io: Io;
  signal: AbortSignal;
}

/** What became of one scenario: its run folder, or why it was not measured; its breaches are notes. */
export interface ScenarioOutcome {
  scenario: string;
  dir?: string;
  runs?: number;
  failure?: string;
  breaches: string[];
}

export interface ReproduceResult {
  reportDir: string;
  rows: ConclusionRow[];
  scenarios: ScenarioOutcome[];
  exitCode: number;
  wallSeconds: number;
}

/** The lab as reproduce uses it: imported only when a scenario names `inventory: lab`. */
interface LabSession {
  /** true when this reproduce brought it up (and so brings it down) */
  owned: boolean;
  reconfigure(file: string): Promise<void>;
  close(): Promise<void>;
}

async function openLab(io: Io, keep: boolean): Promise<LabSession> {
  const lab = await import('../lab/index.js');
  const wasUp = lab.labProblems().length === 0;
  if (wasUp) io.err('lab: already up; using it and leaving it up');
  else {
    io.err('lab: bringing it up');
    const r = await lab.labUp();
    for (const w of r.warnings) io.err(`lab: warning: ${w}`);
    io.err(`lab: ${r.webCpus.line}`);
  }
  const owned = !wasUp;
  return {
    owned,
    reconfigure: async (file) => {
      io.err(`lab: applying ${file} for the failover scenario`);
      await lab.labUp(file);
    },
    close: async () => {
      if (!owned) return;
      if (keep) {
        io.err('lab: left up (--keep-lab); bring it down with: lb-bench lab down');
        return;
      }
      io.err('lab: bringing it down');
      await lab.labDown();
    },
  };
}

/**
 * The lab as a scale model: this machine's calibration, measured now when there is none (unless
 * --no-calibrate); what the lab runs is said in the report's notes. A calibration that fails on
 * its environment is recorded as a scenario's failure is, and the scenarios run on lab.yaml's share.
 */
async function calibrationStep(opts: ReproduceOptions, m: Measured): Promise<void> {
  const { findCalibration, labCalibration, thisMachine } = await import('../lab/calibration.js');
  const { calibrationSummary } = await import('../calibrate/evidence-table.js');
  let calibrated = findCalibration(await thisMachine()) !== null;
  if (!calibrated && opts.calibrate === false) m.notes.push("not calibrated (--no-calibrate): the web servers ran at lab.yaml's CPU share");
  else if (!calibrated) {
    opts.io.err('reproduce: this machine has no calibration yet: lab calibrate (a few minutes, once per machine)');
    try {
      const { calibrate } = await import('../calibrate/calibrate.js');
      const r = await calibrate({ io: opts.io, signal: opts.signal });
      opts.io.err(`reproduce: calibrated: ${calibrationSummary(r.record)} (${r.file})`);
      calibrated = true;
    } catch (e) {
      if (!recoverable(e)) throw e;
      m.failed('lab calibrate', e);
    }
  }
  const running = labCalibration();
  if (running && running.lab_web_cpus === undefined)
    m.notes.push(`calibrated lab: ${calibrationSummary(running)} (measured ${running.at})`);
  else if (calibrated)
    m.notes.push(
      "the lab does not run this machine's calibration (it was up with another share before reproduce): lb-bench lab up applies it",
    );
}

/** Failures that are the environment's (or one scenario's): recorded, and the next scenario runs. */
function recoverable(e: unknown): e is LbError {
  return e instanceof LbError && !(e instanceof Interrupted) && e.code !== ExitCode.ok;
}

/** What reproduce measured so far, and what it says about the rest. */
class Measured {
  readonly runs: Partial<Record<LoadRole, LoadRun>> = {};
  readonly stored: StoredRun[] = [];
  failover: FailoverInput;
  exitCode: number = ExitCode.ok;
  readonly notes: string[];
  readonly outcomes: ScenarioOutcome[] = [];

  constructor(
    plan: ReproducePlan,
    private readonly io: Io,
  ) {
    this.notes = [...plan.notes];
    this.failover = 'missing' in plan.failover ? { missing: plan.failover.missing } : { missing: 'not run' };
  }

  /** A scenario that failed on its environment: said, noted, and the exit code is its (the first one's). */
  failed(what: string, e: LbError): void {
    const line = `${what}: not measured: ${e.message.split('\n')[0]}`;
    this.outcomes.push({ scenario: what, failure: line, breaches: [] });
    this.io.err(`lb-bench: ${line}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
    this.notes.push(line);
    if (this.exitCode === ExitCode.ok) this.exitCode = e.code;
  }
}

type RunOpts = { outDir: string; io: Io; signal: AbortSignal; acceptNewHostKeys?: boolean };

/**
 * single, haproxy-rr, haproxy-lc and nginx-rr together, their runs interleaved run by run, so
 * that every ratio pairs runs measured minutes apart; each stored in its own folder. One that
 * fails on its environment does not stop the others.
 */
async function runLoad(plan: ReproducePlan, m: Measured, runOpts: RunOpts): Promise<void> {
  if (runOpts.signal.aborted) throw new Interrupted();
  const members = plan.together;
  runOpts.io.err(`reproduce: ${members.map((r) => `${r.scenario.name} (${r.file})`).join(', ')}, together, interleaved run by run`);
  let outcomes: TogetherOutcome<RunSample>[];
  try {
    outcomes = await KINDS.load.runTogether!(
      members.map((scenario) => ({ scenario })),
      { ...runOpts, partial: true },
    );
  } catch (e) {
    if (!recoverable(e)) throw e;
    for (const r of members) m.failed(r.scenario.name, e);
    return;
  }
  for (const [i, outcome] of outcomes.entries()) {
    const r = members[i];
    if (!outcome.ok) {
      if (!recoverable(outcome.error)) throw outcome.error;
      m.failed(r.scenario.name, outcome.error);
      continue;
    }
    for (const b of outcome.result.breaches) runOpts.io.err(`note: ${r.scenario.name}: threshold breached: ${b}`);
    const run = await readRun(outcome.result.dir);
    const role = plan.load.find((l) => l.scenario === r)?.role;
    if (role) m.runs[role] = runsOfKind([run], 'load')[0];
    m.stored.push(run);
    m.outcomes.push({
      scenario: r.scenario.name,
      dir: outcome.result.dir,
      runs: outcome.result.samples.length,
      breaches: outcome.result.breaches,
    });
  }
}

/** The failover scenario, when the plan has one, with the lab settings it asks for when reproduce owns the lab. */
async function runFailover(plan: ReproducePlan, m: Measured, lab: LabSession | null, runOpts: RunOpts): Promise<void> {
  if (!('scenario' in plan.failover)) return;
  const r = plan.failover.scenario;
  if (runOpts.signal.aborted) throw new Interrupted();
  runOpts.io.err(`reproduce: ${r.scenario.name} (${r.file})`);
  try {
    if (r.scenario.lab_config && lab?.owned) await lab.reconfigure(resolve(dirname(r.file), r.scenario.lab_config));
    const result = await KINDS.failover.run(r, runOpts);
    m.failover = { dir: result.dir, samples: result.samples };
    m.stored.push(await readRun(result.dir));
    m.outcomes.push({ scenario: r.scenario.name, dir: result.dir, runs: result.samples.length, breaches: result.breaches });
  } catch (e) {
    if (!recoverable(e)) throw e;
    m.failed(r.scenario.name, e);
    m.failover = { missing: `not measured: ${e.message.split('\n')[0]}` };
  }
}

/** The lab down (if reproduce brought it up); a failure of the environment is said and is exit 3, anything else is returned to be thrown. */
async function closeLab(lab: LabSession, m: Measured, io: Io): Promise<unknown> {
  try {
    await lab.close();
    return null;
  } catch (e) {
    if (!recoverable(e)) return e;
    io.err(`lb-bench: lab down failed: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
    m.exitCode = ExitCode.environment;
    return null;
  }
}

export async function reproduce(opts: ReproduceOptions): Promise<ReproduceResult> {
  const started = Date.now();
  const { io, signal } = opts;
  const plan = await planReproduce({ scenariosDir: opts.scenariosDir, profile: opts.profile, repetitions: opts.repetitions });
  for (const n of plan.notes) io.err(`note: ${n}`);
  const m = new Measured(plan, io);

  const lab = plan.needsLab ? await openLab(io, opts.keepLab) : null;
  const runOpts = { outDir: opts.resultsDir, io, signal, acceptNewHostKeys: opts.acceptNewHostKeys };
  let stopped: { error: unknown } | null = null;
  try {
    if (lab) await calibrationStep(opts, m);
    await runLoad(plan, m, runOpts);
    await runFailover(plan, m, lab, runOpts);
  } catch (e) {
    stopped = { error: e };
  }
  // the lab goes down after a failure or Ctrl-C too; a failure to bring it down that is not the environment's comes first
  const closing = lab ? await closeLab(lab, m, io) : null;
  if (closing) throw closing;
  if (stopped) throw stopped.error;

  const wallSeconds = (Date.now() - started) / 1000;
  m.notes.push(
    `wall time of this reproduce: ${formatDuration(wallSeconds)} on ${m.stored[0]?.manifest.host.cpus ?? '?'} CPUs (${m.stored[0]?.manifest.host.cpu_model ?? 'unknown'})`,
  );
  const rows = conclusions({ runs: m.runs, failover: m.failover, alpha: opts.alpha });
  const runs = m.stored.map((r) => ({ scenario: r.manifest.scenario.name, dir: r.dir, runs: r.samples.length, repetitions: planOf(r) }));
  const context = { alpha: opts.alpha, profile: opts.profile, runs, notes: m.notes };
  const written = await writeReproduceReport({ runs: m.runs, failover: m.failover, rows, context, outDir: opts.outDir, io });
  return { reportDir: written, rows, scenarios: m.outcomes, exitCode: m.exitCode, wallSeconds };
}

export function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m ? `${m} min ${s} s` : `${s} s`;
}

export interface FromStoredOptions {
  /** a results folder holding runs of single, haproxy-rr, haproxy-lc, nginx-rr and failover (e.g. baselines/thesis) */
  from: string;
  outDir: string;
  alpha: number;
  io: Io;
}

/**
 * `reproduce --from DIR`: the conclusions and the report of runs already stored (the newest run of
 * each thesis scenario in DIR), nothing sent and no lab: a committed reproduction is read back as
 * it is stored, and its report re-made by this version of lb-bench.
 */
export async function reproduceFromStored(opts: FromStoredOptions): Promise<ReproduceResult> {
  const started = Date.now();
  const stored = newestPerScenario(await listRuns(opts.from));
  const byName = new Map(stored.map((r) => [r.manifest.scenario.name, r]));
  const runs: Partial<Record<LoadRole, LoadRun>> = {};
  const notes: string[] = [`read from ${opts.from}: nothing measured now (reproduce --from)`];
  for (const role of THESIS_SCENARIOS) {
    const run = byName.get(role);
    const load = run ? runsOfKind([run], 'load')[0] : undefined;
    if (load) runs[role] = load;
    else notes.push(`${role}: not measured: no run of it in ${opts.from}`);
  }
  const fo = byName.get(FAILOVER_SCENARIO);
  const foRun = fo ? runsOfKind([fo], 'failover')[0] : undefined;
  const failover: FailoverInput = foRun
    ? { dir: foRun.dir, samples: foRun.samples }
    : { missing: `not run: no failover run in ${opts.from}` };
  if (!Object.keys(runs).length && !foRun)
    throw inputError(
      `${opts.from}: holds no run of ${[...THESIS_SCENARIOS, FAILOVER_SCENARIO].join(', ')}`,
      'name the results folder of a reproduce (e.g. baselines/thesis)',
    );
  const chosen = [...Object.values(runs), ...(foRun ? [foRun] : [])] as StoredRun[];
  const profiles = [...new Set(chosen.map((r) => r.manifest.profile ?? 'none'))];
  const rows = conclusions({ runs, failover, alpha: opts.alpha });
  const context = {
    alpha: opts.alpha,
    profile: profiles.join(', '),
    runs: chosen.map((r) => ({ scenario: r.manifest.scenario.name, dir: r.dir, runs: r.samples.length, repetitions: planOf(r) })),
    notes,
  };
  const written = await writeReproduceReport({ runs, failover, rows, context, outDir: opts.outDir, io: opts.io });
  const outcomes = chosen.map((r) => ({ scenario: r.manifest.scenario.name, dir: r.dir, runs: r.samples.length, breaches: [] }));
  return { reportDir: written, rows, scenarios: outcomes, exitCode: ExitCode.ok, wallSeconds: (Date.now() - started) / 1000 };
}
