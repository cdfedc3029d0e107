/**
 * The exporters of `compare`: one table builder, and text, Markdown, CSV and JSON spellings of
 * it. Pure: comparisons in, text out. Numbers in CSV and JSON keep full precision.
 */
import { stringify } from 'csv-stringify/sync';
import { changeCell, markdownTable, mdText, meanCi, pValue, textTable } from '../util/format.js';
import { heading, machineLine, type Comparison, type ComparisonRow } from './compare.js';
import type { Breach } from './gate.js';
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

export function tables(c: Comparison): CompareTable[] {
  return c.metrics.map((m) => {
    const note = gateNote(c, m.name);
    // a reason the title does not give (some levels judged by the history) is given in the row
    const verdict = (r: ComparisonRow) => (r.not_gated && !note ? `${r.verdict} (not gated: ${r.not_gated})` : r.verdict);
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

/** Under the heading: the line that says the machines differ, when they do. */
const machineLines = (c: Comparison) => [machineLine(c.machines)].filter((l): l is string => l !== null);

export function toText(comparisons: readonly Comparison[]): string {
  return comparisons
    .map((c) =>
      [`== ${heading(c)} ==`, ...machineLines(c), '', ...tables(c).flatMap((t) => [t.title, textTable(t), '']), ...footer(c)].join('\n'),
    )
    .join('\n\n');
}

export function toMarkdown(comparisons: readonly Comparison[]): string {
  return comparisons
    .map((c) => {
      const parts = [`## ${mdText(heading(c))}`, '', ...machineLines(c).flatMap((l) => [`**${mdText(l)}**`, ''])];
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
  ];
}

export function toCsv(comparisons: readonly Comparison[]): string {
  return stringify(
    comparisons.flatMap((c) => c.rows.map((r) => csvRow(c, r))),
    { header: true, columns: [...CSV_COLUMNS] },
  );
}

/** JSON: everything, with change_pct null where it is infinite (A's mean 0, B's not). */
export function toJson(
  comparisons: readonly Comparison[],
  breaches: readonly Breach[],
  failOnRegression: number | null,
  history: { judgement: TonightJudgement; settings: HistorySettings; regressions: readonly HistoryRow[] } | null = null,
): string {
  const out = {
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
    gate:
      failOnRegression === null
        ? null
        : {
            fail_on_regression_pct: failOnRegression,
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
  };
  return JSON.stringify(out, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

export function format(comparisons: readonly Comparison[], f: Format): string {
  return f === 'md' ? toMarkdown(comparisons) : f === 'csv' ? toCsv(comparisons) : toText(comparisons);
}
