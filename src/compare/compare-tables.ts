/**
 * What `compare` prints, built as tables (src/export/table.ts) and handed to the exporter of the
 * format asked for: the markup formats (text, md, html) spell a document of the gate's outcome, a
 * line per comparison and a table per metric; the data formats (csv, json, …) one row per
 * comparison, metric and level, numbers at full precision. The text is short unless verbose: those
 * lines, what qualifies the figures, and the rows that differ significantly. Pure.
 */
import { exporter, type FormatName } from '../export/registry.js';
import { finite } from '../export/json.js';
import { md } from '../export/md.js';
import { right, spell, table, type Block, type Cell, type Table } from '../export/table.js';
import { changeCell, meanCi, pValue } from '../util/format.js';
import { heading, qualifierLines, type Comparison, type ComparisonRow, type CompareWarning } from './compare.js';
import { outcomeLine, type Breach, type GateOutcome } from './gate.js';
import { summarize, summaryLine } from './summary.js';
import { historyData, historyDocument, type HistoryPart } from './history-format.js';
import { HISTORY_CONFIDENCE } from './history-judge.js';
import { MIN_NIGHTS } from './history-limits.js';
import type { HistoryRow } from './tonight.js';

export type Format = FormatName;

/** A data format is one table: the comparison's or the history's, not both. */
export const oneTable = (f: Format) => exporter(f).kind === 'data';

const TEST_NAMES = { 'mann-whitney': 'Mann-Whitney U', welch: "Welch's t" } as const;

/** ` — not gated: different machine` after a metric's title when none of its rows is gated. */
function gateNote(c: Comparison, metric: string): string {
  const rows = c.rows.filter((r) => r.metric === metric);
  const reasons = [...new Set(rows.map((r) => r.not_gated))];
  return rows.length && reasons.length === 1 && reasons[0] !== null ? ` — not gated: ${reasons[0]}` : '';
}

/** `not comparable: nginx-rr lost 92 % (haproxy-rr 0 %)` */
const verdictText = (r: ComparisonRow) => (r.not_comparable ? `${r.verdict}: ${r.not_comparable}` : r.verdict);

/** Per metric, its title and its table: level, A, B (mean ± 95 % CI), change, p, n, verdict. */
export function tables(c: Comparison): { title: string; table: Table }[] {
  return c.metrics.map((m) => {
    const note = gateNote(c, m.name);
    // a reason the title does not give (some levels judged by the history) is given in the row
    const verdict = (r: ComparisonRow) => (r.not_gated && !note ? `${verdictText(r)} (not gated: ${r.not_gated})` : verdictText(r));
    return {
      title: `${m.name}: ${m.label} (${m.unit}, ${m.better} is better${m.portable ? ', portable' : ''})${note}`,
      table: table(
        ['level', right(c.a.label), right(c.b.label), right('change'), right('p'), right('n'), 'verdict'],
        c.rows
          .filter((r) => r.metric === m.name)
          .map((r) => [r.level, meanCi(r.a), meanCi(r.b), changeCell(r.change_pct), pValue(r.p), `${r.a.n}+${r.b.n}`, verdict(r)]),
      ),
    };
  });
}

function footer(c: Comparison): string[] {
  const lines = [
    `${c.a.label} = ${c.a.dir}`,
    `${c.b.label} = ${c.b.dir}`,
    `mean ± 95 % CI over repetitions (n = repetitions per side); change: ${c.b.label} against ${c.a.label}; p: ${TEST_NAMES[c.test]}, two-sided; ~: not significant at alpha ${c.alpha}`,
  ];
  if (c.skipped.length) lines.push(`not shown, equal on both sides at every level: ${c.skipped.join(', ')}`);
  return [...lines, ...c.notes.map((n) => `note: ${n}`)];
}

/** `warning (baseline and current): …`; a hint once per kind of warning, as `report` prints them. */
function warningLines(c: Comparison, hints: boolean): string[] {
  const who = (w: CompareWarning) => (w.side === 'both' ? `${c.a.label} and ${c.b.label}` : c[w.side].label);
  const hinted = new Set<string>();
  return c.warnings.map((w) => {
    const hint = hints && w.hint && !hinted.has(w.kind) ? ` (${w.hint})` : '';
    hinted.add(w.kind);
    return `warning (${who(w)}): ${w.message}${hint}`;
  });
}

/** Under the heading: what changed in the system under test, what the machines' difference means, each run's warnings. */
const contextLines = (c: Comparison, hints = true) => [...qualifierLines(c), ...warningLines(c, hints)];

/** The opening lines of every output: the gate's outcome (when there is a gate), each breach, a line per comparison. */
export function openingLines(
  comparisons: readonly Comparison[],
  outcome: GateOutcome | null,
  breachLines: readonly string[] = [],
): string[] {
  const pct = outcome?.fail_on_regression_pct ?? null;
  return [...(outcome ? [outcomeLine(outcome), ...breachLines] : []), ...comparisons.map((c) => summaryLine(summarize(c, pct)))];
}

/** A comparison's heading and what qualifies its figures: the system's changes and the machines in bold, the warnings listed. */
function contextBlocks(c: Comparison, hints = true): Block[] {
  return [
    { heading: heading(c), level: 2 },
    { lines: qualifierLines(c), style: 'strong' },
    { lines: warningLines(c, hints), style: 'list' },
  ];
}

/** Every table of every comparison, each under its metric's title, then the folders, the test and the notes. */
function everyTable(comparisons: readonly Comparison[]): Block[] {
  return comparisons.flatMap((c): Block[] => [
    ...contextBlocks(c),
    ...tables(c).flatMap((t): Block[] => [{ heading: t.title, level: 3 }, { table: t.table }]),
    { lines: footer(c), style: 'list' },
  ]);
}

/** Every table of the comparisons in Markdown (reproduce's compare-haproxy-nginx.md). */
export const toMarkdown = (comparisons: readonly Comparison[]): string => md.document(everyTable(comparisons));

/** The rows that differ significantly (worse, better, not comparable), one table across metrics. */
function significantTable(c: Comparison): Table | null {
  const rows = c.rows.filter((r) => r.verdict !== '~');
  if (!rows.length) return null;
  return table(
    ['metric', right('level'), right(c.a.label), right(c.b.label), right('change'), right('p'), 'verdict'],
    rows.map((r) => [
      r.metric,
      r.level,
      meanCi(r.a),
      meanCi(r.b),
      changeCell(r.change_pct),
      pValue(r.p),
      r.not_gated ? `${verdictText(r)} (not gated: ${r.not_gated})` : verdictText(r),
    ]),
  );
}

/**
 * The short text: per comparison that has something to say, what qualifies its figures and the
 * rows that differ significantly; the rest is behind --verbose, --format md and --json.
 */
function shortTables(comparisons: readonly Comparison[]): Block[] {
  const blocks = comparisons.flatMap((c): Block[] => {
    const context = contextLines(c, false);
    const t = significantTable(c);
    return context.length || t ? [{ heading: heading(c), level: 2 }, { lines: context }, ...(t ? [{ table: t }] : [])] : [];
  });
  const quiet = comparisons.reduce((n, c) => n + c.rows.filter((r) => r.verdict === '~').length, 0);
  const more = `${quiet} rows not significant (~) not shown; every table: --verbose, --format md or --json`;
  return [...blocks, { lines: [more], apart: true }];
}

/** The data formats' columns: csv's header, json's keys. */
export const DATA_COLUMNS = [
  'a_run',
  'b_run',
  'a',
  'b',
  'metric',
  'level',
  'a_n',
  'a_mean',
  'a_ci_low',
  'a_ci_high',
  'b_n',
  'b_mean',
  'b_ci_low',
  'b_ci_high',
  'change_pct',
  'p',
  'test',
  'verdict',
  'gated',
  'not_comparable',
] as const;

function dataRow(c: Comparison, r: ComparisonRow): Cell[] {
  return [
    c.a.id,
    c.b.id,
    c.a.label,
    c.b.label,
    r.metric,
    r.level,
    r.a.n,
    r.a.mean,
    r.a.ci_low,
    r.a.ci_high,
    r.b.n,
    r.b.mean,
    r.b.ci_low,
    r.b.ci_high,
    r.change_pct,
    r.p,
    c.test,
    r.verdict,
    r.gated ? 'yes' : 'no',
    r.not_comparable,
  ];
}

/** One row per comparison, metric and level, as the data formats give it (`--format csv`: docs/reports.md). */
export function comparisonData(comparisons: readonly Comparison[]): Table {
  return table(
    [...DATA_COLUMNS],
    comparisons.flatMap((c) => c.rows.map((r) => dataRow(c, r))),
  );
}

/** JSON: the gate's outcome first, a summary per comparison, then everything, with change_pct null where it is infinite (A's mean 0, B's not). */
export function toJson(
  comparisons: readonly Comparison[],
  breaches: readonly Breach[],
  outcome: GateOutcome | null,
  history: (HistoryPart & { regressions: readonly HistoryRow[] }) | null = null,
): string {
  const pct = outcome?.fail_on_regression_pct ?? null;
  const out = {
    gate:
      outcome === null
        ? null
        : {
            outcome: outcome.outcome,
            fail_on_regression_pct: outcome.fail_on_regression_pct,
            alpha: outcome.alpha,
            regressions: outcome.regressions,
            breaches,
            ...(history
              ? {
                  history_regressions: history.regressions.map((r) => ({
                    scenario: r.scenario,
                    metric: r.metric,
                    level: r.level,
                    change_pct: r.change_pct,
                    nights_out: r.nights_out,
                  })),
                }
              : {}),
          },
    summary: comparisons.map((c) => summarize(c, pct)),
    comparisons: comparisons.map((c) => ({
      ...c,
      metrics: c.metrics.map((m) => ({ name: m.name, label: m.label, unit: m.unit, better: m.better, portable: m.portable === true })),
    })),
    history: history && {
      ...history.settings,
      confidence: HISTORY_CONFIDENCE,
      min_nights: MIN_NIGHTS,
      runs: history.judgement.runs,
      rows: history.judgement.rows,
    },
  };
  return JSON.stringify(out, finite, 2);
}

/** `lb-bench compare: FAIL` (md: the title), the outcome in bold, each breach, a line per comparison. */
function opening(comparisons: readonly Comparison[], outcome: GateOutcome | null, breachLines: readonly string[]): Block[] {
  const title = `lb-bench compare${outcome ? `: ${outcome.outcome === 'fail' ? 'FAIL' : 'pass'}` : ''}`;
  const all = openingLines(comparisons, outcome, breachLines);
  if (!all.length) return [{ heading: title, level: 1 }];
  const [first, ...rest] = all;
  const lines: Block[] = outcome
    ? [
        { lines: [first], style: 'strong' },
        { lines: rest, style: 'list' },
      ]
    : [{ lines: [first, ...rest], style: 'list' }];
  return [{ heading: title, level: 1 }, ...lines];
}

export interface Opening {
  outcome: GateOutcome | null;
  breachLines: readonly string[];
  /** text: every table (else the rows that differ); the other formats always have every table */
  verbose: boolean;
}

/**
 * The output in format `f`. Markup opens with the gate's outcome and a line per comparison, then
 * the tables (text: short unless verbose), then the history's; a data format is one table, the
 * history's when there is one, else the comparisons' rows.
 */
export function format(
  comparisons: readonly Comparison[],
  f: Format,
  o: Opening = { outcome: null, breachLines: [], verbose: true },
  history: HistoryPart | null = null,
): string {
  const short = f === 'text' && !o.verbose;
  const document = (): Block[] => [
    ...opening(comparisons, o.outcome, o.breachLines),
    ...(short ? (comparisons.length ? shortTables(comparisons) : []) : everyTable(comparisons)),
    ...(history ? historyDocument(history.judgement, history.settings) : []),
  ];
  const data = () => (history ? historyData(history.judgement) : comparisonData(comparisons));
  return spell(exporter(f), { document, data });
}
