/** `lb-bench run FILE… [--profile P] [--out DIR] [--resume RUN]` */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ExitCode, inputError, LbError } from '../../errors.js';
import type { Io } from '../../io/io.js';
import { writeJunit, type JunitCase, type JunitSuite } from '../../io/junit.js';
import type { RunOptions, ScenarioResult, TogetherOptions } from '../../kinds/kind.js';
import type { ThresholdCheck } from '../../scenario/schema.js';
import { runGroup, withResume, withRun, type AnySample, type Job } from '../../kinds/registry.js';
import { groupJobs } from '../../kinds/together.js';
import { RunLock } from '../../results/lock.js';
import { checkPlainFiles, DEFAULT_RESULTS_DIR, findRunFolder, readRun } from '../../results/store.js';
import { levelFigures } from '../../compare/levels.js';
import type { StoredRun } from '../../kinds/registry.js';
import { loadScenario, type Overrides } from '../../scenario/load.js';
import { checkOutFolder, displayPath } from '../io.js';
import { interruptSignal } from '../signals.js';

interface RunFlags extends Overrides {
  junit?: string;
  out?: string;
  resume?: string;
  acceptNewHostKeys?: boolean;
  json?: boolean;
}

/** A folder to continue, under its lock (taken before it is read: no other process appends to it meanwhile). */
async function resumeJob(dir: string, file: string | undefined, flags: RunFlags): Promise<Job> {
  const lock = RunLock.acquire(dir);
  try {
    return { ...(await checkResume(dir, file, flags)), lock };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/**
 * The folder to continue, and every folder run together with it (its manifest's `interleaved`,
 * beside it): they continue together, interleaved as before.
 */
async function resumeTargets(ref: string, files: string[], flags: RunFlags): Promise<Job[]> {
  if (files.length > 1) throw inputError('--resume: completes one run folder; give at most one scenario file');
  const dir = await findRunFolder(ref, flags.out);
  if (!dir) throw inputError(`--resume: no run folder "${ref}"`, `name a folder under ${flags.out}/ (ls ${flags.out})`);
  const jobs = [await resumeJob(dir, files[0], flags)];
  try {
    for (const id of jobs[0].stored!.manifest.interleaved ?? []) {
      if (id === basename(dir)) continue;
      const other = join(dirname(dir), id);
      if (!existsSync(join(other, 'manifest.json')))
        throw inputError(
          `--resume: ${dir} was run together with ${id}, which is not beside it in ${dirname(dir)}/`,
          'folders run together continue together: put them back side by side',
        );
      jobs.push(await resumeJob(other, undefined, flags));
    }
  } catch (e) {
    for (const j of jobs) j.lock?.release();
    throw e;
  }
  // in the order they were run, as the first run ordered them
  const order = jobs[0].stored!.manifest.interleaved ?? [];
  return jobs.sort((a, b) => order.indexOf(basename(a.stored!.dir)) - order.indexOf(basename(b.stored!.dir)));
}

async function checkResume(dir: string, file: string | undefined, flags: RunFlags): Promise<Job> {
  checkPlainFiles(dir);
  const stored = await readRun(dir);
  const m = stored.manifest;
  const scenario = await loadScenario(file ?? m.scenario_file, {
    profile: flags.profile ?? m.profile ?? undefined,
    repetitions: flags.repetitions ?? m.overrides.repetitions,
    levels: flags.levels ?? m.overrides.levels,
  });
  if (scenario.hash !== m.scenario_hash) {
    throw inputError(
      `--resume: ${scenario.file} has changed since ${dir} was started (the scenario as resolved differs)`,
      "start a new run instead, or restore the scenario as it was (it is in the run folder's manifest.json)",
    );
  }
  return { scenario, stored };
}

/** Every file, checked before any traffic is sent; with the companions they name, in groups that run together. */
async function newJobs(files: string[], flags: RunFlags): Promise<Job[][]> {
  const overrides: Overrides = { profile: flags.profile, repetitions: flags.repetitions, levels: flags.levels };
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

/** Resumed folders that hold every planned run (each counted once, as it is read). */
const storeEveryRun = (jobs: readonly Job[]): boolean =>
  jobs.every((job) => job.stored !== undefined && job.stored.samples.length >= job.stored.manifest.planned_runs);

/** Nothing is sent, and the folders are left as they are: a resume entry would record a request never made. */
function nothingToResume(jobs: readonly Job[], io: Io, flags: RunFlags): number {
  for (const job of jobs) job.lock?.release();
  const stored = jobs.map((job) => ({ job, run: job.stored! }));
  for (const { run } of stored) io.err(`lb-bench: nothing to resume: all ${run.samples.length} runs are stored in ${run.dir}`);
  if (flags.json)
    io.out(
      JSON.stringify(
        stored.map(({ job, run }) => jsonSummary(job, run, [], [])),
        null,
        2,
      ),
    );
  else for (const { run } of stored) io.out(displayPath(run.dir));
  return ExitCode.ok;
}

/** `run --json`, per scenario (docs/reports.md, "Other outputs"): its folder, breaches, threshold checks and figures per level. */
function jsonSummary(job: Job, run: StoredRun, breaches: readonly string[], checks: readonly ThresholdCheck[]) {
  return { scenario: job.scenario.scenario.name, dir: run.dir, runs: run.samples.length, breaches, checks, levels: levelFigures(run) };
}

/** The kind's word on the stored folder (the load kind: one line when its repetitions disagree); the folder as stored. */
async function afterRun(dir: string, io: Io): Promise<StoredRun> {
  const stored = await readRun(dir);
  const line = withRun(stored, (kind, r) => kind.afterRun(r));
  if (line) io.err(`warning: ${line}`);
  return stored;
}

type Done = { job: Job; result: ScenarioResult<AnySample>; stored?: StoredRun };

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

export default async function run(io: Io, files: string[], flags: RunFlags): Promise<number> {
  if (!files.length && !flags.resume)
    throw inputError('run: name at least one scenario file', 'e.g. lb-bench run scenarios/haproxy-lc.yaml');
  // --out and --junit were checked as they were read; the default folder is checked here
  if (flags.out === undefined) checkOutFolder((flags.out = DEFAULT_RESULTS_DIR));
  const groups = flags.resume ? [await resumeTargets(flags.resume, files, flags)] : await newJobs(files, flags);
  if (flags.resume && storeEveryRun(groups[0]!)) return nothingToResume(groups[0]!, io, flags);

  const { signal, dispose } = interruptSignal(io, { first: 'stopping after dropping the run in flight' });
  const results: Done[] = [];
  try {
    for (const group of groups) {
      const { done, failure } = await runJobs(group, { outDir: flags.out, io, signal, acceptNewHostKeys: flags.acceptNewHostKeys });
      // the members that finished beside a failed one are stored, and said, before the failure is
      for (const d of done) {
        results.push({ ...d, stored: await afterRun(d.result.dir, io) });
        if (!flags.json) io.out(displayPath(d.result.dir));
      }
      if (failure) throw failure.error;
    }
  } finally {
    dispose();
    // the runner's writer releases it when it closes; this covers a failure before it opened
    for (const job of groups.flat()) job.lock?.release();
  }
  return finished(io, results, flags);
}

/** How many of a check's breaches its failure message lists; the text holds them all. */
const LISTED = 5;

/** --junit: a suite per scenario, a case per threshold; a breach is a failure with its figures. */
function junitSuites(results: readonly Done[]): JunitSuite[] {
  return results.map(({ job, result: r }) => {
    const name = job.scenario.scenario.name;
    const cases: JunitCase[] = r.checks.map((c) => {
      const base = { name: c.threshold, classname: `run.${name}`, out: `judged on ${c.judged} in ${r.dir}` };
      if (!c.breaches.length) return base;
      const more = c.breaches.length > LISTED ? `; … (${c.breaches.length} in all)` : '';
      const message = `${c.threshold} breached: ${c.breaches.slice(0, LISTED).join('; ')}${more}`;
      return { ...base, failure: { type: 'threshold', message, text: c.breaches.join('\n') } };
    });
    if (!cases.length)
      cases.push({
        name: 'no thresholds',
        classname: `run.${name}`,
        out: `${r.samples.length} runs stored in ${r.dir}; the scenario sets no thresholds, so nothing gates them`,
      });
    return { name: `run: ${name}`, cases };
  });
}

/** The summary: JSON when asked, and every threshold breach (exit 1). */
function finished(io: Io, results: readonly Done[], flags: RunFlags): number {
  const breaches = results.flatMap(({ job, result }) => result.breaches.map((b) => `${job.scenario.scenario.name}: ${b}`));
  if (flags.junit) {
    writeJunit(flags.junit, 'lb-bench run', junitSuites(results));
    io.err(`wrote ${flags.junit}`);
  }
  if (flags.json) {
    const summary = results.map(({ job, result, stored }) => jsonSummary(job, stored!, result.breaches, result.checks));
    io.out(JSON.stringify(summary, null, 2));
  }
  if (breaches.length) {
    for (const b of breaches) io.err(`threshold breached: ${b}`);
    io.err(`lb-bench: ${breaches.length} threshold breach${breaches.length > 1 ? 'es' : ''}; every run is stored`);
    return ExitCode.gate;
  }
  return ExitCode.ok;
}
