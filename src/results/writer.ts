/**
 * Writing a run folder, append-only: each finished run is written to samples.jsonl and fsynced
 * before the next starts, so a crash loses at most the run in flight. A folder being written is
 * locked (lock.ts); its life (open, running, complete / interrupted / failed) is lifecycle.ts.
 */
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  lstatSync,
  openSync,
  readSync,
  rmSync,
  writeSync,
  mkdirSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { envError, inputError, LbError } from '../errors.js';
import { childPath } from '../util/paths.js';
import { makeFolder } from '../io/files.js';
import { RunLock, releaseHeldLocks } from './lock.js';
import type { Manifest, StoredScenarioBase } from './types.js';
import { storeWarning } from './warnings.js';

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
export class RunWriter<S extends StoredScenarioBase = StoredScenarioBase> {
  private fd: number;
  public manifest: Manifest<S>;
  /** Takes over `lock` (released on close, or here if the folder cannot be opened). */
  private constructor(
    readonly dir: string,
    manifest: Manifest<S>,
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
  static create<S extends StoredScenarioBase>(outDir: string, manifest: Omit<Manifest<S>, 'id'>): RunWriter<S> {
    const stamp = timestampId(new Date(manifest.started_at));
    try {
      makeFolder(outDir);
      for (let i = 0; ; i++) {
        const id = `${stamp}-${manifest.scenario.name}${i ? `-${i + 1}` : ''}`;
        const dir = childPath(outDir, id);
        if (!dir) throw inputError(`scenario.name: not a scenario name, got ${JSON.stringify(manifest.scenario.name)}`); // the schema's slug makes this unreachable
        try {
          mkdirSync(dir);
          // locked before its manifest exists: a resume can never find the folder unlocked while it runs
          return new RunWriter<S>(dir, { ...manifest, id }, RunLock.acquire(dir));
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
  static reopen(run: { dir: string; manifest: Manifest<StoredScenarioBase> }, lock?: RunLock): RunWriter {
    return new RunWriter(run.dir, run.manifest, lock ?? RunLock.acquire(run.dir));
  }

  /** One line of samples.jsonl: a sample of the folder's kind. */
  appendSample(sample: object): void {
    this.appendLine(this.fd, sample, 'samples.jsonl');
  }

  /** Other line files of the folder (cpu.jsonl, probes.jsonl, reference.jsonl): opened on first use. */
  private extra = new Map<string, number>();
  appendTo(file: 'cpu.jsonl' | 'probes.jsonl' | 'reference.jsonl', record: unknown, sync = false): void {
    let fd = this.extra.get(file);
    if (fd === undefined) {
      const note = cutTornLine(this.dir, file);
      fd = openFile(this.dir, file);
      this.extra.set(file, fd);
      if (note) this.update({ warnings: [...this.manifest.warnings, note] });
    }
    this.appendLine(fd, record, file, sync);
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

  update(patch: Partial<Manifest<S>>): void {
    this.manifest = { ...this.manifest, ...patch };
    this.writeManifest();
  }

  /** Write-then-rename, so a reader never sees half a manifest. */
  private writeManifest(): void {
    const path = join(this.dir, 'manifest.json');
    try {
      // a stale temporary file is removed first, never written through (it may be a link out of the folder)
      rmSync(path + '.tmp', { force: true });
      writeFileSync(path + '.tmp', JSON.stringify(this.manifest, null, 2) + '\n', { flag: 'wx' });
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

/** Appending, never through a link: a link's target is outside the run folder (checkPlainFiles says so first). */
const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

function openFile(dir: string, file: string): number {
  try {
    return openSync(join(dir, file), APPEND, 0o644);
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
    fd = openSync(path, constants.O_RDWR | constants.O_NOFOLLOW);
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

const openWriters = new Set<{ update(patch: Pick<Manifest, 'status' | 'ended_at'>): void; close(): void }>();

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

/** The files a resume writes to; each, where it exists, must be a plain file of the folder. */
const WRITTEN_FILES = ['manifest.json', 'samples.jsonl', 'cpu.jsonl', 'probes.jsonl', 'reference.jsonl'];

/**
 * Before a resume sends or writes anything: a link (or folder, or device) in the place of a file it
 * appends to would have it cut and append to a file outside the run folder. Exit 2 naming it.
 */
export function checkPlainFiles(dir: string): void {
  for (const name of WRITTEN_FILES) {
    const path = join(dir, name);
    let plain: boolean;
    try {
      plain = lstatSync(path).isFile();
    } catch {
      continue; // absent: it is created as a plain file
    }
    if (!plain)
      throw inputError(
        `${path}: not a plain file (a link, a folder or a device); a resume writes only plain files of the run folder`,
        'replace it with a copy of the file it stands for, or start a new run',
      );
  }
}
