/**
 * How figures are spelled, once: the report, compare and reproduce share these, so that a p-value,
 * a mean ± CI or an escaped title reads the same everywhere. Tables are src/export's, whose
 * exporters spell their cells with these: so this file imports nothing. Pure: values in, text out.
 */

/** Enough digits to tell runs apart, not more: 2352.9, 35.27, 3.531, 0.0123. */
export function fmt(v: number | null, like: number | null = v): string {
  if (v === null) return '–';
  const a = Math.abs(like ?? v);
  const digits = a >= 100 ? 1 : a >= 10 ? 2 : a >= 0.1 || a === 0 ? 3 : 4;
  return v.toFixed(digits);
}

/** "2352.9 ± 24.8": a mean and the half-width of its 95 % CI; `none` where there is no mean. */
export function meanCi(d: { mean: number | null; ci_high: number | null } | undefined, none = '–'): string {
  if (!d || d.mean === null) return none;
  return d.ci_high === null ? fmt(d.mean) : `${fmt(d.mean)} ± ${fmt(d.ci_high - d.mean, d.mean)}`;
}

/** "1.648 (1.602–1.690)": a figure and its interval, which need not be symmetric (a ratio's bootstrap interval). */
export function valueInterval(d: { mean: number | null; ci_low: number | null; ci_high: number | null } | undefined, none = '–'): string {
  if (!d || d.mean === null) return none;
  return d.ci_low === null || d.ci_high === null ? fmt(d.mean) : `${fmt(d.mean)} (${fmt(d.ci_low, d.mean)}–${fmt(d.ci_high, d.mean)})`;
}

/** A p-value: three decimals, or two significant digits below 0.001; "–" where no test was made. */
export function pValue(p: number | null): string {
  if (p === null) return '–';
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}

/** A change in %, as compare prints it: "+12.5 %", "-3.21 %", "+inf" (from 0). */
export function changeCell(c: number): string {
  if (!Number.isFinite(c)) return c > 0 ? '+inf' : '-inf';
  return `${c > 0 ? '+' : c < 0 ? '-' : ''}${Math.abs(c).toFixed(Math.abs(c) >= 10 ? 1 : 2)} %`;
}

/** Text from a run or a file as HTML shows it, and nothing more. */
export const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Text from a run (a title, a name) as Markdown shows it and nothing more: HTML escaped as
 * index.html escapes it, line breaks as spaces, so that it cannot end a table row or a list item.
 */
export const mdText = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');

/**
 * Text as a terminal shows it and nothing more: control characters but tab and line feed (an
 * escape sequence, a carriage return that hides what came before), DEL, the C1 controls and the
 * bidirectional overrides are written out as `\u001b`. Names read from files reach the terminal
 * inside messages; every line lb-bench prints passes through this.
 */
export const terminalText = (s: string) =>
  s.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
