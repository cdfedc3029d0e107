/**
 * The formats, by the name `--format` takes (hyperfine's export/mod.rs): a new format is its
 * exporter's file and one line here; the flag's choices come from this list.
 */
import { csv } from './csv.js';
import { html } from './html.js';
import { json } from './json.js';
import { jsonLines } from './json-lines.js';
import { md } from './md.js';
import type { Exporter } from './table.js';
import { text } from './text.js';

export const EXPORTERS = {
  text,
  md,
  html,
  csv,
  json,
  'json-lines': jsonLines,
} satisfies Record<string, Exporter>;

export type FormatName = keyof typeof EXPORTERS;

export const FORMATS = Object.keys(EXPORTERS) as FormatName[];

export const exporter = (name: FormatName): Exporter => EXPORTERS[name];
