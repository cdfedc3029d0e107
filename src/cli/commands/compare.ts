/**
 * `lb-bench compare A B [--baseline DIR] [--history FILE] [--fail-on-regression PCT] …`: the flags
 * checked together, then the use case (src/compare/run-compare.ts). On stdout the table (the
 * gate's outcome and a line per comparison, then the rows that differ; every table with
 * --verbose, --format md, or as JSON); on stderr each breach, then the gate's outcome last.
 */
import { ExitCode, inputError } from '../../errors.js';
import type { Io } from '../../io/io.js';
import type { TestName } from '../../compare/compare.js';
import { oneTable, type Format } from '../../compare/compare-tables.js';
import { outcomeText } from '../../compare/gate.js';
import type { HistorySettings } from '../../compare/history-format.js';
import { DEFAULT_CONFIRM, DEFAULT_NIGHTS } from '../../compare/history-limits.js';
import { compareAndGate } from '../../compare/run-compare.js';
import { DEFAULT_RESULTS_DIR } from '../../results/store.js';

interface Options {
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
  history?: string;
  nights?: number;
  confirmNights?: number;
}

/** The flags that go together, and those that do not. */
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

/** --history FILE with --nights and --confirm-nights (without --history they would be ignored: exit 2). */
function historySettings(opts: Options): HistorySettings | undefined {
  if (!opts.history) {
    const stray = opts.nights !== undefined ? '--nights' : opts.confirmNights !== undefined ? '--confirm-nights' : null;
    if (stray) throw inputError(`${stray}: only with --history FILE`);
    return undefined;
  }
  const nights = opts.nights ?? DEFAULT_NIGHTS;
  const confirm = opts.confirmNights ?? DEFAULT_CONFIRM;
  if (confirm > nights) throw inputError(`--confirm-nights: must be a whole number from 1 to ${nights}, got "${confirm}"`);
  return { file: opts.history, nights, confirm };
}

export default async function compare(io: Io, refs: string[], opts: Options): Promise<number> {
  checkModes(refs, opts);
  const { text, judged } = await compareAndGate(
    refs,
    {
      resultsDir: opts.results ?? DEFAULT_RESULTS_DIR,
      baseline: opts.baseline,
      history: historySettings(opts),
      metric: opts.metric,
      alpha: opts.alpha ?? 0.05,
      test: opts.test ?? 'mann-whitney',
      pct: opts.failOnRegression ?? null,
      format: opts.json ? '--json' : (opts.format ?? 'text'),
      verbose: opts.verbose === true,
      out: opts.out,
      junit: opts.junit,
    },
    io,
  );
  io.out(text);
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
