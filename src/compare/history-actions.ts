/**
 * `history append|prune|accept`, the use cases: the nightly history that `compare --history`
 * judges by (history.ts, docs/reports.md). Each says on stderr what it did to each scenario and
 * returns the lines for stdout.
 *
 * - append: tonight's summary, a line per scenario and level of the newest run of each scenario
 *   (a run already in the file is not appended again, so a retried night counts once); then the
 *   file pruned to its bounds.
 * - prune: the bounds alone.
 * - accept: the newest run of each scenario (or those named) accepted as the new normal: appended
 *   if it is not there yet, and the nights before it no longer judged by. For an intended change
 *   (an upgrade, a new configuration) that the history would otherwise fail until it has lasted
 *   --nights nights.
 */
import { inputError } from '../errors.js';
import type { Io } from '../io/io.js';
import type { StoredRun } from '../kinds/registry.js';
import { listRuns } from '../kinds/run-folders.js';
import { newestPerScenario } from '../results/store.js';
import { appendHistory, historyLines, nightsIn, readHistory, rewriteHistory, type AcceptLine, type HistoryEntry } from './history.js';
import { pruneHistory, type PruneLimits } from './history-prune.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The newest run of each scenario under resultsDir, or of those named; exit 2 when there is none, or a name has none. */
async function newestRuns(action: string, resultsDir: string, scenarios?: readonly string[]): Promise<StoredRun[]> {
  const runs = newestPerScenario(await listRuns(resultsDir));
  if (!runs.length)
    throw inputError(`history ${action}: no runs under ${resultsDir}/`, 'run the scenarios first, or name the folder with --results');
  if (!scenarios?.length) return runs;
  const unknown = scenarios.filter((s) => !runs.some((r) => r.manifest.scenario.name === s));
  if (unknown.length)
    throw inputError(
      `--scenario: no runs of ${unknown.map((u) => `"${u}"`).join(', ')} under ${resultsDir}/`,
      `scenarios with runs: ${runs.map((r) => r.manifest.scenario.name).join(', ')}`,
    );
  return runs.filter((r) => scenarios.includes(r.manifest.scenario.name));
}

/** Tonight's lines that are not in the file yet, appended: how many were, of tonight's. */
function appendNew(
  io: Io,
  file: string,
  entries: readonly HistoryEntry[],
  runs: readonly StoredRun[],
): { appended: number; tonight: number } {
  const known = new Set(nightsIn(entries).map((l) => `${l.run}\0${l.level}`));
  const tonight = runs.flatMap(historyLines);
  const fresh = tonight.filter((l) => !known.has(`${l.run}\0${l.level}`));
  const note = appendHistory(file, fresh);
  if (note) io.err(`warning: ${note}`);
  for (const run of runs) {
    const mine = fresh.filter((l) => l.run === run.manifest.id).length;
    io.err(`${run.manifest.scenario.name}: ${run.dir}: ${mine ? `${plural(mine, 'line')} appended` : 'already in the history'}`);
  }
  return { appended: fresh.length, tonight: tonight.length };
}

/** The file, whose entries are `entries`, rewritten within its bounds, when it is not; what was dropped, on stderr. */
function prune(io: Io, file: string, entries: readonly HistoryEntry[], l: PruneLimits): number {
  const p = pruneHistory(entries, l);
  if (!p.lines) return 0;
  rewriteHistory(file, p.kept);
  const why = [
    p.byNights ? `${plural(p.byNights, 'night')} older than each scenario's newest ${l.keepNights}` : '',
    p.byBytes ? `the oldest ${plural(p.byBytes, 'night')} to stay within ${l.maxBytes} bytes` : '',
  ].filter(Boolean);
  io.err(`history: ${file}: pruned ${plural(p.lines, 'line')}${why.length ? ` (${why.join('; ')})` : ''}; ${p.bytes} bytes kept`);
  return p.lines;
}

export async function historyAppend(file: string, resultsDir: string, limits: PruneLimits, io: Io): Promise<string[]> {
  const runs = await newestRuns('append', resultsDir);
  const entries = (await readHistory(file)) ?? [];
  const { appended, tonight } = appendNew(io, file, entries, runs);
  prune(io, file, (await readHistory(file)) ?? [], limits); // the file as appended to
  return [`${file}: ${plural(appended, 'line')} appended (${tonight - appended} already there)`];
}

export async function historyPrune(file: string, limits: PruneLimits, io: Io): Promise<string[]> {
  const entries = await readHistory(file);
  if (entries === null) throw inputError(`history prune: ${file} does not exist`);
  const dropped = prune(io, file, entries, limits);
  return [`${file}: ${plural(dropped, 'line')} pruned`];
}

export async function historyAccept(file: string, resultsDir: string, scenarios: readonly string[] | undefined, io: Io): Promise<string[]> {
  const runs = await newestRuns('accept', resultsDir, scenarios);
  appendNew(io, file, (await readHistory(file)) ?? [], runs);
  const now = new Date().toISOString();
  const lines: AcceptLine[] = runs.map((r) => ({
    format: 1,
    accept: true,
    scenario: r.manifest.scenario.name,
    run: r.manifest.id,
    at: r.manifest.started_at,
    accepted_at: now,
  }));
  appendHistory(file, lines);
  return lines.map((a) => `${file}: ${a.scenario}: accepted ${a.run} as the new normal; the nights before it are no longer judged by`);
}
