/**
 * The exporters of `compare`: one table builder, and text, Markdown, CSV and JSON spellings of
 * it. Pure: comparisons in, text out. Numbers in CSV and JSON keep full precision. Every output
 * opens with the gate's outcome and a line per comparison (summary.ts); the text is short unless
 * verbose: those lines, what qualifies the figures, and the rows that differ significantly.
 */
import { stringify } from 'csv-stringify/sync';
import { changeCell, markdownTable, mdText, meanCi, pValue, textTable } from '../util/format.js';
import { heading, machineLine, systemLine, type Comparison, type ComparisonRow, type CompareWarning } from './compare.js';
import { outcomeLine, type Breach, type GateOutcome } from './gate.js';
import { summarize, summaryLine } from './summary.js';
import type { HistorySettings } from './history-format.js';
import { HISTORY_CONFIDENCE, MIN_NIGHTS } from './history-judge.js';
import type { HistoryRow, TonightJudgement } from './tonight.js';

export type Format = 'text' | 'md' | 'csv';

export interface CompareTable {
  title: string;
  header: string[];
  rows: string[][];
}

const TEST_NAMES = { 'mann-whitney': 'Mann-Whitney U', welch: "Welch's t" } as const;

/** ` — not gated: different machine` after a metric's title when none of its rows is gated. */
function gateNote(c: Comparison, metric: string): string {
  const rows = c.rows.filter((r) => r.metric === metric);
  const reasons = [...new Set(rows.map((r) => r.not_gated))];
  return rows.length && reasons.length === 1 && reasons[0] !== null ? ` — not gated: ${reasons[0]}` : '';
}

/** `not comparable: nginx-rr lost 92 % (haproxy-rr 0 %)` */
const verdictText = (r: ComparisonRow) => (r.not_comparable ? `${r.verdict}: ${r.not_comparable}` : r.verdict);

export function tables(c: Comparison): CompareTable[] {
  return c.metrics.map((m) => {
    const note = gateNote(c, m.name);
    // a reason the title does not give (some levels judged by the history) is given in the row
    const verdict = (r: ComparisonRow) => (r.not_gated && !note ? `${verdictText(r)} (not gated: ${r.not_gated})` : verdictText(r));
    return {
      title: `${m.name}: ${m.label} (${m.unit}, ${m.better} is better${m.portable ? ', portable' : ''})${note}`,
      header: ['level', c.a.label, c.b.label, 'change', 'p', 'n', 'verdict'],
      rows: c.rows
        .filter((r) => r.metric === m.name)
        .map((r) => [String(r.level), meanCi(r.a), meanCi(r.b), changeCell(r.change_pct), pValue(r.p), `${r.a.n}+${r.b.n}`, verdict(r)]),
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
const contextLines = (c: Comparison, hints = true) => [
  ...[systemLine(c.system), machineLine(c.machines)].filter((l): l is string => l !== null),
  ...warningLines(c, hints),
];

/** The opening lines of every output: the gate's outcome (when there is a gate), each breach, a line per comparison. */
export function openingLines(
  comparisons: readonly Comparison[],
  outcome: GateOutcome | null,
  breachLines: readonly string[] = [],
): string[] {
  const pct = outcome?.fail_on_regression_pct ?? null;
  return [...(outcome ? [outcomeLine(outcome), ...breachLines] : []), ...comparisons.map((c) => summaryLine(summarize(c, pct)))];
}

/** Every table of every comparison. */
export function toText(comparisons: readonly Comparison[]): string {
  return comparisons
    .map((c) =>
      [`== ${heading(c)} ==`, ...contextLines(c), '', ...tables(c).flatMap((t) => [t.title, textTable(t), '']), ...footer(c)].join('\n'),
    )
    .join('\n\n');
}

/** The rows that differ significantly (worse, better, not comparable), one table across metrics. */
function significantTable(c: Comparison): string | null {
  const rows = c.rows.filter((r) => r.verdict !== '~');
  if (!rows.length) return null;
  return textTable({
    header: ['metric', 'level', c.a.label, c.b.label, 'change', 'p', 'verdict'],
    rows: rows.map((r) => [
      r.metric,
      String(r.level),
      meanCi(r.a),
      meanCi(r.b),
      changeCell(r.change_pct),
      pValue(r.p),
      r.not_gated ? `${verdictText(r)} (not gated: ${r.not_gated})` : verdictText(r),
    ]),
  });
}

/**
 * The short text: per comparison that has something to say, what qualifies its figures and the
 * rows that differ significantly; the rest is behind --verbose, --format md and --json.
 */
export function toShortText(comparisons: readonly Comparison[]): string {
  const blocks = comparisons.flatMap((c) => {
    const lines = contextLines(c, false);
    const table = significantTable(c);
    return lines.length || table ? [[`== ${heading(c)} ==`, ...lines, ...(table ? [table] : [])].join('\n')] : [];
  });
  const quiet = comparisons.reduce((n, c) => n + c.rows.filter((r) => r.verdict === '~').length, 0);
  const more = `${quiet} rows not significant (~) not shown; every table: --verbose, --format md or --json`;
  return [...blocks, more].join('\n\n');
}

export function toMarkdown(comparisons: readonly Comparison[]): string {
  return comparisons
    .map((c) => {
      const notes = [systemLine(c.system), machineLine(c.machines)].filter((l): l is string => l !== null);
      const warnings = warningLines(c, true).map((l) => `- ${mdText(l)}`);
      const parts = [
        `## ${mdText(heading(c))}`,
        '',
        ...notes.flatMap((l) => [`**${mdText(l)}**`, '']),
        ...(warnings.length ? [...warnings, ''] : []),
      ];
      for (const t of tables(c))
        parts.push(
          `### ${t.title}`,
          '',
          markdownTable({ header: t.header, rows: t.rows, numeric: t.header.map((_, i) => i > 0 && i < 6) }),
          '',
        );
      return [...parts, ...footer(c).map((l) => `- ${mdText(l)}`)].join('\n');
    })
    .join('\n\n');
}

export const CSV_COLUMNS = [
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

function csvRow(c: Comparison, r: ComparisonRow): (string | number)[] {
  const num = (v: number | null) => (v === null ? '' : Number.isFinite(v) ? v : v > 0 ? 'inf' : '-inf');
  return [
    c.a.id,
    c.b.id,
    c.a.label,
    c.b.label,
    r.metric,
    r.level,
    r.a.n,
    num(r.a.mean),
    num(r.a.ci_low),
    num(r.a.ci_high),
    r.b.n,
    num(r.b.mean),
    num(r.b.ci_low),
    num(r.b.ci_high),
    num(r.change_pct),
    num(r.p),
    c.test,
    r.verdict,
    r.gated ? 'yes' : 'no',
    r.not_comparable ?? '',
  ];
}

export function toCsv(comparisons: readonly Comparison[]): string {
  return stringify(
    comparisons.flatMap((c) => c.rows.map((r) => csvRow(c, r))),
    { header: true, columns: [...CSV_COLUMNS] },
  );
}

/** JSON: the gate's outcome first, a summary per comparison, then everything, with change_pct null where it is infinite (A's mean 0, B's not). */
export function toJson(
  comparisons: readonly Comparison[],
  breaches: readonly Breach[],
  outcome: GateOutcome | null,
  history: { judgement: TonightJudgement; settings: HistorySettings; regressions: readonly HistoryRow[] } | null = null,
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
  return JSON.stringify(out, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

/** `# lb-bench compare: FAIL`, the outcome in bold, each breach, a line per comparison: the Markdown's first lines. */
export function markdownOpening(comparisons: readonly Comparison[], outcome: GateOutcome | null, breachLines: readonly string[]): string {
  const title = `# lb-bench compare${outcome ? `: ${outcome.outcome === 'fail' ? 'FAIL' : 'pass'}` : ''}`;
  const [first, ...rest] = openingLines(comparisons, outcome, breachLines);
  const lines = outcome
    ? [`**${mdText(first)}**`, '', ...rest.map((l) => `- ${mdText(l)}`)]
    : [first, ...rest].map((l) => `- ${mdText(l)}`);
  return [title, '', ...lines].join('\n');
}

/** Text and Markdown open with the gate's outcome and a line per comparison; text is short unless verbose. CSV is the rows alone. */
export function format(
  comparisons: readonly Comparison[],
  f: Format,
  opening: { outcome: GateOutcome | null; breachLines: readonly string[]; verbose: boolean } = {
    outcome: null,
    breachLines: [],
    verbose: true,
  },
): string {
  if (f === 'csv') return toCsv(comparisons);
  if (f === 'md') return `${markdownOpening(comparisons, opening.outcome, opening.breachLines)}\n\n${toMarkdown(comparisons)}`;
  const head = openingLines(comparisons, opening.outcome, opening.breachLines).join('\n');
  if (!comparisons.length) return head;
  return `${head}\n\n${opening.verbose ? toText(comparisons) : toShortText(comparisons)}`;
}
