/** A failover scenario's `thresholds` (docs/scenarios.md, "Thresholds"). Pure. */
import type { FailoverSample } from './sample.js';
import type { FailoverScenario } from './scenario.js';
import type { ThresholdCheck } from '../../scenario/fields.js';
import { beyondLimit } from '../../stats/beyond.js';

/**
 * thresholds.downtime_ms, per probe type: a repetition that never came back is a breach on its own;
 * the others are judged together, a breach when the 95 % CI of their mean downtime lies wholly
 * above the limit (stats/beyond.ts), or each on its own with `judge: run`.
 */
export function thresholdChecks(s: FailoverScenario, samples: readonly FailoverSample[]): ThresholdCheck[] {
  const limit = s.thresholds?.downtime_ms;
  if (limit === undefined) return [];
  const perRun = s.thresholds?.judge === 'run';
  const out: string[] = [];
  const types = [...new Set(samples.flatMap((x) => Object.keys(x.downtime_ms) as (keyof FailoverSample['downtime_ms'])[]))];
  for (const type of types) {
    const measured: number[] = [];
    for (const x of samples) {
      const v = x.downtime_ms[type];
      if (v === undefined) continue;
      if (v === null) out.push(`repetition ${x.repetition}: ${type} never came back (downtime_ms ≤ ${limit})`);
      else if (perRun && v > limit) out.push(`repetition ${x.repetition}: ${type} downtime ${v} ms > ${limit} ms`);
      else measured.push(v);
    }
    const b = perRun ? null : beyondLimit(measured, limit, 'above');
    if (b?.beyond) {
      const over = b.ci_low === null ? '1 repetition' : `95 % CI ${b.ci_low.toFixed(1)}–${b.ci_high!.toFixed(1)} over ${b.n} repetitions`;
      out.push(`${type} downtime mean ${b.mean!.toFixed(1)} ms (${over}) > ${limit} ms`);
    }
  }
  const judged = perRun ? `${samples.length} repetitions, each on its own` : `${samples.length} repetitions: their mean, 95 % CI`;
  return [{ threshold: `downtime_ms ≤ ${limit}`, judged, breaches: out }];
}
