/**
 * The results store: one folder per scenario run, append-only. Each finished run is written to
 * samples.jsonl and fsynced before the next starts, so a crash loses at most the run in flight.
 * A folder being written is locked (lock.ts); what is read back is checked (schema.ts).
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve, basename } from 'node:path';
import { envError, inputError, LbError } from '../errors.js';
import { formatIssues } from '../scenario/load.js';
import { childPath } from '../util/paths.js';
import { RunLock, releaseHeldLocks } from './lock.js';
import { failoverSampleSchema, issueText, manifestSchema, runSampleSchema } from './schema.js';
import type { FailoverSample, Manifest, RunSample, StoredRun } from './types.js';
import { storeWarning } from './warnings.js';

export const DEFAULT_RESULTS_DIR = 'results';

/** `20261126-021957` in local time, as folder names sort. */
export function timestampId(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function diskError(e: unknown, path: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return envError(`${path}: the disk is full; finished runs are kept`, 'free space, then continue with --resume');
  if (code === 'EACCES' || code === 'EROFS') return envError(`${path}: cannot write here (${code})`, 'choose another folder with --out');
  return envError(`${path}: cannot write (${code ?? String(e)})`);
}

/** Writes one run folder. Appends are synchronous and fsynced: durability over speed, once per run. */
export class RunWriter {
  private fd: number;
  public manifest: Manifest;
  /** Takes over `lock` (released on close, or here if the folder cannot be opened). */
  private constructor(
    readonly dir: string,
    manifest: Manifest,
    private readonly lock: RunLock,
  ) {
    try {
      const notes = [lock.note, cutTornLine(dir, 'samples.jsonl')].filter((n): n is string => n !== null);
      this.manifest = notes.length ? { ...manifest, warnings: [...manifest.warnings, ...notes] } : manifest;
      this.fd = openFile(dir, 'samples.jsonl');
      this.writeManifest();
    } catch (e) {
      lock.release();
      throw e;
    }
    openWriters.add(this);
  }

  /** Create `DIR/<timestamp>-<name>/`; a second run in the same second gets a suffix. */
  static create(outDir: string, manifest: Omit<Manifest, 'id'>): RunWriter {
    const stamp = timestampId(new Date(manifest.started_at));
    try {
      mkdirSync(outDir, { recursive: true });
      for (let i = 0; ; i++) {
        const id = `${stamp}-${manifest.scenario.name}${i ? `-${i + 1}` : ''}`;
        const dir = childPath(outDir, id);
        if (!dir) throw inputError(`scenario.name: not a scenario name, got ${JSON.stringify(manifest.scenario.name)}`); // the schema's slug makes this unreachable
        try {
          mkdirSync(dir);
          // locked before its manifest exists: a resume can never find the folder unlocked while it runs
          return new RunWriter(dir, { ...manifest, id } as Manifest, RunLock.acquire(dir));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
      }
    } catch (e) {
      if ((e as { code?: unknown }).code && typeof (e as { code: unknown }).code === 'number') throw e;
      throw diskError(e, outDir);
    }
  }

  /**
   * Reopen an existing folder to add the runs it is missing, under its lock: the one taken before
   * the folder was read (run --resume), or one taken here.
   */
  static reopen(run: { dir: string; manifest: Manifest }, lock?: RunLock): RunWriter {
    return new RunWriter(run.dir, run.manifest, lock ?? RunLock.acquire(run.dir));
  }

  appendSample(sample: RunSample | FailoverSample): void {
    this.appendLine(this.fd, sample, 'samples.jsonl');
  }

  /** Other line files of the folder (cpu.jsonl, probes.jsonl): opened on first use. */
  private extra = new Map<string, number>();
  appendTo(file: 'cpu.jsonl' | 'probes.jsonl', record: unknown): void {
    let fd = this.extra.get(file);
    if (fd === undefined) {
      const note = cutTornLine(this.dir, file);
      fd = openFile(this.dir, file);
      this.extra.set(file, fd);
      if (note) this.update({ warnings: [...this.manifest.warnings, note] });
    }
    this.appendLine(fd, record, file, false);
  }

  /** A line is written whole or not at all: a short write (a filling disk) is cut back off. */
  private appendLine(fd: number, record: unknown, file: string, sync = true): void {
    const line = Buffer.from(JSON.stringify(record) + '\n');
    const size = fstatSync(fd).size;
    try {
      const written = writeSync(fd, line);
      if (written !== line.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
      if (sync) fsyncSync(fd);
    } catch (e) {
      try {
        ftruncateSync(fd, size);
      } catch {
        /* nothing more to do */
      }
      throw diskError(e, join(this.dir, file));
    }
  }

  update(patch: Partial<Manifest>): void {
    this.manifest = { ...this.manifest, ...patch };
    this.writeManifest();
  }

  /** Write-then-rename, so a reader never sees half a manifest. */
  private writeManifest(): void {
    const path = join(this.dir, 'manifest.json');
    try {
      writeFileSync(path + '.tmp', JSON.stringify(this.manifest, null, 2) + '\n');
      renameSync(path + '.tmp', path);
    } catch (e) {
      throw diskError(e, path);
    }
  }

  close(): void {
    for (const fd of [this.fd, ...this.extra.values()]) {
      try {
        fsyncSync(fd);
        closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    this.extra.clear();
    openWriters.delete(this);
    this.lock.release();
  }
}

function openFile(dir: string, file: string): number {
  try {
    return openSync(join(dir, file), 'a');
  } catch (e) {
    throw diskError(e, join(dir, file));
  }
}

/**
 * A last line without its end (a crash mid-write) is cut back off before anything is appended,
 * so that a new line is never glued onto the fragment. A last line that is whole JSON and only
 * lacks its newline (an edit by hand) is kept and ended. Returns the note for the manifest when it
 * cut (said on stderr too), else null.
 */
function cutTornLine(dir: string, file: string): string | null {
  const path = join(dir, file);
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw diskError(e, path);
  }
  try {
    const size = fstatSync(fd).size;
    const start = lastLineStart(fd, size);
    if (start === size) return null;
    const tail = Buffer.alloc(size - start);
    readSync(fd, tail, 0, tail.length, start);
    try {
      JSON.parse(tail.toString('utf8'));
      writeSync(fd, '\n', size);
      return null;
    } catch {
      /* a fragment: cut below */
    }
    ftruncateSync(fd, start);
    fsyncSync(fd);
    const what = `cut off a torn last line (${tail.length} bytes, left by a crash mid-write) before appending`;
    storeWarning(`${path}: ${what}`);
    return `${file}: ${what}`;
  } catch (e) {
    throw e instanceof LbError ? e : diskError(e, path);
  } finally {
    closeSync(fd);
  }
}

/** Where the file's last line starts: after its last newline (size when it ends with one; 0 when it has none). */
function lastLineStart(fd: number, size: number): number {
  const chunk = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const from = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - from, from);
    const i = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (i >= 0) return from + i + 1;
    end = from;
  }
  return 0;
}

const openWriters = new Set<RunWriter>();

/**
 * On a forced quit (a second Ctrl-C), mark every folder still being written `interrupted`, so
 * that none is left saying `running`. Synchronous: it runs right before process.exit.
 */
export function interruptOpenRuns(): void {
  for (const w of [...openWriters]) {
    try {
      w.update({ status: 'interrupted', ended_at: new Date().toISOString() });
    } catch {
      /* the disk may be the reason we quit */
    }
    w.close();
  }
  releaseHeldLocks();
}

/** How many problems of one file are listed before "… and N more". */
const LISTED = 5;
const listed = (items: readonly string[]) => items.slice(0, LISTED).join(', ') + (items.length > LISTED ? `, … (${items.length} in all)` : '');

/**
 * The lines of a JSONL file that parse, with their line numbers. A line that does not parse is
 * left out with a warning naming the file and line: a torn last line (a crash mid-write) or damage.
 */
export async function readJsonl(path: string): Promise<{ line: number; value: unknown }[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
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

const parseOptions = { reportInput: true, error: issueText } as const;

async function readManifest(dir: string): Promise<Manifest> {
  const file = join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw inputError(`${dir}: not a run folder (no manifest.json)`, 'name a folder under results/, or a scenario name');
    throw inputError(`${file}: ${code ? `cannot read it (${code})` : `not valid JSON (${(e as Error).message})`}`, 'restore it from a copy, or move the folder out of the results folder');
  }
  const checked = manifestSchema.safeParse(raw, parseOptions);
  if (!checked.success) throw badFile(file, formatIssues(checked.error.issues));
  return checked.data as unknown as Manifest;
}

function badFile(file: string, problems: string[]): LbError {
  const shown = problems.slice(0, LISTED).map((p) => `${file}: ${p}`);
  if (problems.length > LISTED) shown.push(`${file}: … and ${problems.length - LISTED} more problems`);
  return inputError(shown.join('\n'), 'restore the file from a copy, or move the folder out of the results folder');
}

/**
 * The samples of a run folder, each checked: a line that is JSON but not a sample is exit 2 naming
 * the line and field. A (level, repetition) pair stored twice (two overlapping resumes before
 * folders were locked) counts once, the first, with a warning: statistics never see it twice.
 */
async function readSamples(dir: string, kind: 'load' | 'failover'): Promise<RunSample[]> {
  const file = join(dir, 'samples.jsonl');
  const schema = kind === 'failover' ? failoverSampleSchema : runSampleSchema;
  const problems: string[] = [];
  const seen = new Set<string>();
  const repeated: string[] = [];
  const samples: RunSample[] = [];
  for (const { line, value } of await readJsonl(file)) {
    const checked = schema.safeParse(value, parseOptions);
    if (!checked.success) {
      problems.push(...formatIssues(checked.error.issues).map((p) => `line ${line}: ${p}`));
      continue;
    }
    const s = checked.data as RunSample | FailoverSample;
    const key = 'level' in s ? `${s.level}/${s.repetition}` : String(s.repetition);
    if (seen.has(key)) repeated.push(String(line));
    else samples.push(s as RunSample);
    seen.add(key);
  }
  if (problems.length) throw badFile(file, problems);
  if (repeated.length) {
    const what = kind === 'failover' ? 'repetition' : '(level, repetition) pair';
    storeWarning(`${file}: ${repeated.length} line${repeated.length > 1 ? 's' : ''} (${listed(repeated)}) repeat a ${what} stored before; each is counted once, the first`);
  }
  return samples;
}

/** A run folder, checked: exit 2 naming the file and field when manifest.json or a sample is bad. */
export async function readRun(dir: string): Promise<StoredRun> {
  const manifest = await readManifest(dir);
  return { dir, manifest, samples: await readSamples(dir, manifest.scenario.kind === 'failover' ? 'failover' : 'load') };
}

/** Every run folder under DIR, oldest first. A folder that cannot be read is left out with a warning. */
export async function listRuns(resultsDir = DEFAULT_RESULTS_DIR): Promise<StoredRun[]> {
  let names: string[];
  try {
    names = await readdir(resultsDir);
  } catch {
    return [];
  }
  const runs: StoredRun[] = [];
  for (const name of names.sort()) {
    const dir = join(resultsDir, name);
    try {
      if (!(await stat(join(dir, 'manifest.json'))).isFile()) continue;
    } catch {
      continue; // not a run folder
    }
    try {
      runs.push(await readRun(dir));
    } catch (e) {
      if (!(e instanceof LbError)) throw e;
      const [first, ...more] = e.message.split('\n');
      storeWarning(`${first}${more.length ? ' (and more problems)' : ''}; that run folder is left out`);
    }
  }
  return runs.sort((a, b) => a.manifest.started_at.localeCompare(b.manifest.started_at) || a.dir.localeCompare(b.dir));
}

/** The newest run of each scenario that has at least one sample. */
export function newestPerScenario(runs: readonly StoredRun[]): StoredRun[] {
  const byName = new Map<string, StoredRun>();
  for (const run of runs) if (run.samples.length) byName.set(run.manifest.scenario.name, run);
  return [...byName.values()];
}

/** A run named on the command line: a folder path, or a folder name under the results folder. */
export async function findRunFolder(ref: string, resultsDir = DEFAULT_RESULTS_DIR): Promise<string | null> {
  for (const candidate of [ref, join(resultsDir, basename(ref))]) {
    try {
      if ((await stat(join(candidate, 'manifest.json'))).isFile()) return resolve(candidate);
    } catch {
      /* try the next */
    }
  }
  return null;
}
