/** json: the rows as an array of objects keyed by the column names; an infinite number is null. Pure. */
import { record, type DataExporter, type Table } from './table.js';

/** JSON has no infinity: null, as compare --json writes it. */
export const finite = (_key: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

export const json: DataExporter = {
  kind: 'data',
  table: (t: Table) =>
    JSON.stringify(
      t.rows.map((r) => record(t, r)),
      finite,
      2,
    ),
};
