/**
 * A scenario's `thresholds`: every breach of every run, listed after all runs are stored; one
 * check per threshold, as `run --junit` reports each as a test case.
 */
import type { ThresholdCheck, Thresholds } from '../scenario/schema.js';
import type { RunSample } from '../results/types.js';

const at = (s: RunSample) => `level ${s.level} rep ${s.repetition}`;

export function thresholdChecks(t: Thresholds | undefined, samples: readonly RunSample[]): ThresholdCheck[] {
  if (!t) return [];
  const judged = `${samples.length} runs`;
  const checks: ThresholdCheck[] = [];
  if (t.loss !== undefined)
    checks.push({
      threshold: `loss ≤ ${t.loss}`,
      judged,
      breaches: samples.filter((s) => s.loss > t.loss!).map((s) => `${at(s)}: loss ${s.loss} > ${t.loss}`),
    });
  if (t.rps_min !== undefined)
    checks.push({
      threshold: `rps ≥ ${t.rps_min}`,
      judged,
      breaches: samples.filter((s) => s.rps < t.rps_min!).map((s) => `${at(s)}: rps ${s.rps} < ${t.rps_min}`),
    });
  if (t.latency_p99_ms !== undefined) {
    const limit = t.latency_p99_ms;
    const breaches = samples.flatMap((s) => {
      const p99 = s.latency_ms.p99;
      // no completed request has no latency: a dead target must not pass a latency-only gate
      if (p99 === null) return [`${at(s)}: latency p99 unknown, no request completed`];
      return p99 > limit ? [`${at(s)}: latency p99 ${p99} ms > ${limit} ms`] : [];
    });
    checks.push({ threshold: `latency p99 ≤ ${limit} ms`, judged, breaches });
  }
  return checks;
}

/** Every breach, threshold by threshold. */
export function thresholdBreaches(t: Thresholds | undefined, samples: readonly RunSample[]): string[] {
  return thresholdChecks(t, samples).flatMap((c) => c.breaches);
}
