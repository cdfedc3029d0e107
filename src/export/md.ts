/** md: GitHub-flavoured Markdown tables and documents, text from runs escaped (util/format.ts mdText). Pure. */
import { mdText } from '../util/format.js';
import { cellText, headerText, type Block, type MarkupExporter, type Table } from './table.js';

/** A table cell: also its backslashes and pipes, which would split the cell. */
const mdCell = (s: string) => mdText(s).replace(/\\/g, '\\\\').replace(/\|/g, '\\|');

function table(t: Table): string {
  const line = (cells: string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  return [
    line(t.columns.map(headerText)),
    `|${t.columns.map((c) => (c.align === 'right' ? '---:' : '---')).join('|')}|`,
    ...t.rows.map((r) => line(r.map(cellText))),
  ].join('\n');
}

function block(b: Block): string {
  if ('heading' in b) return `${'#'.repeat(b.level)} ${mdText(b.heading)}`;
  if ('table' in b) return table(b.table);
  if (b.style === 'list') return b.lines.map((l) => `- ${mdText(l)}`).join('\n');
  if (b.style === 'strong') return b.lines.map((l) => `**${mdText(l)}**`).join('\n\n');
  return b.lines.map(mdText).join('\n\n');
}

/** Blocks a blank line apart. */
const document = (blocks: readonly Block[]) =>
  blocks
    .filter((b) => !('lines' in b) || b.lines.length)
    .map(block)
    .join('\n\n');

export const md: MarkupExporter = { kind: 'markup', table, document };
