/** summary.csv: tidy, one row per scenario, level and metric (docs/reports.md), through the csv exporter. Pure. */
import { csv } from '../export/csv.js';
import { table, type Table } from '../export/table.js';
import type { SummaryRow } from '../kinds/kind.js';

/** The stable columns; cv follows as an extra last one. */
export const CSV_COLUMNS = ['scenario', 'level', 'metric', 'n', 'mean', 'sd', 'ci_low', 'ci_high', 'median', 'min', 'max', 'cv'] as const;

/** The report's summary as a table: numbers at full precision, so that nothing is lost to the report's rounding. */
export function summaryTable(rows: readonly SummaryRow[]): Table {
  return table(
    [...CSV_COLUMNS],
    rows.map((r) => CSV_COLUMNS.map((c) => r[c] ?? null)),
  );
}

export const toCsv = (rows: readonly SummaryRow[]): string => csv.table(summaryTable(rows));
