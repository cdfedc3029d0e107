/**
 * `compare --history FILE [--nights N] [--confirm-nights K]`: the newest run of every scenario in
 * --results judged against the history's nights (src/compare/tonight.ts). What could not be judged
 * for want of nights, and each night out that is not yet a regression, is said on stderr.
 */
import { inputError } from '../../errors.js';
import type { Io } from '../../io/io.js';
import { metricsOf } from '../../kinds/registry.js';
import { listRuns, newestPerScenario } from '../../results/store.js';
import { selectMetrics } from '../../compare/compare.js';
import { readHistory } from '../../compare/history.js';
import { historyWatchLine, tooFewLines, type HistorySettings } from '../../compare/history-format.js';
import { DEFAULT_CONFIRM, DEFAULT_NIGHTS } from '../../compare/history-limits.js';
import { judgeTonight, type TonightJudgement } from '../../compare/tonight.js';

export interface HistoryFlags {
  history?: string;
  nights?: number;
  confirmNights?: number;
  metric?: string[];
}

/** --nights and --confirm-nights, checked (also without --history, where they would be ignored: exit 2). */
export function historySettings(flags: HistoryFlags): HistorySettings | null {
  if (!flags.history) {
    const stray = flags.nights !== undefined ? '--nights' : flags.confirmNights !== undefined ? '--confirm-nights' : null;
    if (stray) throw inputError(`${stray}: only with --history FILE`);
    return null;
  }
  const nights = flags.nights ?? DEFAULT_NIGHTS;
  const confirm = flags.confirmNights ?? DEFAULT_CONFIRM;
  if (confirm > nights) throw inputError(`--confirm-nights: must be a whole number from 1 to ${nights}, got "${confirm}"`);
  return { file: flags.history, nights, confirm };
}

export async function judgeHistory(
  settings: HistorySettings,
  flags: HistoryFlags,
  resultsDir: string,
  pct: number | null,
  io: Io,
): Promise<TonightJudgement> {
  const runs = newestPerScenario(await listRuns(resultsDir));
  if (!runs.length)
    throw inputError(`--history: no runs under ${resultsDir}/ to judge`, 'run the scenarios first, or name the folder with --results');
  const known = [...new Map(runs.flatMap((r) => metricsOf(r)).map((m) => [m.name, m])).values()];
  const { unknown } = selectMetrics(known, flags.metric);
  if (unknown.length)
    throw inputError(
      `--metric: unknown ${unknown.map((u) => `"${u}"`).join(', ')}`,
      `metrics of these runs: ${known.map((m) => m.name).join(', ')}`,
    );
  const lines = await readHistory(settings.file);
  if (lines === null) io.err(`history: ${settings.file} does not exist yet: no nights to judge by (lb-bench history append writes it)`);
  const judgement = judgeTonight(runs, lines ?? [], {
    nights: settings.nights,
    confirm: settings.confirm,
    pct: pct ?? 0,
    metrics: flags.metric,
  });
  for (const run of judgement.runs) io.err(`history: ${run.scenario}: tonight ${run.dir} (machine ${run.fingerprint})`);
  for (const line of tooFewLines(judgement)) io.err(line);
  for (const r of judgement.rows.filter((x) => x.verdict === 'watch')) io.err(historyWatchLine(r, settings.confirm));
  return judgement;
}
