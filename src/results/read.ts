/**
 * Reading a run folder's files back, for any kind: its JSONL lines (a line that does not parse is
 * left out with a warning), and its samples and scenario checked by the kind's schemas (each
 * kind's sample.ts, src/kinds/<kind>/). A damaged or hand-edited file is one line naming the file,
 * line and field (exit 2), never a crash in a report. Which kind a folder is: store.ts.
 */
import { join } from 'node:path';
import type { z } from 'zod';
import { inputError, LbError } from '../errors.js';
import { readPlainFile, refusalText, type Refusal } from '../io/files.js';
import { formatIssues } from '../util/issues.js';
import { issueText, type manifestBaseSchema } from './manifest-schema.js';
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
export const MAX_STORED_BYTES = 512 * 1024 * 1024 - 64;

/**
 * A stored file's text, or null when it does not exist. A folder, a FIFO or device, a file too
 * large to read, or one that cannot be read is exit 2 naming the file; a FIFO is never waited on.
 */
export async function readStoredText(path: string): Promise<string | null> {
  const unreadable = (why: Refusal) =>
    inputError(`${path}: ${refusalText(why, '512 MiB')}`, 'restore it from a copy, or move the folder out of the results folder');
  return readPlainFile(path, MAX_STORED_BYTES, unreadable)?.toString('utf8') ?? null;
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

/** How a kind's samples are read: their schema, the rules a sample keeps, and the key that one sample has once. */
export interface SampleFormat<X> {
  sample: z.ZodType<X>;
  /** the first rule of docs/results.md that a sample of the right shape breaks, in words, or null */
  rule?(x: X): string | null;
  key(x: X): string;
  keyName: string;
}

/**
 * The largest figure a sample may hold: no measurement comes near it, and sums and squares of a
 * million such figures stay finite (1.7e308 was a valid JSON number that summed to Infinity).
 */
export const MAX_FIGURE = 1e15;

/** Every number of a sample is a figure: 0 or more, and at most MAX_FIGURE. The first that is not, in words. */
export function figureRule(value: unknown, path = ''): string | null {
  if (typeof value === 'number') {
    if (value < 0) return `${path}: ${value} is negative; a figure is 0 or more`;
    if (value > MAX_FIGURE) return `${path}: ${value} is beyond 10^15, not a measurement`;
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  for (const [k, v] of Object.entries(value)) {
    const broken = figureRule(v, Array.isArray(value) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
    if (broken) return broken;
  }
  return null;
}

/** How many samples left out for a broken rule are named one by one; the rest are counted. */
const RULES_LISTED = 5;

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
  const broken: string[] = [];
  for (const { line, value } of await readJsonl(file)) {
    const checked = stored.sample.safeParse(value, parseOptions);
    if (!checked.success) {
      problems.push(...formatIssues(checked.error.issues).map((p) => `line ${line}: ${p}`));
      continue;
    }
    // the right shape, but not what lb-bench writes: left out, as a torn line is, and said
    const rule = figureRule(checked.data) ?? stored.rule?.(checked.data) ?? null;
    if (rule) {
      broken.push(`line ${line} breaks a rule of the run folder format (${rule})`);
      continue;
    }
    const key = stored.key(checked.data);
    if (seen.has(key)) repeated.push(String(line));
    else samples.push(checked.data);
    seen.add(key);
  }
  if (problems.length) throw badFile(file, problems);
  for (const b of broken.slice(0, RULES_LISTED)) storeWarning(`${file}: ${b}; left out`);
  if (broken.length > RULES_LISTED) storeWarning(`${file}: ${broken.length - RULES_LISTED} more lines break a rule; left out`);
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
