/**
 * `compare`, the use case: the comparisons (A and B, or every scenario against a baseline), the
 * history's judgement of tonight, the gate's, the table in the format asked for, and the files
 * under --out and --junit. What was chosen, judged and written is said on stderr as it happens;
 * the table and the gate's judgement are returned for the command line to print.
 */
import type { Io } from '../io/io.js';
import { listRuns } from '../kinds/run-folders.js';
import { newestPerScenario } from '../results/store.js';
import { inputError } from '../errors.js';
import type { Comparison, TestName } from './compare.js';
import { format, toJson, type Format } from './compare-tables.js';
import { breachLine, breaches, gateOutcome, type Breach, type GateOutcome } from './gate.js';
import { readHistory } from './history.js';
import { historyBreachLine, historyWatchLine, tooFewLines, type HistoryPart, type HistorySettings } from './history-format.js';
import { judgeTonight, ungateJudged, type HistoryRow, type TonightJudgement } from './tonight.js';
import { checkMetrics, comparePairs } from './select-pairs.js';
import { chartFile, writeCharts, writeCompareJunit, writeTables } from './compare-outputs.js';

export interface CompareOptions {
  resultsDir: string;
  /** every scenario's newest run against its newest run in this folder */
  baseline?: string;
  /** every scenario's newest run judged against the history's nights */
  history?: HistorySettings;
  metric?: string[];
  alpha: number;
  test: TestName;
  /** the gate: a regression by more than this percentage fails it; null: no gate */
  pct: number | null;
  /** the table's format on stdout; `--json`: everything, as an object (`--format json` is the rows of `--format csv`) */
  format: Format | '--json';
  /** text: every table of every comparison */
  verbose: boolean;
  /** compare.md, compare.json and the charts go here */
  out?: string;
  junit?: string;
}

/** The gate's judgement: its breaches, the history's regressions, the outcome and a line for each (null outcome: no gate). */
export interface Judged {
  found: Breach[];
  fromHistory: HistoryRow[];
  outcome: GateOutcome | null;
  lines: string[];
}

export interface CompareResult {
  /** the table, as asked */
  text: string;
  judged: Judged;
}

/** The newest run of every scenario under resultsDir against the history's nights; what cannot be judged yet, on stderr. */
async function judgeHistory(settings: HistorySettings, o: CompareOptions, io: Io): Promise<TonightJudgement> {
  const runs = newestPerScenario(await listRuns(o.resultsDir));
  if (!runs.length)
    throw inputError(`--history: no runs under ${o.resultsDir}/ to judge`, 'run the scenarios first, or name the folder with --results');
  checkMetrics(runs, o.metric);
  const lines = await readHistory(settings.file);
  if (lines === null) io.err(`history: ${settings.file} does not exist yet: no nights to judge by (lb-bench history append writes it)`);
  const judgement = judgeTonight(runs, lines ?? [], {
    nights: settings.nights,
    confirm: settings.confirm,
    pct: o.pct ?? 0,
    metrics: o.metric,
  });
  for (const run of judgement.runs) io.err(`history: ${run.scenario}: tonight ${run.dir} (machine ${run.fingerprint})`);
  for (const line of tooFewLines(judgement)) io.err(line);
  for (const r of judgement.rows.filter((x) => x.verdict === 'watch')) io.err(historyWatchLine(r, settings.confirm));
  return judgement;
}

function judge(comparisons: readonly Comparison[], history: HistoryPart | null, pct: number | null, alpha: number): Judged {
  if (pct === null) return { found: [], fromHistory: [], outcome: null, lines: [] };
  const found = breaches(comparisons, pct);
  const fromHistory = history?.judgement.rows.filter((r) => r.verdict === 'worse') ?? [];
  const lines = [...found.map((b) => breachLine(b, pct)), ...fromHistory.map(historyBreachLine)];
  return { found, fromHistory, outcome: gateOutcome(found, fromHistory.length, pct, alpha, history !== null), lines };
}

function printed(
  comparisons: readonly Comparison[],
  history: HistoryPart | null,
  verbose: boolean,
  judged: Judged,
  f: Format | '--json',
): string {
  if (f === '--json') return toJson(comparisons, judged.found, judged.outcome, history && { ...history, regressions: judged.fromHistory });
  const opening = { outcome: judged.outcome, breachLines: judged.lines, verbose };
  return format(comparisons, f, opening, history);
}

/** Compare A and B (refs), or every scenario against o.baseline and/or o.history; write what is asked; the table and the gate. */
export async function compareAndGate(refs: string[], o: CompareOptions, io: Io): Promise<CompareResult> {
  let comparisons = o.history && !o.baseline ? [] : await comparePairs(refs, o, io);
  const history = o.history ? { judgement: await judgeHistory(o.history, o, io), settings: o.history } : null;
  if (history) comparisons = ungateJudged(comparisons, history.judgement.rows);

  // a chart's file name is checked before anything is written
  if (o.out) for (const c of comparisons) chartFile(o.out, c, comparisons.length > 1);
  const judged = judge(comparisons, history, o.pct, o.alpha);
  const as = (f: Format | '--json') => printed(comparisons, history, o.verbose, judged, f);
  const text = as(o.format);
  if (o.out) {
    // compare.md and compare.json: the text printed already, when it is one of them
    writeTables(o.out, o.format === 'md' ? text : as('md'), o.format === '--json' ? text : as('--json'), io);
    if (comparisons.length) writeCharts(comparisons, o.out, o.metric?.[0], io);
  }
  if (o.junit) writeCompareJunit(o.junit, comparisons, history, o.pct, io);
  return { text, judged };
}
