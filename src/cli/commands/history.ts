/**
 * `lb-bench history append FILE [--results DIR]`: tonight's summary into the nightly history, a
 * line per scenario and level of the newest run of each scenario (src/compare/history.ts). A run
 * already in the file is not appended again, so that a retried night counts once.
 */
import { inputError } from '../../errors.js';
import type { Io } from '../../io/io.js';
import { DEFAULT_RESULTS_DIR, listRuns, newestPerScenario } from '../../results/store.js';
import { appendHistory, historyLines, readHistory } from '../../compare/history.js';

interface Options {
  results?: string;
}

export default async function history(io: Io, action: string, file: string | undefined, opts: Options): Promise<number> {
  if (action !== 'append') throw inputError(`history: unknown action "${action}"`, 'lb-bench history append FILE [--results DIR]');
  if (!file) throw inputError('history append: name the history file', 'e.g. lb-bench history append history.jsonl --results results');
  const resultsDir = opts.results ?? DEFAULT_RESULTS_DIR;
  const runs = newestPerScenario(await listRuns(resultsDir));
  if (!runs.length)
    throw inputError(`history append: no runs under ${resultsDir}/`, 'run the scenarios first, or name the folder with --results');
  const known = new Set((await readHistory(file))?.map((l) => `${l.run}\0${l.level}`) ?? []);
  const lines = runs.flatMap(historyLines);
  const fresh = lines.filter((l) => !known.has(`${l.run}\0${l.level}`));
  const note = appendHistory(file, fresh);
  if (note) io.err(`warning: ${note}`);
  for (const run of runs) {
    const mine = fresh.filter((l) => l.run === run.manifest.id).length;
    io.err(`${run.manifest.scenario.name}: ${run.dir}: ${mine ? `${mine} line${mine > 1 ? 's' : ''} appended` : 'already in the history'}`);
  }
  io.out(`${file}: ${fresh.length} line${fresh.length === 1 ? '' : 's'} appended (${lines.length - fresh.length} already there)`);
  return 0;
}
