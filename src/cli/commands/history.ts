/**
 * `lb-bench history append|prune|accept FILE`: the nightly history that `compare --history` judges
 * by (src/compare/history.ts, docs/reports.md).
 *
 * - `append [--results DIR] [--keep-nights N] [--max-bytes SIZE]`: tonight's summary, a line per
 *   scenario and level of the newest run of each scenario (a run already in the file is not
 *   appended again, so a retried night counts once); then the file pruned to its bounds.
 * - `prune [--keep-nights N] [--max-bytes SIZE]`: the bounds alone.
 * - `accept [--results DIR] [--scenario NAME…]`: the newest run of each scenario (or those named)
 *   accepted as the new normal: appended if it is not there yet, and the nights before it no
 *   longer judged by. For an intended change (an upgrade, a new configuration) that the history
 *   would otherwise fail until it has lasted --nights nights.
 */
import { inputError } from '../../errors.js';
import type { Io } from '../../io/io.js';
import type { StoredRun } from '../../kinds/registry.js';
import { DEFAULT_RESULTS_DIR, listRuns, newestPerScenario } from '../../results/store.js';
import {
  appendHistory,
  historyLines,
  nightsIn,
  readHistory,
  rewriteHistory,
  type AcceptLine,
  type HistoryEntry,
} from '../../compare/history.js';
import { DEFAULT_KEEP_NIGHTS, DEFAULT_MAX_BYTES, pruneHistory, type PruneLimits } from '../../compare/history-prune.js';

interface Options {
  results?: string;
  keepNights?: number;
  maxBytes?: number;
  scenario?: string[];
}

const USAGE = 'lb-bench history append|prune|accept FILE [--results DIR] [--keep-nights N] [--max-bytes SIZE] [--scenario NAME…]';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const limits = (opts: Options): PruneLimits => ({
  keepNights: opts.keepNights ?? DEFAULT_KEEP_NIGHTS,
  maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
});

async function newestRuns(action: string, opts: Options): Promise<StoredRun[]> {
  const resultsDir = opts.results ?? DEFAULT_RESULTS_DIR;
  const runs = newestPerScenario(await listRuns(resultsDir));
  if (!runs.length)
    throw inputError(`history ${action}: no runs under ${resultsDir}/`, 'run the scenarios first, or name the folder with --results');
  if (!opts.scenario?.length) return runs;
  const unknown = opts.scenario.filter((s) => !runs.some((r) => r.manifest.scenario.name === s));
  if (unknown.length)
    throw inputError(
      `--scenario: no runs of ${unknown.map((u) => `"${u}"`).join(', ')} under ${resultsDir}/`,
      `scenarios with runs: ${runs.map((r) => r.manifest.scenario.name).join(', ')}`,
    );
  return runs.filter((r) => opts.scenario!.includes(r.manifest.scenario.name));
}

/** Tonight's lines that are not in the file yet, appended. */
function appendNew(io: Io, file: string, entries: readonly HistoryEntry[], runs: readonly StoredRun[]): number {
  const known = new Set(nightsIn(entries).map((l) => `${l.run}\0${l.level}`));
  const fresh = runs.flatMap(historyLines).filter((l) => !known.has(`${l.run}\0${l.level}`));
  const note = appendHistory(file, fresh);
  if (note) io.err(`warning: ${note}`);
  for (const run of runs) {
    const mine = fresh.filter((l) => l.run === run.manifest.id).length;
    io.err(`${run.manifest.scenario.name}: ${run.dir}: ${mine ? `${plural(mine, 'line')} appended` : 'already in the history'}`);
  }
  return fresh.length;
}

/** The file rewritten within its bounds, when it is not; what was dropped, on stderr. */
async function prune(io: Io, file: string, l: PruneLimits): Promise<number> {
  const entries = (await readHistory(file)) ?? [];
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

async function accept(io: Io, file: string, opts: Options): Promise<number> {
  const runs = await newestRuns('accept', opts);
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
  for (const a of lines)
    io.out(`${file}: ${a.scenario}: accepted ${a.run} as the new normal; the nights before it are no longer judged by`);
  return 0;
}

export default async function history(io: Io, action: string, file: string | undefined, opts: Options): Promise<number> {
  if (!['append', 'prune', 'accept'].includes(action)) throw inputError(`history: unknown action "${action}"`, USAGE);
  if (!file) throw inputError(`history ${action}: name the history file`, `e.g. lb-bench history ${action} history.jsonl`);
  if (action === 'accept') {
    if (opts.keepNights !== undefined || opts.maxBytes !== undefined)
      throw inputError('history accept: --keep-nights and --max-bytes go with append or prune');
    return accept(io, file, opts);
  }
  if (opts.scenario !== undefined) throw inputError(`history ${action}: --scenario goes with accept`);
  const bounds = limits(opts);
  if (action === 'prune') {
    if ((await readHistory(file)) === null) throw inputError(`history prune: ${file} does not exist`);
    const dropped = await prune(io, file, bounds);
    io.out(`${file}: ${plural(dropped, 'line')} pruned`);
    return 0;
  }
  const runs = await newestRuns('append', opts);
  const entries = (await readHistory(file)) ?? [];
  const fresh = appendNew(io, file, entries, runs);
  await prune(io, file, bounds);
  const all = runs.flatMap(historyLines).length;
  io.out(`${file}: ${plural(fresh, 'line')} appended (${all - fresh} already there)`);
  return 0;
}
