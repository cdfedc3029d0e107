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
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
    debug,
  };
}
