/**
 * One writer per run folder. A folder being written holds `lock`, created exclusively (O_EXCL),
 * naming the process: a second `run --resume` of it is refused while that process lives. A lock
 * whose process has ended (or whose pid now belongs to another process) is taken over, with a note.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, linkSync } from 'node:fs';
import { readPlainFile, refusalText } from '../io/files.js';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { envError, inputError } from '../errors.js';
import { storeWarning } from './warnings.js';

export const LOCK_FILE = 'lock';

/** What the lock file holds. */
interface LockInfo {
  pid: number;
  host: string;
  /** the process's start time, /proc/<pid>/stat field 22 (clock ticks since boot): tells a reused pid apart */
  start: string | null;
  since: string;
  /** this holder's own mark, so that a release never removes someone else's lock */
  token: string;
}

/** A lock file is a line of JSON; a larger one is not a lock. */
const MAX_LOCK_BYTES = 4096;

/** The lock file's text, or null when there is none; a FIFO or device in its place is exit 2, never waited on. */
function readLock(path: string): string | null {
  const refuse = (r: Parameters<typeof refusalText>[0]) =>
    inputError(`${path}: ${refusalText(r, '4 KiB')}; not a lock of lb-bench`, `delete it if no lb-bench is writing ${join(path, '..')}`);
  return readPlainFile(path, MAX_LOCK_BYTES, refuse)?.toString('utf8') ?? null;
}

/**
 * Is the folder being written? `held`: its lock's process runs (or runs on another host, where it
 * cannot be told); `stale`: a lock is left by a process that has ended, as a resume would judge it;
 * `none`: no lock. A lock being written right now counts as held.
 */
export function lockState(dir: string): { state: 'held' | 'stale' | 'none'; pid?: number } {
  const path = join(dir, LOCK_FILE);
  let text: string | null;
  try {
    text = readLock(path);
  } catch {
    return { state: 'stale' }; // not a lock lb-bench wrote: no process holds it
  }
  if (text === null) return { state: 'none' };
  const info = parse(text);
  if (!info) return { state: Date.now() - mtime(path) < UNREADABLE_GRACE_MS ? 'held' : 'stale' };
  return { state: holderState(info) === 'dead' ? 'stale' : 'held', pid: info.pid };
}

/** A lock file that does not parse is taken for one being written this long; older, for a crash. */
const UNREADABLE_GRACE_MS = 2_000;

/** The start time of a process on this machine, or null where /proc does not tell it. */
export function processStart(pid: number | 'self'): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after its last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Does the process that wrote this lock still run? (`unknown`: it is on another host.) */
function holderState(info: LockInfo): 'alive' | 'dead' | 'unknown' {
  if (info.host !== hostname()) return 'unknown';
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to another user
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
  }
  const start = processStart(info.pid);
  return info.start !== null && start !== null && start !== info.start ? 'dead' : 'alive';
}

function parse(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (!Number.isInteger(v.pid) || v.pid! <= 0 || typeof v.host !== 'string' || typeof v.token !== 'string') return null;
    return { pid: v.pid!, host: v.host, start: typeof v.start === 'string' ? v.start : null, since: String(v.since ?? '?'), token: v.token };
  } catch {
    return null;
  }
}

const held = new Set<RunLock>();
let exitHook = false;

export class RunLock {
  /** a lock found left behind and taken over, for the manifest (already said on stderr); null if none */
  readonly note: string | null;
  #released = false;

  private constructor(
    readonly dir: string,
    private readonly token: string,
    note: string | null,
  ) {
    this.note = note;
    held.add(this);
    if (!exitHook) {
      // a last resort: an exit that skipped the finally blocks still leaves no lock behind
      process.once('exit', releaseHeldLocks);
      exitHook = true;
    }
  }

  /** Take the folder's lock, or throw exit 3 naming the process that holds it. */
  static acquire(dir: string): RunLock {
    const path = join(dir, LOCK_FILE);
    const token = `${process.pid}-${randomBytes(6).toString('hex')}`;
    let note: string | null = null;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (create(path, token)) {
        if (note) storeWarning(`${dir}: ${note}`);
        return new RunLock(dir, token, note);
      }
      const text = readLock(path);
      if (text === null) continue; // released meanwhile
      const info = parse(text);
      if (info) {
        const state = holderState(info);
        if (state !== 'dead') throw inUse(dir, info, state === 'unknown');
        note = `took over the lock of lb-bench pid ${info.pid} (since ${info.since}), which is no longer running`;
      } else {
        if (Date.now() - mtime(path) < UNREADABLE_GRACE_MS) throw envError(`${dir}: in use: another process is taking its lock right now`, 'wait for it to finish');
        note = 'took over an unreadable lock file (left by a crash)';
      }
      if (!removeIfStill(path, text)) note = null;
    }
    throw envError(`${dir}: could not take its lock: other processes keep taking it`, 'run one resume at a time');
  }

  /** Give the folder free. Safe to call again; leaves a lock that is no longer ours alone. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    held.delete(this);
    const path = join(this.dir, LOCK_FILE);
    try {
      if (parse(readLock(path) ?? '')?.token === this.token) unlinkSync(path);
    } catch {
      /* gone already, or the folder is */
    }
  }
}

/** Release every lock this process holds: a forced quit (second Ctrl-C) calls it right before exiting. */
export function releaseHeldLocks(): void {
  for (const lock of [...held]) lock.release();
}

/** Create the lock file with O_EXCL; false if it exists. */
function create(path: string, token: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockError(path, e);
  }
  try {
    const info: LockInfo = { pid: process.pid, host: hostname(), start: processStart('self'), since: new Date().toISOString(), token };
    writeSync(fd, JSON.stringify(info) + '\n');
    fsyncSync(fd);
  } catch (e) {
    // a full disk: leave no empty lock behind
    closeSync(fd);
    unlinkSync(path);
    throw e;
  }
  closeSync(fd);
  return true;
}

/**
 * Remove a stale lock, but only the one judged stale: it is moved aside first (atomic), and put
 * back if another process replaced it in between. False if it was not ours to remove.
 */
function removeIfStill(path: string, staleText: string): boolean {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return false; // someone else removed it first
  }
  let moved: string | null = null;
  try {
    moved = readLock(aside);
  } catch {
    /* not a lock: put back below */
  }
  if (moved !== staleText) {
    try {
      linkSync(aside, path); // a fresh lock of another process: give it back
    } catch {
      /* the place is taken again; that lock's holder wins */
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  return true;
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function inUse(dir: string, info: LockInfo, otherHost: boolean): Error {
  const where = otherHost ? ` on host ${info.host}` : '';
  return envError(
    `${dir}: in use by lb-bench pid ${info.pid}${where} (since ${info.since}); not resumed`,
    otherHost
      ? `wait for it to finish; if that process has ended, delete ${join(dir, LOCK_FILE)}`
      : `wait for it to finish, or stop it (kill -INT ${info.pid}) and resume again`,
  );
}

function lockError(path: string, e: unknown): Error {
  return envError(`${path}: cannot take the run folder's lock (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
}
