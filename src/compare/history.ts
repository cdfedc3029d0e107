/**
 * The nightly history: a JSON Lines file, one line per scenario, level and night, with each
 * metric's n, mean, sd and 95 % CI over the night's repetitions and the machine's fingerprint
 * (docs/reports.md, "History"). `lb-bench history append` adds the newest run of each scenario;
 * `compare --history` judges tonight against it (history-judge.ts). A line that is not JSON (a
 * torn last line) is left out with a warning; one that is JSON but not a history line is exit 2
 * naming the file, line and field. `history accept` adds a line of another form, an acceptance: from
 * the run it names on, that scenario's nights before it are no longer judged by.
 */
import { appendFileSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { envError, inputError } from '../errors.js';
import { withRun, type StoredRun } from '../kinds/registry.js';
import { fingerprintOfManifest, type Fingerprint } from '../results/fingerprint.js';
import { badFile, MAX_FIGURE, parseOptions } from '../results/read.js';
import { fingerprintSchema, formatError } from '../results/manifest-schema.js';
import { readJsonl } from '../results/store.js';
import { describe } from '../stats/describe.js';
import { formatIssues } from '../util/issues.js';

export interface NightFigure {
  n: number;
  mean: number;
  sd: number | null;
  ci_low: number | null;
  ci_high: number | null;
}

export interface HistoryLine {
  format: 1;
  /** the run folder's id: one night of one scenario */
  run: string;
  /** when the run started (ISO): the nights' order */
  at: string;
  scenario: string;
  kind: string;
  level: number;
  fingerprint: Fingerprint;
  /** metric → its figures over the night's repetitions at this level (metrics without a value left out) */
  metrics: Record<string, NightFigure>;
}

/** `history accept`: the scenario's nights before `at` (its run's start) are no longer judged by. */
export interface AcceptLine {
  format: 1;
  accept: true;
  scenario: string;
  /** the run accepted as the first night of the new normal */
  run: string;
  /** that run's start */
  at: string;
  /** when it was accepted (ISO) */
  accepted_at: string;
}

export type HistoryEntry = HistoryLine | AcceptLine;

export const isAccept = (e: HistoryEntry): e is AcceptLine => 'accept' in e && e.accept === true;
export const nightsIn = (entries: readonly HistoryEntry[]): HistoryLine[] => entries.filter((e): e is HistoryLine => !isAccept(e));

/** A figure of a night: bounded as a sample's are (1.7e308 summed to Infinity, and a band of NaN). */
const figure = z
  .number()
  .min(-MAX_FIGURE, { error: 'must be a figure (at most 10^15 either way)' })
  .max(MAX_FIGURE, { error: 'must be a figure (at most 10^15 either way)' });
const nullable = figure.nullable();
const lineSchema = z.looseObject({
  format: z.literal(1, { error: (i) => formatError(i.input, 'this history was written by a newer lb-bench') }),
  run: z.string().min(1),
  at: z.string(),
  scenario: z.string().min(1),
  kind: z.string(),
  level: z.number(),
  fingerprint: fingerprintSchema,
  metrics: z.record(
    z.string(),
    z.looseObject({ n: z.number().int().min(1), mean: figure, sd: nullable, ci_low: nullable, ci_high: nullable }),
  ),
});

const acceptSchema = z.looseObject({
  format: z.literal(1, { error: (i) => formatError(i.input, 'this history was written by a newer lb-bench') }),
  accept: z.literal(true),
  scenario: z.string().min(1),
  run: z.string().min(1),
  at: z.string(),
  accepted_at: z.string(),
});

/** One line per level the run measured. */
export function historyLines(run: StoredRun): HistoryLine[] {
  const fingerprint = fingerprintOfManifest(run.manifest);
  return withRun(run, (kind, r) => {
    const levels = [...new Set(r.samples.map((s) => kind.level(s)))].sort((a, b) => a - b);
    const metrics = kind.metrics(r.samples);
    return levels.map((level) => {
      const samples = r.samples.filter((s) => kind.level(s) === level);
      const figures: Record<string, NightFigure> = {};
      for (const m of metrics) {
        const d = describe(samples.map((s) => m.value(s)));
        if (d.mean !== null) figures[m.name] = { n: d.n, mean: d.mean, sd: d.sd, ci_low: d.ci_low, ci_high: d.ci_high };
      }
      const base = { format: 1 as const, run: r.manifest.id, at: r.manifest.started_at, scenario: r.manifest.scenario.name };
      return { ...base, kind: r.manifest.scenario.kind, level, fingerprint, metrics: figures };
    });
  });
}

/** The history's lines; a file that does not exist yet is an empty history (null: said by the caller). */
export async function readHistory(file: string): Promise<HistoryEntry[] | null> {
  try {
    if (!statSync(file).isFile())
      throw inputError(`--history ${file}: not a file`, 'name the history.jsonl that lb-bench history append writes');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const problems: string[] = [];
  const lines: HistoryEntry[] = [];
  for (const { line, value } of await readJsonl(file)) {
    const accept = typeof value === 'object' && value !== null && 'accept' in value;
    const checked = (accept ? acceptSchema : lineSchema).safeParse(value, parseOptions);
    if (checked.success) lines.push(checked.data as HistoryEntry);
    else problems.push(...formatIssues(checked.error.issues).map((p) => `line ${line}: ${p}`));
  }
  if (problems.length) {
    const e = badFile(file, problems);
    throw inputError(e.message, "restore the file from an earlier night's copy, or remove the lines named");
  }
  return lines;
}

/**
 * A last line without its end: whole JSON (an edit by hand) is ended; a fragment (a crash
 * mid-write) is cut off, so that a new line is never glued onto it. Returns what was done, or null.
 */
function endLastLine(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (text === '' || text.endsWith('\n')) return null;
  const start = text.lastIndexOf('\n') + 1;
  try {
    JSON.parse(text.slice(start));
    appendFileSync(file, '\n');
    return null;
  } catch {
    truncateSync(file, Buffer.byteLength(text.slice(0, start)));
    return `${file}: cut off a torn last line (${Buffer.byteLength(text.slice(start))} bytes, left by a crash mid-write) before appending`;
  }
}

/** Appended whole and fsynced: a crash leaves at most a torn last line, which reading leaves out and the next append cuts off. */
export function appendHistory(file: string, lines: readonly HistoryEntry[]): string | null {
  if (!lines.length) return null;
  try {
    const note = endLastLine(file);
    appendFileSync(file, lines.map((l) => JSON.stringify(l) + '\n').join(''));
    const fd = openSync(file, 'r');
    fsyncSync(fd);
    closeSync(fd);
    return note;
  } catch (e) {
    throw envError(`${file}: cannot append to it (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'choose another file');
  }
}

/** The whole history written anew (pruned): into a file beside it, fsynced, then renamed over it, so a crash leaves the old or the new. */
export function rewriteHistory(file: string, entries: readonly HistoryEntry[]): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, entries.map((l) => JSON.stringify(l) + '\n').join(''));
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  } catch (e) {
    throw envError(`${file}: cannot rewrite it (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'choose another file');
  }
}
