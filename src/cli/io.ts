import { statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { inputError } from '../errors.js';
import type { Io } from '../io/io.js';

/** The benchmarks and tests name Io from here too. */
export type { Io } from '../io/io.js';

/** The command line's Io: the process's stdout and stderr. */
export function processIo(debug = false): Io {
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    // a terminal of no width (a pty that reports 0 columns) sends ora's redraw into a tight loop
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI && (process.stderr.columns ?? 0) >= 20,
    debug,
  };
}

/** A path as a user types it next: relative below the working folder, absolute elsewhere. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : resolve(path);
}

/**
 * A folder a command writes into (`--out`): exit 2 when it, or a folder above it, is a file, before
 * anything is sent or written (it was exit 3, "cannot write (EEXIST)", after a run was measured).
 */
export function checkOutFolder(path: string | undefined, flag = '--out'): void {
  if (path === undefined) return;
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      if (statSync(p).isDirectory()) return;
    } catch {
      if (p === dirname(p)) return;
      continue; // not there yet: it is created
    }
    throw inputError(`${flag}: ${p === resolve(path) ? path : displayPath(p)} is a file; name a folder`);
  }
}
