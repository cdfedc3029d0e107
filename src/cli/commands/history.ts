/**
 * `lb-bench history append|prune|accept FILE`: the action and its flags checked, then its use case
 * (src/compare/history-actions.ts); what it did on stdout.
 *
 * - `append [--results DIR] [--keep-nights N] [--max-bytes SIZE]`
 * - `prune [--keep-nights N] [--max-bytes SIZE]`
 * - `accept [--results DIR] [--scenario NAME…]`
 */
import { inputError } from '../../errors.js';
import type { Io } from '../../io/io.js';
import { historyAccept, historyAppend, historyPrune } from '../../compare/history-actions.js';
import { DEFAULT_KEEP_NIGHTS, DEFAULT_MAX_BYTES } from '../../compare/history-limits.js';
import { DEFAULT_RESULTS_DIR } from '../../results/store.js';

interface Options {
  results?: string;
  keepNights?: number;
  maxBytes?: number;
  scenario?: string[];
}

const USAGE = 'lb-bench history append|prune|accept FILE [--results DIR] [--keep-nights N] [--max-bytes SIZE] [--scenario NAME…]';

function act(io: Io, action: string, file: string, opts: Options): Promise<string[]> {
  const resultsDir = opts.results ?? DEFAULT_RESULTS_DIR;
  if (action === 'accept') {
    if (opts.keepNights !== undefined || opts.maxBytes !== undefined)
      throw inputError('history accept: --keep-nights and --max-bytes go with append or prune');
    return historyAccept(file, resultsDir, opts.scenario, io);
  }
  if (opts.scenario !== undefined) throw inputError(`history ${action}: --scenario goes with accept`);
  const limits = { keepNights: opts.keepNights ?? DEFAULT_KEEP_NIGHTS, maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES };
  return action === 'prune' ? historyPrune(file, limits, io) : historyAppend(file, resultsDir, limits, io);
}

export default async function history(io: Io, action: string, file: string | undefined, opts: Options): Promise<number> {
  if (!['append', 'prune', 'accept'].includes(action)) throw inputError(`history: unknown action "${action}"`, USAGE);
  if (!file) throw inputError(`history ${action}: name the history file`, `e.g. lb-bench history ${action} history.jsonl`);
  for (const line of await act(io, action, file, opts)) io.out(line);
  return 0;
}
