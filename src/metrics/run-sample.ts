/** The metrics of one run (docs/metrics.md), from what the load engine counted. */
import type { LoadOutcome } from '../load/engine.js';
import type { CpuFigure, RunSample } from '../results/types.js';

/** A generator above this share of a core is the bottleneck, not the target. */
export const GENERATOR_BOUND_PCT = 90;

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

export function toSample(level: number, repetition: number, o: LoadOutcome, cpu?: Record<string, CpuFigure>, warnings: string[] = []): RunSample {
  const d = o.duration_s;
  const sample: RunSample = {
    level,
    repetition,
    started_at: o.started_at.toISOString(),
    ended_at: o.ended_at.toISOString(),
    requested: o.requested,
    completed: o.completed,
    loss: o.requested - o.completed,
    errors: o.errors,
    timeouts: o.timeouts,
    non2xx: o.non2xx,
    bytes: o.bytes,
    duration_s: round(d, 6),
    rps: d > 0 ? round(o.completed / d) : 0,
    throughput_mbps: d > 0 ? round(o.bytes / d / 1e6, 6) : 0,
    latency_ms: o.latency_ms,
    generator_cpu: round(o.generator_cpu, 1),
    generator_bound: o.generator_cpu >= GENERATOR_BOUND_PCT,
  };
  if (Object.keys(o.errorCodes).length) sample.error_codes = o.errorCodes;
  if (cpu) sample.cpu = cpu;
  const all = [...o.anomalies.map((a) => `accounting: ${a}`), ...warnings];
  if (all.length) sample.warnings = all;
  return sample;
}
