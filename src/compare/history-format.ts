/**
 * What `compare --history` says of its judgement, as tables (src/export/table.ts): for the markup
 * formats a table per scenario, for the data formats one row per scenario, metric and level; and
 * the lines of its gate. Pure.
 */
import { right, table, type Block, type Table } from '../export/table.js';
import { changeCell, fmt } from '../util/format.js';
import { HISTORY_CONFIDENCE } from './history-judge.js';
import { MIN_NIGHTS } from './history-limits.js';
import type { HistoryRow, TonightJudgement } from './tonight.js';

export interface HistorySettings {
  file: string;
  nights: number;
  confirm: number;
}

/** `compare --history`'s part of a comparison: tonight's judgement, and the settings it was judged by. */
export interface HistoryPart {
  judgement: TonightJudgement;
  settings: HistorySettings;
}

const band = (r: HistoryRow) => (r.band ? `${fmt(r.band.low, r.band.mean)} – ${fmt(r.band.high, r.band.mean)}` : '–');

export function verdictCell(r: HistoryRow, confirm: number): string {
  if (r.verdict === 'worse') return `worse (${r.nights_out} nights out)`;
  if (r.verdict === 'watch') return `watch (${r.nights_out} of ${confirm} nights out)`;
  if (r.verdict === 'too few nights') return `too few nights (${r.recorded} of ${MIN_NIGHTS})`;
  return r.verdict;
}

function scenarioTable(rows: readonly HistoryRow[], confirm: number): Table {
  return table(
    [
      'metric',
      right('level'),
      right('tonight'),
      right('nights'),
      right('mean'),
      right(`${HISTORY_CONFIDENCE * 100} % band`),
      right('change'),
      'verdict',
    ],
    rows.map((r) => [
      r.metric,
      r.level,
      fmt(r.tonight),
      `${r.band?.n ?? r.recorded} (${r.nights_of})`,
      r.band ? fmt(r.band.mean) : '–',
      band(r),
      r.change_pct === null ? '–' : changeCell(r.change_pct),
      verdictCell(r, confirm),
    ]),
  );
}

function footer(s: HistorySettings): string {
  return `each night is the mean of its repetitions; the band: the last ${s.nights} nights (this machine's for absolute figures, all for portable ones), mean ± t·s·√(1 + 1/n) at ${HISTORY_CONFIDENCE * 100} %; a regression: ${s.confirm} nights in a row outside it on the worse side (tonight the last), beyond the gate's %; ${s.file}`;
}

/** Per scenario its heading and table, then how the band is made. */
export function historyDocument(j: TonightJudgement, s: HistorySettings): Block[] {
  return [
    ...j.runs.flatMap((run): Block[] => [
      { heading: `history: ${run.scenario} (tonight ${run.run}, machine ${run.fingerprint})`, level: 2 },
      {
        table: scenarioTable(
          j.rows.filter((r) => r.scenario === run.scenario),
          s.confirm,
        ),
      },
    ]),
    { lines: [footer(s)], style: 'list' },
  ];
}

/** The data formats' columns: csv's header, json's keys. */
export const HISTORY_DATA_COLUMNS = [
  'scenario',
  'run',
  'metric',
  'level',
  'portable',
  'nights_of',
  'tonight',
  'nights',
  'mean',
  'sd',
  'band_low',
  'band_high',
  'change_pct',
  'nights_out',
  'verdict',
  'gated',
] as const;

/** One row per scenario, metric and level (`--format csv`: docs/reports.md). */
export function historyData(j: TonightJudgement): Table {
  const rows = j.rows.map((r) => [
    r.scenario,
    r.run,
    r.metric,
    r.level,
    r.portable ? 'yes' : 'no',
    r.nights_of,
    r.tonight,
    r.band?.n ?? r.recorded,
    r.band?.mean ?? null,
    r.band?.sd ?? null,
    r.band?.low ?? null,
    r.band?.high ?? null,
    r.change_pct,
    r.nights_out,
    r.verdict,
    r.gated ? 'yes' : 'no',
  ]);
  return table([...HISTORY_DATA_COLUMNS], rows);
}

/** The gate's line for a regression, and the word for a night that is out but not yet a regression. */
export function historyBreachLine(r: HistoryRow): string {
  return `regression: history: ${r.scenario}: ${r.metric} at level ${r.level}: ${changeCell(r.change_pct!)} against the mean of ${r.band!.n} nights of ${r.nights_of} (${HISTORY_CONFIDENCE * 100} % band ${band(r)}), out ${r.nights_out} nights running`;
}

export function historyWatchLine(r: HistoryRow, confirm: number): string {
  return `watch: history: ${r.scenario}: ${r.metric} at level ${r.level}: ${changeCell(r.change_pct!)}, outside the ${HISTORY_CONFIDENCE * 100} % band of ${r.band!.n} nights tonight (${r.nights_out} of ${confirm} nights in a row needed for a regression)`;
}

/** Per scenario, what could not be judged for want of nights: one line each for absolute and portable figures. */
export function tooFewLines(j: TonightJudgement): string[] {
  const out: string[] = [];
  for (const run of j.runs)
    for (const portable of [false, true]) {
      const rows = j.rows.filter((r) => r.scenario === run.scenario && r.portable === portable && r.verdict === 'too few nights');
      if (!rows.length) continue;
      const most = Math.max(...rows.map((r) => r.recorded));
      out.push(
        `history: ${run.scenario}: ${portable ? 'portable' : 'absolute'} figures not gated: ${most} night${most === 1 ? '' : 's'} of ${rows[0].nights_of} on record, ${MIN_NIGHTS} needed`,
      );
    }
  return out;
}
