/**
 * `run`, the use case: scenario files (every one checked before any traffic is sent, with the
 * companions they name, in groups that run together) or a folder to resume, each group run by its
 * kind's runner; each run folder read back as it is stored; the JUnit file. Returns, per scenario,
 * the summary that `run --json` prints (docs/reports.md, "Other outputs"), and every breach.
 */
import { inputError, LbError } from '../errors.js';
import type { Io } from '../io/io.js';
import { writeJunit } from '../io/junit-xml.js';
import type { RunOptions, ScenarioResult, TogetherOptions } from '../kinds/kind.js';
import { runGroup, withResume, withRun, type AnySample, type Job, type StoredRun } from '../kinds/registry.js';
import { groupJobs } from '../kinds/groups.js';
import { readRun } from '../kinds/run-folders.js';
import { levelFigures } from '../compare/levels.js';
import { loadScenario, type Overrides } from '../kinds/scenario-file.js';
import type { ThresholdCheck } from '../scenario/fields.js';
import { resumeTargets, storeEveryRun } from './resume-jobs.js';
import { runSuites } from './run-junit.js';

export interface RunRequest extends Overrides {
  files: string[];
  /** the results folder: run folders are made there, and --resume looks there */
  outDir: string;
  /** a run folder to complete: only its missing (level, repetition) pairs */
  resume?: string;
  acceptNewHostKeys?: boolean;
  junit?: string;
  signal: AbortSignal;
  /** each run folder as it is stored, before a later one runs */
  stored?: (dir: string) => void;
}

/** `run --json`, per scenario: its folder, breaches, threshold checks and figures per level. */
export interface RunSummary {
  scenario: string;
  dir: string;
  runs: number;
  breaches: readonly string[];
  checks: readonly ThresholdCheck[];
  levels: ReturnType<typeof levelFigures>;
}

export interface RunOutcome {
  /** made when asked (`run --json`): the figures per level describe every metric, with bootstraps for ratios */
  summaries: () => RunSummary[];
  /** every threshold breach, named by its scenario */
  breaches: string[];
}

const summary = (job: Job, run: StoredRun, breaches: readonly string[], checks: readonly ThresholdCheck[]): RunSummary => ({
  scenario: job.scenario.scenario.name,
  dir: run.dir,
  runs: run.samples.length,
  breaches,
  checks,
  levels: levelFigures(run),
});

/** Every file, checked before any traffic is sent; with the companions they name, in groups that run together. */
async function newJobs(files: string[], overrides: Overrides): Promise<Job[][]> {
  const jobs: Job[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      jobs.push({ scenario: await loadScenario(file, overrides) });
    } catch (e) {
      if (!(e instanceof LbError)) throw e;
      problems.push(e.message);
    }
  }
  if (problems.length) throw inputError(problems.join('\n'));
  return groupJobs(jobs, (file) => loadScenario(file, overrides));
}

/** Nothing is sent, and the folders are left as they are: a resume entry would record a request never made. */
function nothingToResume(jobs: readonly Job[], io: Io, req: RunRequest): RunOutcome {
  for (const job of jobs) job.lock?.release();
  for (const { stored: run } of jobs) io.err(`lb-bench: nothing to resume: all ${run!.samples.length} runs are stored in ${run!.dir}`);
  for (const { stored: run } of jobs) req.stored?.(run!.dir);
  return { summaries: () => jobs.map((job) => summary(job, job.stored!, [], [])), breaches: [] };
}

/** The kind's word on the stored folder (the load kind: one line when its repetitions disagree); the folder as stored. */
async function afterRun(dir: string, io: Io): Promise<StoredRun> {
  const stored = await readRun(dir);
  const line = withRun(stored, (kind, r) => kind.afterRun(r));
  if (line) io.err(`warning: ${line}`);
  return stored;
}

type Done = { job: Job; result: ScenarioResult<AnySample> };

/** One group: alone by its kind's runner, or together, interleaved: the results, in order, and what stopped a member, if anything did. */
async function runJobs(group: Job[], options: TogetherOptions): Promise<{ done: Done[]; failure?: { error: unknown } }> {
  if (group.length === 1) {
    const [job] = group;
    const opts: Omit<RunOptions<never>, 'resume'> = { ...options, lock: job.lock };
    const result = await withResume<Promise<ScenarioResult<AnySample>>>(job.scenario, job.stored, (kind, r, resume) =>
      kind.run(r, { ...opts, resume }),
    );
    return { done: [{ job, result }] };
  }
  const outcomes = await runGroup(group, options);
  if (!outcomes) throw inputError(`${group.map((j) => j.scenario.file).join(', ')}: these scenarios cannot run together`);
  const done = outcomes.flatMap((o, i) => (o.ok ? [{ job: group[i], result: o.result }] : []));
  const failed = outcomes.find((o) => !o.ok);
  return { done, ...(failed && !failed.ok ? { failure: { error: failed.error } } : {}) };
}

export async function runScenarios(req: RunRequest, io: Io): Promise<RunOutcome> {
  const overrides: Overrides = { profile: req.profile, repetitions: req.repetitions, levels: req.levels };
  const groups = req.resume ? [await resumeTargets(req.resume, req.files, req.outDir, overrides)] : await newJobs(req.files, overrides);
  if (req.resume && storeEveryRun(groups[0]!)) return nothingToResume(groups[0]!, io, req);

  const results: (Done & { stored: StoredRun })[] = [];
  const options = { outDir: req.outDir, io, signal: req.signal, acceptNewHostKeys: req.acceptNewHostKeys };
  try {
    for (const group of groups) {
      const { done, failure } = await runJobs(group, options);
      // the members that finished beside a failed one are stored, and said, before the failure is
      for (const d of done) {
        results.push({ ...d, stored: await afterRun(d.result.dir, io) });
        req.stored?.(d.result.dir);
      }
      if (failure) throw failure.error;
    }
  } finally {
    // the runner's writer releases it when it closes; this covers a failure before it opened
    for (const job of groups.flat()) job.lock?.release();
  }
  if (req.junit) {
    const runs = results.map(({ job, result: r }) => ({
      scenario: job.scenario.scenario.name,
      dir: r.dir,
      runs: r.samples.length,
      checks: r.checks,
    }));
    writeJunit(req.junit, 'lb-bench run', runSuites(runs));
    io.err(`wrote ${req.junit}`);
  }
  return {
    summaries: () => results.map(({ job, result, stored }) => summary(job, stored, result.breaches, result.checks)),
    breaches: results.flatMap(({ job, result }) => result.breaches.map((b) => `${job.scenario.scenario.name}: ${b}`)),
  };
}
