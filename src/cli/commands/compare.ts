/**
 * `lb-bench compare A B [--baseline DIR] [--fail-on-regression PCT] …`: which runs, the
 * comparison, on stdout the gate's outcome and a line per comparison, then the rows that differ
 * (every table with --verbose, --format md, or as JSON); compare.md, compare.json and charts under
 * --out; then the gate. The chosen runs, files written and breaches go to stderr too.
 */
import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExitCode, envError, inputError } from '../../errors.js';
import { levelsOf, measuredBy, metricsOf, type StoredRun } from '../../kinds/registry.js';
import { chartFont, renderChart } from '../../report/charts.js';
import { DEFAULT_RESULTS_DIR } from '../../results/store.js';
import { chartMetric, compareChartSpec } from '../../report/compare-chart.js';
import { compareRuns, heading, machineLine, selectMetrics, systemLine, type Comparison, type TestName } from '../../compare/compare.js';
import { format, oneTable, toJson, type Format } from '../../compare/format.js';
import { breachLine, breaches, gateOutcome, outcomeText, type Breach, type GateOutcome } from '../../compare/gate.js';
import type { HistoryRow } from '../../compare/tonight.js';
import { historyBreachLine, type HistorySettings } from '../../compare/history-format.js';
import { compareSuites } from '../../compare/junit.js';
import { baselinePairs, resolvePair } from '../../compare/resolve.js';
import { ungateJudged, type TonightJudgement } from '../../compare/tonight.js';
import { writeJunit } from '../../io/junit.js';
import { errorWords, writeFiles as writeFileSet, type WriteFailed } from '../../io/files.js';
import { historySettings, judgeHistory, type HistoryFlags } from './compare-history.js';
import { SLUG } from '../../scenario/schema.js';
import { describeValue } from '../../util/issues.js';
import { childPath } from '../../util/paths.js';
import type { Io } from '../../io/io.js';

interface Options extends HistoryFlags {
  results?: string;
  metric?: string[];
  junit?: string;
  alpha?: number;
  test?: TestName;
  format?: Format;
  json?: boolean;
  verbose?: boolean;
  out?: string;
  failOnRegression?: number;
  baseline?: string;
}

const runLine = (side: string, r: StoredRun) =>
  `${side}: ${r.manifest.scenario.name}  ${r.dir}  (${r.samples.length} runs, ${measuredBy(r)}, ${r.manifest.status})`;

/** A folder as the disk knows it (links and `..` resolved), to tell whether two names are one folder. */
const canonical = (dir: string) => realpath(dir).catch(() => resolve(dir));

async function choosePairs(refs: string[], opts: Options, resultsDir: string, io: Io): Promise<[StoredRun, StoredRun][]> {
  if (opts.baseline) {
    if (refs.length) throw inputError('compare: give either A and B or --baseline DIR, not both');
    if ((await canonical(opts.baseline)) === (await canonical(resultsDir))) {
      throw inputError(
        `--baseline ${opts.baseline}: the same folder as --results ${resultsDir}; every run would be compared with itself`,
        "name the folder of the earlier runs with --baseline, e.g. last night's results",
      );
    }
    const { pairs, unmatched, notRun } = await baselinePairs(resultsDir, opts.baseline);
    for (const name of unmatched) io.err(`warning: ${name}: no run in the baseline ${opts.baseline}; not compared`);
    for (const name of notRun) io.err(`warning: ${name}: in the baseline but no run under ${resultsDir}/; not compared`);
    for (const [a, b] of pairs) io.err(`${a.manifest.scenario.name}: baseline ${a.dir} vs ${b.dir}`);
    return pairs;
  }
  if (refs.length !== 2)
    throw inputError(
      `compare: needs two runs or scenario names, got ${refs.length}`,
      'e.g. lb-bench compare haproxy nginx, or --baseline DIR',
    );
  const [a, b] = await resolvePair(refs[0], refs[1], resultsDir);
  io.err(runLine('A', a));
  io.err(runLine('B', b));
  return [[a, b]];
}

/**
 * Where a comparison's chart goes. With several, the file is named after the scenario, a name
 * read from a run folder: it is used only when it is a scenario name (a slug) that stays a file
 * inside outDir, else exit 2 (checked for all before anything is written).
 */
function chartFile(outDir: string, c: Comparison, several: boolean): string {
  if (!several) return join(outDir, 'compare.png');
  const path = SLUG.test(c.b.scenario) ? childPath(outDir, `compare-${c.b.scenario}.png`) : null;
  if (!path)
    throw inputError(
      `${join(c.b.dir, 'manifest.json')}: scenario.name: not a scenario name, got ${describeValue(c.b.scenario)}; a name read from a run folder is never used as a path`,
      'this manifest was not written by lb-bench run: restore it, or leave this run folder out',
    );
  return path;
}

async function writeCharts(comparisons: Comparison[], outDir: string, wanted: string | undefined, io: Io): Promise<void> {
  if (chartFont() === null) io.err('warning: the chart has no text: this machine has no fonts (apt-get install fonts-dejavu-core)');
  const charts: { path: string; content: Buffer; metric: string }[] = [];
  for (const c of comparisons) {
    const metric = chartMetric(c, wanted);
    if (metric)
      charts.push({ path: chartFile(outDir, c, comparisons.length > 1), content: renderChart(compareChartSpec(c, metric)), metric });
  }
  try {
    writeFileSet(charts);
  } catch (e) {
    const failed = e as WriteFailed;
    throw envError(`${failed.path ?? outDir}: cannot write (${errorWords(failed.cause ?? e)})`, 'choose another folder with --out');
  }
  for (const c of charts) io.err(`wrote ${c.path} (${c.metric})`);
}

/** The pairs' comparisons: A and B, or every scenario against --baseline DIR. */
async function comparePairs(
  refs: string[],
  opts: Options,
  resultsDir: string,
  alpha: number,
  gatePct: number | null,
  io: Io,
): Promise<Comparison[]> {
  const pairs = await choosePairs(refs, opts, resultsDir, io);
  // each kind has its own metrics: what is known is the union over the pairs' runs
  const known = [...new Map(pairs.flatMap(([a, b]) => [...metricsOf(a), ...metricsOf(b)]).map((m) => [m.name, m])).values()];
  const { unknown } = selectMetrics(known, opts.metric);
  if (unknown.length)
    throw inputError(
      `--metric: unknown ${unknown.map((u) => `"${u}"`).join(', ')}`,
      `metrics of these runs: ${known.map((m) => m.name).join(', ')}`,
    );
  const comparisons: Comparison[] = [];
  for (const [a, b] of pairs) {
    const c = compareRuns(a, b, {
      alpha,
      test: opts.test ?? 'mann-whitney',
      metrics: opts.metric,
      labels: opts.baseline ? ['baseline', 'current'] : undefined,
      gatePct: gatePct ?? undefined,
    });
    if (c.rows.length) {
      comparisons.push(c);
      for (const line of [systemLine(c.system), machineLine(c.machines)]) if (line) io.err(`${heading(c)}: ${line}`);
    } else nothingInCommon(a, b, pairs.length, io, opts.metric);
  }
  // a gate that compared nothing must not pass (e.g. every scenario's levels changed since the baseline)
  if (!comparisons.length)
    throw inputError('nothing to compare: no scenario has a level measured on both sides', 'run with the same levels as the baseline');
  return comparisons;
}

/** A pair without a level (or an asked-for metric) in common: a warning among several, else exit 2 saying why. */
function nothingInCommon(a: StoredRun, b: StoredRun, pairs: number, io: Io, metrics: readonly string[] | undefined): void {
  const shared = levelsOf(a).some((l) => levelsOf(b).includes(l));
  if (pairs > 1)
    io.err(
      shared && metrics?.length
        ? `warning: ${a.manifest.scenario.name}: none of --metric ${metrics.join(' ')} is measured by its runs; not compared`
        : `warning: ${a.manifest.scenario.name}: no level measured in both runs (${levelsOf(a).join(',')} vs ${levelsOf(b).join(',')}); not compared`,
    );
  else if (a.manifest.scenario.kind !== b.manifest.scenario.kind)
    throw inputError(
      `nothing to compare: ${a.manifest.scenario.name} is a ${a.manifest.scenario.kind} run and ${b.manifest.scenario.name} a ${b.manifest.scenario.kind} run`,
      'compare two runs of the same kind',
    );
  else
    throw inputError(
      `nothing to compare: no level measured in both runs (A: ${levelsOf(a).join(',')}; B: ${levelsOf(b).join(',')})`,
      'run both with the same --levels',
    );
}

interface History {
  judgement: TonightJudgement;
  settings: HistorySettings;
}

/** The gate's judgement: its breaches, the history's regressions, the outcome and a line for each (null outcome: no gate). */
interface Judged {
  found: Breach[];
  fromHistory: HistoryRow[];
  outcome: GateOutcome | null;
  lines: string[];
}

function judge(comparisons: readonly Comparison[], history: History | null, pct: number | null, alpha: number): Judged {
  if (pct === null) return { found: [], fromHistory: [], outcome: null, lines: [] };
  const found = breaches(comparisons, pct);
  const fromHistory = history?.judgement.rows.filter((r) => r.verdict === 'worse') ?? [];
  const lines = [...found.map((b) => breachLine(b, pct)), ...fromHistory.map(historyBreachLine)];
  return { found, fromHistory, outcome: gateOutcome(found, fromHistory.length, pct, alpha, history !== null), lines };
}

/** `--json`: everything, as an object (`--format json` is the rows of `--format csv`). */
type Printed = Format | '--json';

function printed(comparisons: readonly Comparison[], history: History | null, opts: Options, judged: Judged, f: Printed): string {
  if (f === '--json') return toJson(comparisons, judged.found, judged.outcome, history && { ...history, regressions: judged.fromHistory });
  const opening = { outcome: judged.outcome, breachLines: judged.lines, verbose: opts.verbose === true };
  return format(comparisons, f, opening, history);
}

/** --out: the whole comparison as Markdown and JSON beside the charts, whatever stdout shows. */
async function writeFiles(
  comparisons: readonly Comparison[],
  history: History | null,
  opts: Options,
  judged: Judged,
  io: Io,
): Promise<void> {
  const files: [string, string][] = [
    ['compare.md', printed(comparisons, history, opts, judged, 'md')],
    ['compare.json', printed(comparisons, history, opts, judged, '--json')],
  ];
  // whole or not at all (io/files.ts): a full disk leaves no half of the comparison
  try {
    writeFileSet(files.map(([name, text]) => ({ path: join(opts.out!, name), content: `${text}\n` })));
  } catch (e) {
    const failed = e as WriteFailed;
    throw envError(`${failed.path ?? opts.out}: cannot write (${errorWords(failed.cause ?? e)})`, 'choose another folder with --out');
  }
  for (const [name] of files) io.err(`wrote ${join(opts.out!, name)}`);
}

function checkModes(refs: string[], opts: Options): void {
  if (opts.json && opts.format) throw inputError('compare: --json and --format: choose one');
  if (opts.history && refs.length)
    throw inputError(
      'compare: --history judges the newest run of every scenario under --results; give no A and B',
      'with --baseline DIR too, it also compares each with DIR',
    );
  if (opts.history && opts.baseline && opts.format && oneTable(opts.format))
    throw inputError(`compare: --format ${opts.format} is one table: give --history or --baseline, not both (or use --json)`);
}

export default async function compare(io: Io, refs: string[], opts: Options): Promise<number> {
  const alpha = opts.alpha ?? 0.05;
  const pct = opts.failOnRegression ?? null;
  checkModes(refs, opts);
  const settings = historySettings(opts);
  const resultsDir = opts.results ?? DEFAULT_RESULTS_DIR;
  let comparisons = settings && !opts.baseline ? [] : await comparePairs(refs, opts, resultsDir, alpha, pct, io);
  const history = settings && { judgement: await judgeHistory(settings, opts, resultsDir, pct, io), settings };
  if (history) comparisons = ungateJudged(comparisons, history.judgement.rows);

  if (opts.out) for (const c of comparisons) chartFile(opts.out, c, comparisons.length > 1);
  const judged = judge(comparisons, history, pct, alpha);
  io.out(printed(comparisons, history, opts, judged, opts.json ? '--json' : (opts.format ?? 'text')));
  if (opts.out) await writeFiles(comparisons, history, opts, judged, io);
  if (opts.out && comparisons.length) await writeCharts(comparisons, opts.out, opts.metric?.[0], io);
  if (opts.junit) {
    writeJunit(opts.junit, 'lb-bench compare', compareSuites(comparisons, history, pct));
    io.err(`wrote ${opts.junit}`);
  }
  if (!judged.outcome) return ExitCode.ok;
  // on stderr too, for a terminal that shows only it: each breach, then the outcome last
  for (const line of judged.lines) io.err(line);
  if (judged.outcome.outcome === 'pass') {
    io.err(outcomeText(judged.outcome));
    return ExitCode.ok;
  }
  io.err(`lb-bench: ${outcomeText(judged.outcome)}`);
  return ExitCode.gate;
}
