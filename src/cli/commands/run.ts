/** `lb-bench run FILE… [--profile P] [--out DIR] [--resume RUN]` */
import { ExitCode, inputError, LbError } from '../../errors.js';
import { RunLock } from '../../results/lock.js';
import { findRunFolder, readRun } from '../../results/store.js';
import type { StoredRun } from '../../results/types.js';
import { isFailover, loadScenario, type ResolvedScenario } from '../../scenario/load.js';
import type { AnyScenario } from '../../scenario/schema.js';
import { runScenario, type ScenarioResult } from '../../run/runner.js';
import { aggregate, noiseSummary } from '../../stats/aggregate.js';
import type { Io } from '../../io/io.js';
import { displayPath } from '../io.js';
import { interruptSignal } from '../signals.js';

interface RunFlags {
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
      'start a new run instead, or restore the scenario as it was (it is in the run folder\'s manifest.json)',
    );
  }
  return { scenario, stored };
}

/** One line when the scenario's repetitions disagree, however many figures do; the report lists each. */
async function warnNoise(dir: string, io: Io): Promise<void> {
  const stored = await readRun(dir);
  const line = noiseSummary(stored.manifest.scenario.name, aggregate([stored]).noisy);
  if (line) io.err(`warning: ${line} — lb-bench report lists them`);
}

export default async function run(io: Io, files: string[], flags: RunFlags): Promise<number> {
  if (!files.length && !flags.resume) throw inputError('run: name at least one scenario file', 'e.g. lb-bench run scenarios/haproxy-lc.yaml');
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
  const results: (Omit<ScenarioResult, 'samples'> & { samples: readonly unknown[] })[] = [];
  try {
    for (const job of jobs) {
      const options = { outDir: flags.out, io, signal, resume: job.stored, lock: job.lock, acceptNewHostKeys: flags.acceptNewHostKeys };
      // kind: failover has its own runner (src/failover); imported only when used
      const result = isFailover(job.scenario)
        ? await (await import('../../failover/runner.js')).runFailover(job.scenario, options)
        : await runScenario(job.scenario as ResolvedScenario, options);
      results.push(result);
      if (!isFailover(job.scenario)) await warnNoise(result.dir, io);
      if (!flags.json) io.out(displayPath(result.dir));
    }
  } finally {
    dispose();
    // the runner's writer releases it when it closes; this covers a failure before it opened
    for (const job of jobs) job.lock?.release();
  }

  const breaches = results.flatMap((r, i) => r.breaches.map((b) => `${jobs[i].scenario.scenario.name}: ${b}`));
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
