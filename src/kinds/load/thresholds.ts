/**
 * A load scenario's `thresholds`, judged after all runs are stored; one check per threshold, as
 * `run --junit` reports each as a test case (docs/scenarios.md, "Thresholds").
 *
 * `rps_min` and `latency_p99_ms` judge each level over its repetitions: a level breaches when the
 * 95 % confidence interval of its mean lies wholly beyond the threshold (stats/beyond.ts), so one
 * slow repetition of thirty does not fail a night, and a level that is slow in most of them does.
 * `judge: run` judges every run on its own instead. `loss` is a count over every run, whatever
 * `judge` says: a lost request is never noise to be averaged away. A run in which no request
 * completed has no latency, and breaches the latency threshold on its own (a dead target must not
 * pass a latency-only gate, nor lower its level's mean by being left out).
 */
import type { ThresholdCheck, Thresholds } from '../../scenario/fields.js';
import type { RunSample } from './sample.js';
import { beyondLimit, type Beyond } from '../../stats/beyond.js';

const at = (s: RunSample) => `level ${s.level} rep ${s.repetition}`;
const fmt = (v: number) => String(Number(v.toFixed(1)));

function byLevel(samples: readonly RunSample[]): [number, RunSample[]][] {
  const levels = new Map<number, RunSample[]>();
  for (const s of samples) levels.set(s.level, [...(levels.get(s.level) ?? []), s]);
  return [...levels.entries()].sort((a, b) => a[0] - b[0]);
}

/** `level 1000: latency p99 mean 305.2 ms (95 % CI 301–309.4 over 5 runs) > 150 ms` */
function levelBreach(level: number, what: string, b: Beyond, op: string, limit: number, unit: string): string {
  const over = b.ci_low === null || b.ci_high === null ? `${b.n} run` : `95 % CI ${fmt(b.ci_low)}–${fmt(b.ci_high)} over ${b.n} runs`;
  return `level ${level}: ${what} mean ${fmt(b.mean!)}${unit} (${over}) ${op} ${limit}${unit}`;
}

interface Judged {
  limit: number;
  what: string;
  unit: string;
  worse: 'above' | 'below';
  value(s: RunSample): number | null;
}

function judge(j: Judged, samples: readonly RunSample[], perRun: boolean): string[] {
  const op = j.worse === 'above' ? '>' : '<';
  const past = (v: number) => (j.worse === 'above' ? v > j.limit : v < j.limit);
  // no completed request: no latency, a breach of its own
  const unknown = samples.filter((s) => j.value(s) === null).map((s) => `${at(s)}: ${j.what} unknown, no request completed`);
  if (perRun)
    return [
      ...unknown,
      ...samples.flatMap((s) => {
        const v = j.value(s);
        return v !== null && past(v) ? [`${at(s)}: ${j.what} ${v}${j.unit} ${op} ${j.limit}${j.unit}`] : [];
      }),
    ];
  const levels = byLevel(samples).flatMap(([level, runs]) => {
    const b = beyondLimit(
      runs.map((s) => j.value(s)),
      j.limit,
      j.worse,
    );
    return b.beyond ? [levelBreach(level, j.what, b, op, j.limit, j.unit)] : [];
  });
  return [...unknown, ...levels];
}

export function thresholdChecks(t: Thresholds | undefined, samples: readonly RunSample[]): ThresholdCheck[] {
  if (!t) return [];
  const perRun = t.judge === 'run';
  const runs = `${samples.length} runs`;
  const levels = byLevel(samples).length;
  const judged = perRun ? `${runs}, each on its own` : `${levels} level${levels === 1 ? '' : 's'} over ${runs}: each level's mean, 95 % CI`;
  const checks: ThresholdCheck[] = [];
  if (t.loss !== undefined)
    checks.push({
      threshold: `loss ≤ ${t.loss}`,
      judged: runs,
      breaches: samples.filter((s) => s.loss > t.loss!).map((s) => `${at(s)}: loss ${s.loss} > ${t.loss}`),
    });
  if (t.rps_min !== undefined) {
    const rps: Judged = { limit: t.rps_min, what: 'rps', unit: '', worse: 'below', value: (s) => s.rps };
    checks.push({ threshold: `rps ≥ ${t.rps_min}`, judged, breaches: judge(rps, samples, perRun) });
  }
  if (t.latency_p99_ms !== undefined) {
    const p99: Judged = { limit: t.latency_p99_ms, what: 'latency p99', unit: ' ms', worse: 'above', value: (s) => s.latency_ms.p99 };
    checks.push({ threshold: `latency p99 ≤ ${t.latency_p99_ms} ms`, judged, breaches: judge(p99, samples, perRun) });
  }
  return checks;
}

/** Every breach, threshold by threshold. */
export function thresholdBreaches(t: Thresholds | undefined, samples: readonly RunSample[]): string[] {
  return thresholdChecks(t, samples).flatMap((c) => c.breaches);
}
