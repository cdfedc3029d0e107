import { rmdirSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { displayPath } from '../util/paths.js';
import { inputError } from '../errors.js';
import { errorWords, makeFolder, WriteFailed } from '../io/files.js';
import type { Io } from '../io/io.js';

/** The benchmarks and tests name Io from here too. */
export type { Io } from '../io/io.js';

/** The first write to stdout that failed (a full disk, a reader gone), or null: said and exit 3 by the launcher. */
let stdoutFailed: Error | null = null;

/**
 * Why the result did not reach stdout, or null. Writes to a pipe are asynchronous (a slow reader
 * must not stop the command), so a failure may show only once everything was handed over: the
 * launcher (bin/lb-bench.js) asks here after stdout has drained, says it, and exits 3.
 */
export function outputFailure(): string | null {
  return stdoutFailed && `stdout: cannot write the result (${errorWords(stdoutFailed)})`;
}

const noteFailure = (e: Error | null | undefined) => {
  if (e) stdoutFailed ??= e;
};

/**
 * The command line's Io: the process's stdout and stderr. A result that cannot be written to
 * stdout is never lost unsaid (`schema > file` on a full disk exited 0 with nothing written): the
 * failure is kept for the launcher, which makes it exit 3; a message that cannot reach stderr has
 * nowhere else to go, and is dropped.
 */
export function processIo(debug = false): Io {
  process.stdout.on('error', noteFailure);
  process.stderr.on('error', () => {});
  return {
    out: (t) => {
      if (stdoutFailed) return; // said once, at the end
      process.stdout.write(t.endsWith('\n') ? t : t + '\n', noteFailure);
    },
    err: (t) => {
      process.stderr.write(t.endsWith('\n') ? t : t + '\n');
    },
    // a terminal of no width (a pty that reports 0 columns) sends ora's redraw into a tight loop
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI && (process.stderr.columns ?? 0) >= 20,
    debug,
  };
}

/**
 * A folder a command writes into (`--out`): exit 2 when it, or a folder above it, is a file, or
 * when nothing can be written there, before anything is sent or written (it was exit 3, "cannot
 * write (EEXIST)", after a run was measured).
 */
export function checkOutFolder(path: string, flag = '--out'): void {
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      if (statSync(p).isDirectory()) break;
    } catch {
      if (p === dirname(p)) break;
      continue; // not there yet: it is created
    }
    throw inputError(`${flag}: ${p === resolve(path) ? path : displayPath(p)} is a file; name a folder`);
  }
  checkWritable(path, flag);
}

/** An output file (`--junit FILE`): exit 2 when it is a folder, or cannot be written, before anything is sent. */
export function checkOutFile(path: string, flag: string): void {
  let st: Stats | null = null;
  try {
    st = statSync(path);
  } catch {
    /* not there yet: written at the end */
  }
  if (st?.isDirectory()) throw inputError(`${flag}: ${path} is a folder; name a file`, `e.g. ${flag} ${join(path, 'lb-bench.xml')}`);
  if (st && !st.isFile()) throw inputError(`${flag}: ${path} is not a plain file; name a file`);
  checkOutFolder(dirname(path), flag);
}

/**
 * Can files be made in `dir`? Tried for real: the folders are made, a file is written and removed,
 * and the folders made are removed again (a full or read-only disk, /proc, a folder not ours).
 */
function checkWritable(dir: string, flag: string): void {
  let made: string[] = [];
  const probe = join(dir, `.lb-bench-probe-${process.pid}`);
  try {
    made = makeFolder(dir);
    writeFileSync(probe, '', { flag: 'wx' });
    unlinkSync(probe);
  } catch (e) {
    const failed = e instanceof WriteFailed ? e : new WriteFailed(dir, e);
    throw inputError(
      `${flag}: cannot write into ${displayPath(failed.path)} (${errorWords(failed.cause)})`,
      'name a folder you can write to',
    );
  } finally {
    for (const d of made.reverse()) {
      try {
        rmdirSync(d);
      } catch {
        /* not empty: another process wrote there */
      }
    }
  }
}
