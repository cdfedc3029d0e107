/**
 * json-lines: one JSON object per row, a line each, keyed by the column names (a row of
 * `--format csv` as an object), numbers at full precision and infinite ones null: for jq, a log
 * shipper or a database's bulk load. Pure.
 */
import { finite } from './json.js';
import { record, type DataExporter, type Table } from './table.js';

export const jsonLines: DataExporter = {
  kind: 'data',
  table: (t: Table) => t.rows.map((r) => `${JSON.stringify(record(t, r), finite)}\n`).join(''),
};
