/**
 * SIGINT, SIGTERM or SIGHUP (a closed terminal) abort the work in flight through an AbortSignal, so
 * that what finished is kept; a second one quits at once (exit 130), marking open run folders
 * `interrupted`.
 */
import { ExitCode } from '../errors.js';
import type { Io } from '../io/io.js';
import { interruptOpenRuns } from '../results/store.js';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function interruptSignal(io: Io, messages: { first: string; second?: string }): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      if (messages.second) io.err(`lb-bench: ${messages.second}`);
      interruptOpenRuns();
      process.exit(ExitCode.interrupted);
    }
    io.err(`lb-bench: ${sig}: ${messages.first} (again to quit at once)`);
    controller.abort();
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
