/** `lb-bench run FILE… [--profile P] [--out DIR] [--resume RUN]` */
import { ExitCode, inputError, LbError } from '../../errors.js';
import type { Io } from '../../io/io.js';
import { writeJunit, type JunitCase, type JunitSuite } from '../../io/junit.js';
import type { RunOptions, ScenarioResult } from '../../kinds/kind.js';
import { withResume, withRun, type AnySample, type AnyScenario, type StoredRun } from '../../kinds/registry.js';
import { RunLock } from '../../results/lock.js';
import { findRunFolder, readRun } from '../../results/store.js';
import { loadScenario, type ResolvedScenario } from '../../scenario/load.js';
import { displayPath } from '../io.js';
import { interruptSignal } from '../signals.js';

interface RunFlags {
  junit?: string;
  profile?: string;
  out: string;
  resume?: string;
  repetitions?: number;
  levels?: number[];
  acceptNewHostKeys?: boolean;
  json?: boolean;
}

interface Job {
  scenario: ResolvedScenario<AnyScenario>;
  stored?: StoredRun;
  /** a resumed folder's lock, taken before it is read: no other process appends to it meanwhile */
  lock?: RunLock;
}

async function resumeTarget(ref: string, files: string[], flags: RunFlags): Promise<Job> {
  if (files.length > 1) throw inputError('--resume: completes one run folder; give at most one scenario file');
  const dir = await findRunFolder(ref, flags.out);
  if (!dir) throw inputError(`--resume: no run folder "${ref}"`, `name a folder under ${flags.out}/ (ls ${flags.out})`);
  const lock = RunLock.acquire(dir);
  try {
    return { ...(await checkResume(dir, files, flags)), lock };
  } catch (e) {
    lock.release();
    throw e;
  }
}

async function checkResume(dir: string, files: string[], flags: RunFlags): Promise<Job> {
  const stored = await readRun(dir);
  const m = stored.manifest;
  const scenario = await loadScenario(files[0] ?? m.scenario_file, {
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

/** The kind's word on the stored folder (the load kind: one line when its repetitions disagree). */
async function afterRun(dir: string, io: Io): Promise<void> {
  const line = withRun(await readRun(dir), (kind, stored) => kind.afterRun(stored));
  if (line) io.err(`warning: ${line}`);
}

/** The scenario, run by its kind's runner (a resumed folder with it). */
function runOfKind(job: Job, options: Omit<RunOptions<never>, 'resume'>): Promise<ScenarioResult<AnySample>> {
  return withResume<Promise<ScenarioResult<AnySample>>>(job.scenario, job.stored, (kind, r, resume) => kind.run(r, { ...options, resume }));
}

/** How many of a check's breaches its failure message lists; the text holds them all. */
const LISTED = 5;

/** --junit: a suite per scenario, a case per threshold; a breach is a failure with its figures. */
function junitSuites(jobs: readonly Job[], results: readonly ScenarioResult<AnySample>[]): JunitSuite[] {
  return results.map((r, i) => {
    const name = jobs[i].scenario.scenario.name;
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

export default async function run(io: Io, files: string[], flags: RunFlags): Promise<number> {
  if (!files.length && !flags.resume)
    throw inputError('run: name at least one scenario file', 'e.g. lb-bench run scenarios/haproxy-lc.yaml');
  // every file is checked before any traffic is sent
  const jobs: Job[] = [];
  if (flags.resume) {
    jobs.push(await resumeTarget(flags.resume, files, flags));
  } else {
    const problems: string[] = [];
    for (const file of files) {
      try {
        jobs.push({ scenario: await loadScenario(file, { profile: flags.profile, repetitions: flags.repetitions, levels: flags.levels }) });
      } catch (e) {
        if (!(e instanceof LbError)) throw e;
        problems.push(e.message);
      }
    }
    if (problems.length) throw inputError(problems.join('\n'));
  }

  const { signal, dispose } = interruptSignal(io, { first: 'stopping after dropping the run in flight' });
  const results: ScenarioResult<AnySample>[] = [];
  try {
    for (const job of jobs) {
      const result = await runOfKind(job, { outDir: flags.out, io, signal, lock: job.lock, acceptNewHostKeys: flags.acceptNewHostKeys });
      results.push(result);
      await afterRun(result.dir, io);
      if (!flags.json) io.out(displayPath(result.dir));
    }
  } finally {
    dispose();
    // the runner's writer releases it when it closes; this covers a failure before it opened
    for (const job of jobs) job.lock?.release();
  }

  const breaches = results.flatMap((r, i) => r.breaches.map((b) => `${jobs[i].scenario.scenario.name}: ${b}`));
  if (flags.junit) {
    writeJunit(flags.junit, 'lb-bench run', junitSuites(jobs, results));
    io.err(`wrote ${flags.junit}`);
  }
  if (flags.json) {
    io.out(
      JSON.stringify(
        results.map((r, i) => ({
          scenario: jobs[i].scenario.scenario.name,
          dir: r.dir,
          runs: r.samples.length,
          breaches: r.breaches,
        })),
        null,
        2,
      ),
    );
  }
  if (breaches.length) {
    for (const b of breaches) io.err(`threshold breached: ${b}`);
    io.err(`lb-bench: ${breaches.length} threshold breach${breaches.length > 1 ? 'es' : ''}; every run is stored`);
    return ExitCode.gate;
  }
  return ExitCode.ok;
}
