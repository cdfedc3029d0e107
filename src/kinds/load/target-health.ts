/**
 * A target that stops answering mid-scenario must not end as a quiet `complete`: each run whose
 * requests all failed, or that failed mostly on refused connections, gets a warning, and the
 * scenario ends with one that sums them up (docs/exit-codes.md: without thresholds, still exit 0).
 */
import type { RunSample } from './sample.js';

/** Connection errors that say nothing listens there, or the way there is gone. */
export const REFUSED_CODES = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN'] as const;

export function refusedOf(s: RunSample): number {
  return REFUSED_CODES.reduce((n, code) => n + (s.error_codes?.[code] ?? 0), 0);
}

const failures = (s: RunSample) => `errors ${s.errors}, timeouts ${s.timeouts}, non2xx ${s.non2xx}`;

/** The run's warning about the target, or null when it answered. */
export function targetWarning(s: RunSample): string | null {
  if (s.requested === 0) return null;
  const refused = refusedOf(s);
  const codes = REFUSED_CODES.filter((c) => s.error_codes?.[c]).join(', ');
  if (s.completed === 0) {
    return `target: all ${s.requested} requests failed (${failures(s)}${refused ? `; ${refused} refused: ${codes}` : ''}); is the target still up?`;
  }
  if (refused > 0 && refused * 2 > s.loss) {
    return `target: ${refused} of ${s.requested} requests were refused (${codes}); is the target still up?`;
  }
  return null;
}

/** One line for the end of a scenario, or null when every run was answered. */
export function targetSummary(name: string, samples: readonly RunSample[]): string | null {
  const hit = samples.filter((s) => targetWarning(s) !== null);
  if (!hit.length) return null;
  const first = hit[0];
  const dead = hit.filter((s) => s.completed === 0).length;
  return (
    `${name}: the target failed ${hit.length} of ${samples.length} runs, the first at level ${first.level} rep ${first.repetition} ` +
    `(${dead} with no request answered, ${hit.length - dead} mostly refused); their figures measure the failure, not the target`
  );
}
