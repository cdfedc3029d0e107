/**
 * The one table type every command's tables are built as (summary.csv, the report's sections,
 * compare, the history, reproduce's conclusions, lab calibrate's evidence), and the document
 * around them for the formats that have prose. A table holds values, not text: numbers stay
 * numbers, so that the data formats (csv, json) keep them exact and the markup formats (text, md,
 * html) spell them as a person reads them (a cell already spelled, a string, is shown as it is). Pure.
 */
import { fmt } from '../util/format.js';

/** One cell: null where there is no value (csv: empty, json: null, markup: "–"). */
export type Cell = string | number | boolean | null;

export interface Column {
  /** the header; in csv and json the key, which is the contract (docs/reports.md) */
  name: string;
  /** shown after the name in markup headers, "p99 (ms)"; data formats leave it out */
  unit?: string;
  /** markup formats: right for figures; default left */
  align?: 'left' | 'right';
  /** markup formats set its cells in bold where they can (html): a verdict */
  strong?: boolean;
}

export interface Table {
  columns: Column[];
  rows: Cell[][];
}

/**
 * A document: what the markup formats spell around the tables. The data formats (csv, json, …)
 * take the output's data table instead, the same figures at full precision, one row per figure.
 */
export type Block =
  /** 1: the document's title (text leaves it out: the terminal knows the command); 2: a part; 3: a table's title */
  | { heading: string; level: 1 | 2 | 3 }
  /** lines of prose: plain, a list, or each in bold; `apart`: set off from the block before by a blank line in text too */
  | { lines: string[]; style?: 'plain' | 'list' | 'strong'; apart?: boolean }
  | { table: Table };

/** What a command hands to an exporter: markup formats spell `document`, data formats `data`. */
export interface Output {
  document: () => Block[];
  data: () => Table;
}

/**
 * An exporter is pure: a table (or a document) in, text out; src/export/registry.ts names them and
 * the caller decides where the text goes. markup: text, md, html; data: csv, json, … .
 */
export type Exporter = MarkupExporter | DataExporter;

export interface MarkupExporter {
  kind: 'markup';
  /** the table alone: its title is the document's */
  table(t: Table): string;
  document(blocks: readonly Block[]): string;
}

export interface DataExporter {
  kind: 'data';
  /** the whole output: a header or keys, and every row with its numbers at full precision */
  table(t: Table): string;
}

/** An output spelled by an exporter: the document for markup, the data table for data. */
export const spell = (e: Exporter, out: Output): string => (e.kind === 'markup' ? e.document(out.document()) : e.table(out.data()));

/** Builds a table from column names: `right` for the figures. */
export function table(columns: (string | Column)[], rows: Cell[][]): Table {
  return { columns: columns.map((c) => (typeof c === 'string' ? { name: c } : c)), rows };
}

/** A column of figures: right-aligned in the markup formats. */
export const right = (name: string): Column => ({ name, align: 'right' });

/** A column's header as the markup formats show it. */
export const headerText = (c: Column) => (c.unit ? `${c.name} (${c.unit})` : c.name);

/**
 * A cell as the markup formats show it: whole numbers as they are (a level, a count), others with
 * enough digits to tell runs apart (util/format.ts fmt), an infinite change as +inf / -inf.
 */
export function cellText(c: Cell): string {
  if (c === null) return '–';
  if (typeof c === 'boolean') return c ? 'yes' : 'no';
  if (typeof c === 'string') return c;
  if (!Number.isFinite(c)) return Number.isNaN(c) ? '–' : c > 0 ? '+inf' : '-inf';
  return Number.isInteger(c) ? String(c) : fmt(c);
}

/** A row as an object keyed by the column names: the data formats' record. */
export function record(t: Table, row: readonly Cell[]): Record<string, Cell> {
  return Object.fromEntries(t.columns.map((c, i) => [c.name, row[i] ?? null]));
}
