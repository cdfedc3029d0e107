/**
 * Progress of a scenario: an ora spinner line on a terminal, plain log lines otherwise (CI, pipes),
 * always on stderr so that stdout keeps only the result (the run folder's path, or JSON).
 */
import ora, { type Ora } from 'ora';
import type { Io } from './io.js';

export interface Progress {
  /** a run starts: redraw the status line (terminal only) */
  running(text: string): void;
  /** a run finished: one line that stays */
  done(text: string): void;
  /** a message that stays, between runs */
  note(text: string): void;
  stop(): void;
}

export function createProgress(io: Io): Progress {
  if (!io.interactive) {
    return { running: () => {}, done: (t) => io.err(t), note: (t) => io.err(t), stop: () => {} };
  }
  let spinner: Ora | null = null;
  const ensure = () => (spinner ??= ora({ stream: process.stderr, discardStdin: false }).start());
  return {
    running: (t) => {
      ensure().text = t;
    },
    done: (t) => {
      if (spinner) spinner.clear();
      io.err(t);
      spinner?.render();
    },
    note: (t) => {
      if (spinner) spinner.clear();
      io.err(t);
      spinner?.render();
    },
    stop: () => {
      spinner?.stop();
      spinner = null;
    },
  };
}

/** `4m`, `1h 12m`, `35s`: remaining time as a person reads it. */
export function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.round(seconds / 60);
  return m < 60 ? `${m}m` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

/**
 * A figure as a person reads it: three significant figures, and never fewer digits than its whole
 * part has (`1126`, `77.8`, `1.5`, `0.0123`; not `1125.797` or `1.13e+3`).
 */
export function readable(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}

/** A time in ms as a person reads it: `77.8 ms`, `0.412 ms`, from a second on `1.23 s`. */
export function readableMs(ms: number): string {
  return Math.abs(ms) >= 1000 ? `${readable(ms / 1000)} s` : `${readable(ms)} ms`;
}
