/**
 * Schema problems as the user reads them: one line per problem, `field.path: reason, got X`.
 * What a line quotes from the file is short and escaped (a key or value may hold anything,
 * control characters included); a URL's password and a credential header's value are never quoted.
 */
import type { z } from 'zod';
import { isSecretHeader, redactText } from './redact.js';

/** Longest key or value quoted in a problem line. */
const QUOTE_MAX = 40;
/** Unknown keys listed per mapping; more are counted, not listed (a file that is not the one meant). */
const UNKNOWN_KEYS_LISTED = 10;

/**
 * A string as JSON, with DEL and the C1 controls escaped too: JSON.stringify leaves them raw, and a
 * terminal may act on them (0x9b starts a control sequence on some).
 */
export function quote(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A key as it may appear in a field path: plain if it is a plain name, else quoted and shortened. */
export function safeKey(key: string): string {
  if (/^[A-Za-z0-9_.-]{1,40}$/.test(key)) return key;
  const quoted = quote(key);
  return quoted.length > QUOTE_MAX ? `${quoted.slice(0, QUOTE_MAX - 4)}..."` : quoted;
}

/** `load.levels[2]` from ['load', 'levels', 2]. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += (out ? '.' : '') + safeKey(String(key));
  }
  return out || '(top level)';
}

/** JSON of a value, but no more than about `budget` characters of it: a value may be a list of 100 000. */
function preview(value: unknown, budget: number): string {
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (let i = 0, used = 2; i < value.length && used <= budget; i++)
      used += (parts[parts.length] = preview(value[i], budget - used)).length + 1;
    return `[${parts.join(',')}${parts.length < value.length ? ',' : ''}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const parts: string[] = [];
    const entries = Object.entries(value);
    for (let i = 0, used = 2; i < entries.length && used <= budget; i++) {
      const [k, v] = entries[i];
      used += (parts[parts.length] = `${quote(k.slice(0, budget))}:${preview(v, budget - used)}`).length + 1;
    }
    return `{${parts.join(',')}${parts.length < entries.length ? ',' : ''}}`;
  }
  // redacted before it is cut: a cut could keep a password and lose the `@` that marks it
  // Infinity and NaN are numbers JSON cannot spell: it writes null, which the user never wrote
  const text =
    typeof value === 'string'
      ? quote(redactText(value).slice(0, budget + 1))
      : typeof value === 'number' && !Number.isFinite(value)
        ? String(value)
        : (JSON.stringify(value) ?? String(value));
  return text.slice(0, budget + 1);
}

/** A value, short: what the user wrote, so that they find it. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = redactText(preview(value, QUOTE_MAX));
  return text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX - 3)}...` : text;
}

export interface IssueOptions {
  /** said after "unknown field": where the valid fields are listed */
  unknownHint?: string;
}

/** A credential header's value (`load.headers.X-Api-Key`): named in a problem, never quoted. */
const isCredential = (path: readonly PropertyKey[]) => path.at(-2) === 'headers' && isSecretHeader(String(path.at(-1)));

/** One line per zod issue, in the form `field.path: reason, got X`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = [], options: IssueOptions = {}): string[] {
  const unknownHint = options.unknownHint ?? 'check its spelling (see lb-bench schema)';
  const lines: string[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys.slice(0, UNKNOWN_KEYS_LISTED)) lines.push(`${fieldPath([...path, key])}: unknown field; ${unknownHint}`);
      const more = issue.keys.length - UNKNOWN_KEYS_LISTED;
      if (more > 0) lines.push(`${fieldPath(path)}: ${more} more unknown field${more > 1 ? 's' : ''}`);
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length) {
      // a union fails with one branch's reason: report the first, it is the intended form
      lines.push(...formatIssues(issue.errors[0], path, options).slice(0, 1));
      continue;
    }
    let reason = issue.message;
    // a mapping's key that is not allowed: the key's own reason, and the key is in the path
    if (issue.code === 'invalid_key') {
      lines.push(`${fieldPath(path)}: ${issue.issues[0]?.message ?? reason}`);
      continue;
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) reason = 'is required';
    else if ('input' in issue && issue.input !== undefined && !isCredential(path)) reason += `, got ${describeValue(issue.input)}`;
    lines.push(`${fieldPath(path)}: ${reason}`);
  }
  return [...new Set(lines)];
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** A value checked by a schema: the parsed value, or every problem at once. */
export function checkSchema<S extends z.ZodType>(
  schema: S,
  value: unknown,
  options: IssueOptions & { prefix?: PropertyKey[] } = {},
): Checked<z.output<S>> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problems: formatIssues(parsed.error.issues, options.prefix, options) };
}
