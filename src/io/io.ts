/**
 * Where lb-bench writes: stdout for results, stderr for progress, warnings and errors. Injected
 * into everything that prints, so that whole-CLI tests run in-process and read what was printed;
 * the command line binds it to the process (cli/io.ts).
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** true when progress may be drawn in place (a terminal, and not CI) */
  interactive: boolean;
  debug: boolean;
}
