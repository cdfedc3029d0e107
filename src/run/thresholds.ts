/** A scenario's `thresholds`: every breach of every run, listed after all runs are stored. */
import type { Thresholds } from '../scenario/schema.js';
import type { RunSample } from '../results/types.js';

export function thresholdBreaches(t: Thresholds | undefined, samples: readonly RunSample[]): string[] {
  if (!t) return [];
  const out: string[] = [];
  for (const s of samples) {
    const at = `level ${s.level} rep ${s.repetition}`;
    if (t.loss !== undefined && s.loss > t.loss) out.push(`${at}: loss ${s.loss} > ${t.loss}`);
    if (t.rps_min !== undefined && s.rps < t.rps_min) out.push(`${at}: rps ${s.rps} < ${t.rps_min}`);
    const p99 = s.latency_ms.p99;
    if (t.latency_p99_ms !== undefined && p99 !== null && p99 > t.latency_p99_ms)
      out.push(`${at}: latency p99 ${p99} ms > ${t.latency_p99_ms} ms`);
    // no completed request has no latency: a dead target must not pass a latency-only gate
    if (t.latency_p99_ms !== undefined && p99 === null) out.push(`${at}: latency p99 unknown, no request completed`);
  }
  return out;
}
