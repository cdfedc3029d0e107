/**
 * text: the terminal's tables, columns padded to their widest cell as benchstat lays them out
 * (figures right-aligned, the last column not padded), and the document as plain lines. Pure.
 */
import { cellText, headerText, type Block, type MarkupExporter, type Table } from './table.js';

function table(t: Table): string {
  const all = [t.columns.map(headerText), ...t.rows.map((r) => r.map(cellText))];
  const widths = t.columns.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const last = t.columns.length - 1;
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === last ? cell : t.columns[i].align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return all.map(line).join('\n');
}

/**
 * The document as lines: a part's heading `== x ==` and a table's title above it, each after a
 * blank line; a blank line after each table; prose straight under what it qualifies unless
 * `apart`. The document's title is left out (the terminal knows the command).
 */
function document(blocks: readonly Block[]): string {
  const out: string[] = [];
  const blank = () => {
    if (out.length && out.at(-1) !== '') out.push('');
  };
  for (const b of blocks) {
    if ('heading' in b) {
      if (b.level === 1) continue;
      blank();
      out.push(b.level === 2 ? `== ${b.heading} ==` : b.heading);
    } else if ('lines' in b) {
      if (!b.lines.length) continue;
      if (b.apart) blank();
      out.push(...b.lines);
    } else {
      out.push(table(b.table));
      blank();
    }
  }
  while (out.at(-1) === '') out.pop();
  return out.join('\n');
}

export const text: MarkupExporter = { kind: 'markup', table, document };
