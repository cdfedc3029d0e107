/**
 * csv: a header of the column names, then a line per row; numbers at full precision, an empty cell
 * for no value, `inf` / `-inf` for an infinite one (a change from 0), true / false. Pure.
 */
import { stringify } from 'csv-stringify/sync';
import type { Cell, DataExporter, Table } from './table.js';

const csvCell = (c: Cell): string | number => {
  if (c === null) return '';
  if (typeof c === 'boolean') return String(c);
  if (typeof c === 'number' && !Number.isFinite(c)) return Number.isNaN(c) ? '' : c > 0 ? 'inf' : '-inf';
  return c;
};

export const csv: DataExporter = {
  kind: 'data',
  table: (t: Table) =>
    stringify(
      t.rows.map((r) => r.map(csvCell)),
      { header: true, columns: t.columns.map((c) => c.name) },
    ),
};
