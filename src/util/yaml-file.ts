/**
 * The one reader of the YAML files a user hands lb-bench: scenarios, inventories, lab settings.
 * It is bounded before it trusts a file (at most 1 MiB, read no further; aliases and nesting
 * bounded, so a "billion laughs" is a problem, not an out-of-memory crash), says where YAML is
 * broken (line and column), and never quotes a file that is not the kind it expected: a path
 * that points at /etc/shadow gets "not an inventory", not its lines.
 */
import { LineCounter, parseDocument } from 'yaml';
import { inputError, type LbError } from '../errors.js';
import { readPlainFile, type Refusal } from '../io/files.js';
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

function readError(file: string, kind: YamlKind, e: NodeJS.ErrnoException): LbError {
  const reasons: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'a folder, not a file' };
  return inputError(`${file}: cannot read the ${kind.what} (${reasons[e.code ?? ''] ?? e.code ?? e.message})`, 'check the path');
}

/**
 * The text of FILE: a regular file of at most MAX_YAML_BYTES, in UTF-8 (io/files.ts: a FIFO is
 * refused, never waited on; no more than the bound is ever read, though the file may grow).
 */
export function readYamlText(file: string, kind: YamlKind): string {
  const refuse = (r: Refusal): LbError => {
    if (r.kind === 'folder') return readError(file, kind, { code: 'EISDIR' } as NodeJS.ErrnoException);
    if (r.kind === 'special') return inputError(`${file}: not a regular file (${r.what}); ${aOrAn(kind.what)} is a YAML file`);
    if (r.kind === 'large')
      return inputError(
        `${file}: too large (${r.size}); ${aOrAn(kind.what)} may be at most 1 MiB`,
        'check that this is the file you meant',
      );
    return inputError(`${file}: cannot read the ${kind.what} (${r.why})`, 'check the path');
  };
  const bytes = readPlainFile(file, MAX_YAML_BYTES, refuse);
  if (bytes === null) throw readError(file, kind, { code: 'ENOENT' } as NodeJS.ErrnoException);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw inputError(`${file}: not a text file (not UTF-8); ${aOrAn(kind.what)} is a YAML file`);
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
