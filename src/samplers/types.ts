/**
 * A CPU sampler reads a host's counters with one remote command. Both kinds reduce to the same
 * pair, so utilisation is one formula: Δbusy / Δtotal × 100 (% of the host's share).
 */
import type { Host } from '../ssh/connection.js';

export interface Counters {
  /** CPU time used, in the sampler's unit (jiffies, or seconds) */
  busy: number;
  /** CPU time available over the same clock, in the same unit */
  total: number;
}

export interface Sampler {
  /** a POSIX sh command printing the counters; the wall clock, where needed, is read in it too */
  readonly command: string;
  /** throws an Error saying what is wrong with the output */
  parse(stdout: string): Counters;
}

export type SamplerFactory = (host: Host) => Sampler;

/** % of the share between two readings; null when no time passed (same tick). */
export function utilisation(a: Counters, b: Counters): number | null {
  const total = b.total - a.total;
  if (!(total > 0)) return null;
  return ((b.busy - a.busy) / total) * 100;
}

/** A path as one single-quoted sh word. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
