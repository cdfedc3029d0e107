import { isAbsolute, relative, resolve } from 'node:path';

/** Where commands write. Injected so that whole-CLI tests run in-process and read what was printed. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** true when progress may be drawn in place (a terminal, and not CI) */
  interactive: boolean;
  debug: boolean;
}

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
