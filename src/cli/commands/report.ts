/**
 * `lb-bench report [RUN…] [--out DIR] [--results DIR]`: which runs, then the report manager.
 * RUN is a run folder (path or name under results/) or a scenario name (its newest run with
 * samples); none means the newest run of each scenario. stdout is the report folder alone, so that
 * `out=$(lb-bench report)` is it; the runs it read and the warnings go to stderr.
 */
import { join } from 'node:path';
import { inputError } from '../../errors.js';
import { writeReport } from '../../report/index.js';
import type { StoredRun } from '../../kinds/registry.js';
import { DEFAULT_RESULTS_DIR, findRunFolder, listRuns, newestPerScenario, readRun, timestampId } from '../../results/store.js';
import type { Io } from '../../io/io.js';

interface Options {
  out?: string;
  results?: string;
}

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

export default async function report(io: Io, refs: string[], opts: Options): Promise<number> {
  const resultsDir = opts.results ?? DEFAULT_RESULTS_DIR;
  const runs = await resolveRuns(refs, resultsDir);
  const outDir = opts.out ?? join('reports', timestampId());
  // a folder of its own: another report in the same second gets -2, as a run folder does
  const written = await writeReport(runs, outDir, {}, { unique: opts.out === undefined });
  // one line each; a hint is said once per kind of warning, not on every line
  const hinted = new Set<string>();
  for (const w of written.warnings) {
    const hint = w.hint && !hinted.has(w.kind) ? ` (${w.hint})` : '';
    hinted.add(w.kind);
    io.err(`warning: ${w.message}${hint}`);
  }
  for (const r of written.runs) io.err(`${r.manifest.scenario.name}: ${r.dir} (${r.samples.length} runs)`);
  io.out(written.dir);
  return 0;
}
