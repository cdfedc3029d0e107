/** summary.csv: tidy, one row per scenario, level and metric (docs/reports.md). Pure. */
import { stringify } from 'csv-stringify/sync';
import type { SummaryRow } from '../kinds/kind.js';

/** The stable columns; cv follows as an extra last one. */
export const CSV_COLUMNS = ['scenario', 'level', 'metric', 'n', 'mean', 'sd', 'ci_low', 'ci_high', 'median', 'min', 'max', 'cv'] as const;

export function toCsv(rows: readonly SummaryRow[]): string {
  // null → empty cell; numbers at full precision so that nothing is lost to the report's rounding
  return stringify(
    rows.map((r) => CSV_COLUMNS.map((c) => r[c] ?? '')),
    { header: true, columns: [...CSV_COLUMNS] },
  );
}
