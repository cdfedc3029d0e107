/**
 * The one reader of the YAML files a user hands lb-bench: scenarios, inventories, lab settings.
 * It is bounded before it trusts a file (at most 1 MiB, read no further; aliases and nesting
 * bounded, so a "billion laughs" is a problem, not an out-of-memory crash), says where YAML is
 * broken (line and column), and never quotes a file that is not the kind it expected: a path
 * that points at /etc/shadow gets "not an inventory", not its lines.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { inputError, type LbError } from '../errors.js';
import { isPlainObject } from './objects.js';
import type { Checked } from './issues.js';

/** Largest file read: a scenario is a few KB; a file of MBs is a mistake or an attack. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** Aliases resolved per file (the yaml package's maxAliasCount): anchors in profiles are fine, a laugh bomb is not. */
export const MAX_YAML_ALIASES = 100;
/** Deepest `[` / `{` nesting; the yaml package's parser exhausts memory on deep enough flow collections. */
const MAX_FLOW_NESTING = 100;
/** Syntax errors listed per file: after the first few, the rest are echoes of the same break. */
const MAX_SYNTAX_ERRORS = 5;
/** Problems listed per file. */
const MAX_PROBLEMS = 50;

/** What kind of file a reader expects, for its messages. */
export interface YamlKind {
  /** "scenario file", "inventory", "lab settings file" */
  what: string;
  /** the top-level keys of such a file: a mapping that has none of them is not such a file */
  keys: readonly string[];
  /** what such a file looks like, e.g. "a mapping with `hosts`" */
  expected: string;
  /** an empty file is an empty mapping (lab settings: change nothing) */
  emptyIsMapping?: boolean;
}

const aOrAn = (what: string) => `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`;
// just over the limit would round to "1.0 MiB": give the bytes there
const describeSize = (bytes: number) =>
  bytes >= 2 * 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${bytes.toLocaleString('en')} bytes`;

function readError(file: string, kind: YamlKind, e: NodeJS.ErrnoException): LbError {
  const reasons: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'a folder, not a file' };
  return inputError(`${file}: cannot read the ${kind.what} (${reasons[e.code ?? ''] ?? e.code ?? e.message})`, 'check the path');
}

/**
 * The text of FILE: a regular file of at most MAX_YAML_BYTES, in UTF-8. Its size is checked
 * before it is read, and no more than the bound is ever read (a file may grow meanwhile).
 */
export function readYamlText(file: string, kind: YamlKind): string {
  let fd: number;
  try {
    // non-blocking: opening a FIFO would otherwise wait for a writer before fstat could refuse it
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw readError(file, kind, e as NodeJS.ErrnoException);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw readError(file, kind, { code: 'EISDIR' } as NodeJS.ErrnoException);
    if (!st.isFile()) throw inputError(`${file}: not a regular file; ${aOrAn(kind.what)} is a YAML file`);
    const tooLarge = (size: string) =>
      inputError(`${file}: too large (${size}); ${aOrAn(kind.what)} may be at most 1 MiB`, 'check that this is the file you meant');
    if (st.size > MAX_YAML_BYTES) throw tooLarge(describeSize(st.size));
    const buf = Buffer.alloc(MAX_YAML_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buf.length; length += n) n = readSync(fd, buf, length, buf.length - length, null);
    if (length > MAX_YAML_BYTES) throw tooLarge('more than 1 MiB');
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, length));
    } catch {
      throw inputError(`${file}: not a text file (not UTF-8); ${aOrAn(kind.what)} is a YAML file`);
    }
  } catch (e) {
    // a read that fails midway (EIO) is a system error with a string code; our own errors have a number
    if (typeof (e as { code?: unknown }).code === 'string') throw readError(file, kind, e as NodeJS.ErrnoException);
    throw e;
  } finally {
    closeSync(fd);
  }
}

/** Deepest nesting of flow collections, counted on the raw text (brackets in strings count too: a bound, not a parse). */
function flowNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return deepest;
}

/** A parser's message, as one short line of printable text. */
const oneLine = (message: string) =>
  message
    .split('\n')[0]
    .replace(/[\u0000-\u001f\u007f]/g, '?')
    .slice(0, 120);

/** Parse YAML text; problems are `line L, column C: not valid YAML: …`. Aliases and nesting are bounded. */
export function parseYaml(text: string): Checked<unknown> {
  if (flowNesting(text) > MAX_FLOW_NESTING)
    return { ok: false, problems: [`not valid YAML: nested more than ${MAX_FLOW_NESTING} levels deep`] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length) {
    const problems = doc.errors.slice(0, MAX_SYNTAX_ERRORS).map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return `line ${line}, column ${col}: not valid YAML: ${oneLine(e.message)}`;
    });
    return { ok: false, problems: [...new Set(problems)] };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch (e) {
    // the yaml package throws on an alias bomb ("Excessive alias count") and on aliases it cannot resolve
    const message = (e as Error).message;
    const reason = /alias count/i.test(message)
      ? `its aliases expand too far (more than ${MAX_YAML_ALIASES}); write the values out`
      : oneLine(message);
    return { ok: false, problems: [`not valid YAML: ${reason}`] };
  }
}

/**
 * Parse YAML text that should be a mapping of `kind`. A file that is not a mapping, or a mapping
 * with none of the kind's keys, is "not a <kind>": its contents are not quoted.
 */
export function parseYamlMapping(text: string, kind: YamlKind): Checked<Record<string, unknown>> {
  const parsed = parseYaml(text);
  if (!parsed.ok) return parsed;
  const value = parsed.value ?? (kind.emptyIsMapping ? {} : null);
  const notOne: Checked<Record<string, unknown>> = { ok: false, problems: [`not ${aOrAn(kind.what)} (expected ${kind.expected})`] };
  if (!isPlainObject(value)) return notOne;
  const keys = Object.keys(value);
  if (keys.length && !keys.some((k) => kind.keys.includes(k))) return notOne;
  return { ok: true, value };
}

/** One exit-2 error listing a file's problems, one line each, as `FILE: problem`. */
export function problemsError(file: string, problems: readonly string[], hint?: string): LbError {
  const shown = problems.slice(0, MAX_PROBLEMS).map((p) => `${file}: ${p}`);
  if (problems.length > MAX_PROBLEMS) shown.push(`${file}: … and ${problems.length - MAX_PROBLEMS} more problems`);
  return inputError(shown.join('\n'), hint);
}

/** Read and parse a file that should be a mapping of `kind`; exit 2 naming the file otherwise. */
export function loadYamlMapping(file: string, kind: YamlKind): Record<string, unknown> {
  const parsed = parseYamlMapping(readYamlText(file, kind), kind);
  if (!parsed.ok) throw problemsError(file, parsed.problems);
  return parsed.value;
}
