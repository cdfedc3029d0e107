/**
 * The results store: one folder per scenario run, append-only. Each finished run is written to
 * samples.jsonl and fsynced before the next starts, so a crash loses at most the run in flight.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, writeSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve, basename } from 'node:path';
import { envError, inputError } from '../errors.js';
import { childPath } from '../util/paths.js';
import type { FailoverSample, Manifest, RunSample, StoredRun } from './types.js';

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
  constructor(
    readonly dir: string,
    public manifest: Manifest,
  ) {
    try {
      this.fd = openSync(join(dir, 'samples.jsonl'), 'a');
    } catch (e) {
      throw diskError(e, join(dir, 'samples.jsonl'));
    }
    this.writeManifest();
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
          return new RunWriter(dir, { ...manifest, id } as Manifest);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
      }
    } catch (e) {
      if ((e as { code?: unknown }).code && typeof (e as { code: unknown }).code === 'number') throw e;
      throw diskError(e, outDir);
    }
  }

  /** Reopen an existing folder to add the runs it is missing. */
  static reopen(run: StoredRun): RunWriter {
    return new RunWriter(run.dir, run.manifest);
  }

  appendSample(sample: RunSample | FailoverSample): void {
    this.appendLine(this.fd, sample, 'samples.jsonl');
  }

  /** Other line files of the folder (cpu.jsonl, probes.jsonl): opened on first use. */
  private extra = new Map<string, number>();
  appendTo(file: 'cpu.jsonl' | 'probes.jsonl', record: unknown): void {
    let fd = this.extra.get(file);
    if (fd === undefined) {
      try {
        fd = openSync(join(this.dir, file), 'a');
      } catch (e) {
        throw diskError(e, join(this.dir, file));
      }
      this.extra.set(file, fd);
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
  }
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
}

/** Lines of a JSONL file; a torn last line (a crash mid-write) is ignored. */
export async function readJsonl<T>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      /* torn line */
    }
  }
  return out;
}

export async function readRun(dir: string): Promise<StoredRun> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw inputError(
      `${dir}: not a run folder (${code === 'ENOENT' ? 'no manifest.json' : 'manifest.json is not valid JSON'})`,
      'name a folder under results/, or a scenario name',
    );
  }
  return { dir, manifest, samples: await readJsonl<RunSample>(join(dir, 'samples.jsonl')) };
}

/** Every run folder under DIR, oldest first. */
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
      runs.push(await readRun(dir));
    } catch {
      /* not a run folder */
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
