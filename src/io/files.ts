/**
 * The files lb-bench reads back and the folders it writes, each done one way:
 *
 * - a stored file (a run folder's manifest and lines, the history, a lock, a calibration, a
 *   YAML file) is read only when it is a plain file, and only up to a bound: a FIFO in its place
 *   is refused, never waited on (it is opened non-blocking and checked with fstat), a device or
 *   a file of gigabytes is refused before it is read;
 * - a folder is made one level at a time (Node's recursive mkdir loops for ever where mkdir(2)
 *   says ENOENT under a folder that exists: /proc, /sys);
 * - a set of files (a report, init's starter) is written whole or not at all: every file is
 *   written beside its place under a temporary name, then each is renamed into place; a failure
 *   removes what was written and the folders made for it.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** A size as a person reads it: bytes below 2 MiB, else MiB with one decimal. */
export const describeSize = (bytes: number) =>
  bytes >= 2 * 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${bytes.toLocaleString('en')} bytes`;

/** An error code as words, for the messages that name a file. */
const WORDS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a file is in the way of a folder',
  EISDIR: 'a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'a read-only file system',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many links',
  EIO: 'an input/output error',
  EPIPE: 'the reader has gone',
};

/** "ENOSPC: the disk is full", or the code alone, or the message. */
export function errorWords(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string') return WORDS[code] ? `${code}: ${WORDS[code]}` : code;
  return e instanceof Error ? e.message : String(e);
}

/** Why a file was not read. */
export type Refusal =
  { kind: 'folder' } | { kind: 'special'; what: string } | { kind: 'large'; size: string } | { kind: 'unreadable'; why: string };

/** The usual words for a refusal; `limit` as the caller says it ("512 MiB"). */
export function refusalText(r: Refusal, limit: string): string {
  if (r.kind === 'folder') return 'cannot read it (a folder, not a file)';
  if (r.kind === 'special') return `not a plain file (${r.what}); lb-bench reads only plain files`;
  if (r.kind === 'large') return `too large to read (${r.size}; at most ${limit})`;
  return `cannot read it (${r.why})`;
}

/**
 * A file's bytes: a plain file of at most `maxBytes`, read no further (it may grow meanwhile), or
 * null when it does not exist. Anything else is `refuse(why)`, thrown: a folder, a FIFO, a socket
 * or device (never waited on: opened non-blocking, then fstat), a larger file, a read that fails.
 */
export function readPlainFile(path: string, maxBytes: number, refuse: (why: Refusal) => Error): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw refuse(code === 'EISDIR' ? { kind: 'folder' } : { kind: 'unreadable', why: errorWords(e) });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw refuse({ kind: 'folder' });
    if (!st.isFile()) throw refuse({ kind: 'special', what: specialKind(st) });
    if (st.size > maxBytes) throw refuse({ kind: 'large', size: describeSize(st.size) });
    const chunks: Buffer[] = [];
    let total = 0;
    for (let want = st.size + 1; ; want = 64 * 1024) {
      const buf = Buffer.alloc(Math.min(want, maxBytes + 1 - total));
      const n = readChunk(fd, buf, refuse);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) throw refuse({ kind: 'large', size: `more than ${describeSize(maxBytes)}` });
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

function readChunk(fd: number, buf: Buffer, refuse: (why: Refusal) => Error): number {
  let n = 0;
  while (n < buf.length) {
    let got: number;
    try {
      got = readSync(fd, buf, n, buf.length - n, null);
    } catch (e) {
      throw refuse({ kind: 'unreadable', why: errorWords(e) });
    }
    if (got === 0) break;
    n += got;
  }
  return n;
}

function specialKind(st: import('node:fs').Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** A file that could not be written, and where. */
export class WriteFailed extends Error {
  constructor(
    readonly path: string,
    override readonly cause: unknown,
  ) {
    super(`${path}: cannot write it (${errorWords(cause)})`);
  }
  get code(): string | undefined {
    return (this.cause as NodeJS.ErrnoException)?.code;
  }
}

/**
 * Make `dir` and the folders above it that are missing, one level at a time; returns the folders
 * made, the outermost first (for undoing). A file in the way, or a place where no folder can be
 * made (/proc), is an error of mkdir(2), never a loop.
 */
export function makeFolder(dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; !exists(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  const made: string[] = [];
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue; // made meanwhile by another process
      removeFolders(made);
      throw new WriteFailed(d, e);
    }
    made.push(d);
  }
  return made;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Folders this process made, emptied of nothing: removed innermost first, each only if empty. */
function removeFolders(made: readonly string[]): void {
  for (const d of [...made].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      /* not empty: something else is in it now */
    }
  }
}

/** A file to write: where, and its bytes. */
export interface FileToWrite {
  path: string;
  content: string | Buffer;
}

/**
 * Every file written, or none: each is written under a temporary name in its own folder (made
 * where missing, with `wx`: never through a link), then all are renamed into place. A failure
 * while writing removes the temporary files and the folders made, and throws WriteFailed naming
 * the file. `made`: folders already made for this write, removed with the rest on failure.
 */
export function writeFiles(files: readonly FileToWrite[], made: string[] = []): void {
  const temporary: { tmp: string; path: string }[] = [];
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  // a folder or link where a file goes would fail its rename after others are in place: refused first
  for (const f of files) {
    let plain = true;
    try {
      plain = lstatSync(f.path).isFile();
    } catch {
      /* not there: written */
    }
    if (!plain) {
      removeFolders(made);
      throw new WriteFailed(f.path, new Error('it exists and is not a plain file (a folder or a link)'));
    }
  }
  try {
    for (const f of files) {
      made.push(...makeFolder(dirname(f.path)));
      const tmp = join(dirname(f.path), `.${basename(f.path)}.${tag}.tmp`);
      try {
        writeFileSync(tmp, f.content, { flag: 'wx' });
      } catch (e) {
        // a partial file is removed below; a name that exists was never ours
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') temporary.push({ tmp, path: f.path });
        throw new WriteFailed(f.path, e);
      }
      temporary.push({ tmp, path: f.path });
    }
    for (const t of temporary.splice(0)) {
      try {
        renameSync(t.tmp, t.path);
      } catch (e) {
        temporary.push(t);
        throw new WriteFailed(t.path, e);
      }
    }
  } catch (e) {
    for (const t of temporary) {
      try {
        unlinkSync(t.tmp);
      } catch {
        /* gone already */
      }
    }
    removeFolders(made);
    throw e instanceof WriteFailed ? e : new WriteFailed(files[0]?.path ?? '?', e);
  }
}

/**
 * A folder of files, written whole or not at all (writeFiles). `unique`: the folder is a new one,
 * `dir` or, when that exists (another report in the same second), `dir-2`, `dir-3`, …, taken with
 * an exclusive mkdir, as run folders are. Returns the folder written.
 */
export function writeFolder(
  dir: string,
  files: readonly { name: string; content: string | Buffer }[],
  opts: { unique?: boolean } = {},
): string {
  const made = makeFolder(opts.unique ? dirname(dir) : dir);
  let folder = dir;
  if (opts.unique) {
    for (let i = 1; ; i++) {
      folder = i === 1 ? dir : `${dir}-${i}`;
      try {
        mkdirSync(folder);
        made.push(folder);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        removeFolders(made);
        throw new WriteFailed(folder, e);
      }
    }
  }
  writeFiles(
    files.map((f) => ({ path: join(folder, f.name), content: f.content })),
    made,
  );
  return folder;
}
