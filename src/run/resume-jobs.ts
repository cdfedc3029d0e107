/**
 * `run --resume RUN`: the folder to continue, and every folder run together with it, each under
 * its lock and checked against its scenario file (a scenario changed since is exit 2).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { inputError } from '../errors.js';
import type { Job } from '../kinds/registry.js';
import { RunLock } from '../results/lock.js';
import { checkPlainFiles, findRunFolder } from '../results/store.js';
import { readRun } from '../kinds/run-folders.js';
import { loadScenario, type Overrides } from '../kinds/scenario-file.js';

async function checkResume(dir: string, file: string | undefined, overrides: Overrides): Promise<Job> {
  checkPlainFiles(dir);
  const stored = await readRun(dir);
  const m = stored.manifest;
  const scenario = await loadScenario(file ?? m.scenario_file, {
    profile: overrides.profile ?? m.profile ?? undefined,
    repetitions: overrides.repetitions ?? m.overrides.repetitions,
    levels: overrides.levels ?? m.overrides.levels,
  });
  if (scenario.hash !== m.scenario_hash) {
    throw inputError(
      `--resume: ${scenario.file} has changed since ${dir} was started (the scenario as resolved differs)`,
      "start a new run instead, or restore the scenario as it was (it is in the run folder's manifest.json)",
    );
  }
  return { scenario, stored };
}

/** A folder to continue, under its lock (taken before it is read: no other process appends to it meanwhile). */
async function resumeJob(dir: string, file: string | undefined, overrides: Overrides): Promise<Job> {
  const lock = RunLock.acquire(dir);
  try {
    return { ...(await checkResume(dir, file, overrides)), lock };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/**
 * The folder to continue (a path, or a name under outDir), and every folder run together with it
 * (its manifest's `interleaved`, beside it): they continue together, interleaved as before.
 */
export async function resumeTargets(ref: string, files: string[], outDir: string, overrides: Overrides): Promise<Job[]> {
  if (files.length > 1) throw inputError('--resume: completes one run folder; give at most one scenario file');
  const dir = await findRunFolder(ref, outDir);
  if (!dir) throw inputError(`--resume: no run folder "${ref}"`, `name a folder under ${outDir}/ (ls ${outDir})`);
  const jobs = [await resumeJob(dir, files[0], overrides)];
  try {
    for (const id of jobs[0].stored!.manifest.interleaved ?? []) {
      if (id === basename(dir)) continue;
      const other = join(dirname(dir), id);
      if (!existsSync(join(other, 'manifest.json')))
        throw inputError(
          `--resume: ${dir} was run together with ${id}, which is not beside it in ${dirname(dir)}/`,
          'folders run together continue together: put them back side by side',
        );
      jobs.push(await resumeJob(other, undefined, overrides));
    }
  } catch (e) {
    for (const j of jobs) j.lock?.release();
    throw e;
  }
  // in the order they were run, as the first run ordered them
  const order = jobs[0].stored!.manifest.interleaved ?? [];
  return jobs.sort((a, b) => order.indexOf(basename(a.stored!.dir)) - order.indexOf(basename(b.stored!.dir)));
}

/** Resumed folders that hold every planned run (each counted once, as it is read). */
export const storeEveryRun = (jobs: readonly Job[]): boolean =>
  jobs.every((job) => job.stored !== undefined && job.stored.samples.length >= job.stored.manifest.planned_runs);
