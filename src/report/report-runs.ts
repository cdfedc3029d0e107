/**
 * `report`, the use case: which runs (a run folder, path or name under the results folder, or a
 * scenario name: its newest run with samples; none: the newest run of each scenario), then the
 * report manager (index.ts) writes their report.
 */
import { join } from 'node:path';
import { inputError } from '../errors.js';
import type { StoredRun } from '../kinds/registry.js';
import { findRunFolder, newestPerScenario, timestampId } from '../results/store.js';
import { listRuns, readRun } from '../kinds/run-folders.js';
import { writeReport, type WrittenReport } from './index.js';

async function resolveRuns(refs: readonly string[], resultsDir: string): Promise<StoredRun[]> {
  let all: StoredRun[] | undefined;
  const newest = async () => newestPerScenario((all ??= await listRuns(resultsDir)));
  if (!refs.length) {
    const runs = await newest();
    if (!runs.length) throw inputError(`no runs under ${resultsDir}/: run a scenario first (lb-bench run FILE)`);
    return runs;
  }
  const runs: StoredRun[] = [];
  for (const ref of refs) {
    const folder = await findRunFolder(ref, resultsDir);
    const run = folder ? await readRun(folder) : (await newest()).find((r) => r.manifest.scenario.name === ref);
    if (!run) {
      const names = (await newest()).map((r) => r.manifest.scenario.name);
      throw inputError(
        `unknown run "${ref}": neither a run folder nor the name of a scenario with runs under ${resultsDir}/`,
        names.length ? `scenarios with runs: ${names.join(', ')}` : 'run a scenario first (lb-bench run FILE)',
      );
    }
    if (!runs.some((r) => r.dir === run.dir)) runs.push(run);
  }
  const empty = runs.filter((r) => !r.samples.length);
  if (empty.length === runs.length)
    throw inputError(`${empty.map((r) => r.dir).join(', ')}: no finished runs to report`, 'complete it with lb-bench run --resume RUN');
  return runs;
}

/** The report of the runs that refs name, in outDir (default: a folder of its own, reports/<timestamp>). */
export async function reportRuns(refs: readonly string[], resultsDir: string, outDir?: string): Promise<WrittenReport> {
  const runs = await resolveRuns(refs, resultsDir);
  // a folder of its own: another report in the same second gets -2, as a run folder does
  return writeReport(runs, outDir ?? join('reports', timestampId()), {}, { unique: outDir === undefined });
}
