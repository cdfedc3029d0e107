/** Durations in scenario files: `10s`, `500ms`, `1.5s`, `2m`, or a bare number of milliseconds. */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/;

/**
 * The longest duration a scenario may give (a timeout, interval, bound or pause). Node's timers
 * overflow above 2^31 - 1 ms (24.8 days) and then fire at once; nothing lb-bench waits for
 * needs more than an hour.
 */
export const MAX_DURATION_MS = 3_600_000;

/**
 * The shortest timeout, interval or bound: a request or probe cannot be sent, answered and timed
 * in less (0.5ms made every request an error blamed on the target).
 */
export const MIN_POSITIVE_MS = 1;

/** Milliseconds, or null when the text is not a duration. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  const m = PATTERN.exec(value);
  if (!m) return null;
  return Number(m[1]) * UNITS[m[2]];
}
