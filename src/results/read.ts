/**
 * Reading a run folder's files back, for any kind: its JSONL lines (a line that does not parse is
 * left out with a warning), and its samples and scenario checked by the kind's schemas (schema.ts
 * for the load and failover kinds'). A damaged or hand-edited file is one line naming the file,
 * line and field (exit 2), never a crash in a report. Which kind a folder is: store.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { inputError, LbError } from '../errors.js';
import { formatIssues } from '../util/issues.js';
import { issueText, type manifestBaseSchema } from './schema.js';
import type { StoredRunOf, StoredScenarioBase } from './types.js';
import { storeWarning } from './warnings.js';

/** How many problems of one file are listed before "… and N more". */
const LISTED = 5;
const listed = (items: readonly string[]) => items.slice(0, LISTED).join(', ') + (items.length > LISTED ? `, … (${items.length} in all)` : '');

/**
 * The lines of a JSONL file that parse, with their line numbers. A line that does not parse is
 * left out with a warning naming the file and line: a torn last line (a crash mid-write) or damage.
 */
export async function readJsonl(path: string): Promise<{ line: number; value: unknown }[]> {
  const text = await readStoredText(path);
  if (text === null) return [];
  const lines = text.split('\n');
  const out: { line: number; value: unknown }[] = [];
  const bad: string[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push({ line: i + 1, value: JSON.parse(line) });
    } catch {
      // the last piece of a file that ends without a newline is a line cut short
      if (i === lines.length - 1) storeWarning(`${path}: line ${i + 1} is torn (no end of line: a crash mid-write?); left out`);
      else bad.push(String(i + 1));
    }
  });
  if (bad.length) storeWarning(`${path}: ${bad.length > 1 ? `lines ${listed(bad)} are` : `line ${bad[0]} is`} not valid JSON; left out`);
  return out;
}

/** The most a stored file may hold: V8's longest string (about 512 MiB); a larger one cannot be read whole. */
const MAX_STORED_BYTES = 512 * 1024 * 1024;

/**
 * A stored file's text, or null when it does not exist. A folder, a file too large to read, or one
 * that cannot be read is exit 2 naming the file (a folder in its place was exit 70).
 */
export async function readStoredText(path: string): Promise<string | null> {
  const unreadable = (why: string) => inputError(`${path}: ${why}`, 'restore it from a copy, or move the folder out of the results folder');
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw unreadable('cannot read it (a folder, not a file)');
    if (st.size > MAX_STORED_BYTES) throw unreadable(`too large to read (${(st.size / (1024 * 1024)).toFixed(1)} MiB; at most 512 MiB)`);
    return await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof LbError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw unreadable(`cannot read it (${code ?? (e as Error).message})`);
  }
}

/**
 * Why a text is not JSON, without quoting it: V8's message quotes the text's first bytes, and a
 * manifest.json may be a link to another file (/etc/shadow).
 */
export function notJson(e: unknown): string {
  const at = /position (\d+)/.exec((e as Error).message)?.[1];
  return at === undefined ? 'not valid JSON' : `not valid JSON (at character ${at})`;
}

export const parseOptions = { reportInput: true, error: issueText } as const;

export function badFile(file: string, problems: string[]): LbError {
  const shown = problems.slice(0, LISTED).map((p) => `${file}: ${p}`);
  if (problems.length > LISTED) shown.push(`${file}: … and ${problems.length - LISTED} more problems`);
  return inputError(shown.join('\n'), 'restore the file from a copy, or move the folder out of the results folder');
}

/** How a kind's samples are read: their schema, and the key that one sample has once. */
export interface SampleFormat<X> {
  sample: z.ZodType<X>;
  key(x: X): string;
  keyName: string;
}

/**
 * The samples of a run folder (samples.jsonl, or another file of samples), each checked by its
 * kind's schema: a line that is JSON but not a sample is exit 2 naming the line and field. A
 * sample stored twice (two overlapping resumes before folders were locked) counts once, the
 * first, with a warning: statistics never see it twice.
 */
export async function readSamples<X>(dir: string, stored: SampleFormat<X>, name = 'samples.jsonl'): Promise<X[]> {
  const file = join(dir, name);
  const problems: string[] = [];
  const seen = new Set<string>();
  const repeated: string[] = [];
  const samples: X[] = [];
  for (const { line, value } of await readJsonl(file)) {
    const checked = stored.sample.safeParse(value, parseOptions);
    if (!checked.success) {
      problems.push(...formatIssues(checked.error.issues).map((p) => `line ${line}: ${p}`));
      continue;
    }
    const key = stored.key(checked.data);
    if (seen.has(key)) repeated.push(String(line));
    else samples.push(checked.data);
    seen.add(key);
  }
  if (problems.length) throw badFile(file, problems);
  if (repeated.length) {
    storeWarning(`${file}: ${repeated.length} line${repeated.length > 1 ? 's' : ''} (${listed(repeated)}) ${repeated.length > 1 ? 'repeat' : 'repeats'} a ${stored.keyName} stored before; each is counted once, the first`);
  }
  return samples;
}

/** manifest.json but its scenario, checked. */
export type ManifestBase = z.output<typeof manifestBaseSchema>;

/** manifest.json but its scenario, as checked: the fields, or what is wrong with them. */
export type CheckedBase = { ok: true; value: ManifestBase } | { ok: false; problems: string[] };

/**
 * Reads a run folder of one kind, given its manifest but the scenario as checked: the kind's part
 * of reading. Every problem of the manifest is named at once, its scenario's first.
 */
export type FolderReader<T extends StoredScenarioBase, X> = (dir: string, file: string, manifest: CheckedBase, scenario: unknown) => Promise<StoredRunOf<T, X>>;

/** The reader of a kind's folders: its scenario as the manifest keeps it, and its samples, one per line. */
export function folderReader<T extends StoredScenarioBase, X>(scenarioSchema: z.ZodType<T>, stored: SampleFormat<X>): FolderReader<T, X> {
  return async (dir, file, manifest, raw) => {
    const scenario = scenarioSchema.safeParse(raw, parseOptions);
    if (!scenario.success || !manifest.ok) {
      throw badFile(file, [...(scenario.success ? [] : formatIssues(scenario.error.issues, ['scenario'])), ...(manifest.ok ? [] : manifest.problems)]);
    }
    return { dir, manifest: { ...manifest.value, scenario: scenario.data }, samples: await readSamples(dir, stored) };
  };
}
