/** The metrics of one run (docs/metrics.md), from what the load engine counted. */
import type { LoadOutcome } from '../../load/engine-types.js';
import type { CpuFigure, RunSample } from './sample.js';
import type { WorkerFigures } from '../../load/figures.js';

/** A generator above this share of a core is the bottleneck, not the target. */
export const GENERATOR_BOUND_PCT = 90;
/**
 * An answer that arrives while the generator's loop is blocked is read when the block ends, so
 * its latency grows by up to the block. The longest block is mostly the burst's own write pass
 * (every request written before any answer is read, as a C client does). Where it reaches a
 * quarter of the median latency, the answers it delays can be overstated by a quarter or more,
 * beyond the 10–20 % that repetitions of a burst vary by; the generator, not the target, then
 * shapes the figures (as it does in a burst against a local Nginx on loopback: docs/performance.md).
 */
export const GENERATOR_BLOCK_SHARE = 0.25;

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

/** A CPU share over a shorter window is a few clock ticks, not a figure (a target that refused every connection at once). */
const SHORTEST_CPU_WINDOW_S = 0.05;

type BoundFigures = Pick<RunSample, 'generator_cpu' | 'generator_block_max_ms' | 'latency_ms' | 'workers' | 'completed' | 'duration_s'>;

/** Why the generator, not the target, may have set a run's figures; null when it did not. */
export function generatorBoundReason(s: BoundFigures): string | null {
  // nothing answered: the run measured the target's failure, whatever the generator did
  if (s.completed === 0 || s.duration_s < SHORTEST_CPU_WINDOW_S) return null;
  // CPU per process: each worker is its own event loop, on its own core if there is one
  const cpu = s.workers?.length ? Math.max(...s.workers.map((w) => w.generator_cpu)) : s.generator_cpu;
  if (cpu >= GENERATOR_BOUND_PCT) return `${round(cpu, 1)} % CPU`;
  const block = s.generator_block_max_ms ?? 0;
  const p50 = s.latency_ms.p50;
  if (p50 !== null && block > 0 && block >= GENERATOR_BLOCK_SHARE * p50)
    return `its event loop blocked ${round(block, 1)} ms, median latency ${round(p50, 1)} ms`;
  return null;
}

const workerFigures = (w: WorkerFigures): WorkerFigures => ({
  ...w,
  ...(w.start_ms === undefined ? {} : { start_ms: round(w.start_ms, 2) }),
  ...(w.start_skew_ms === undefined ? {} : { start_skew_ms: round(w.start_skew_ms, 2) }),
  ...(w.go_round_trip_ms === undefined ? {} : { go_round_trip_ms: round(w.go_round_trip_ms, 2) }),
  duration_s: round(w.duration_s, 6),
  connect_ms: w.connect_ms === null ? null : round(w.connect_ms, 1),
  generator_cpu: round(w.generator_cpu, 1),
  generator_block_max_ms: round(w.generator_block_max_ms, 1),
  generator_block_total_ms: round(w.generator_block_total_ms, 1),
});

export function toSample(
  level: number,
  repetition: number,
  o: LoadOutcome,
  cpu?: Record<string, CpuFigure>,
  warnings: string[] = [],
): RunSample {
  // rates from the duration as stored, so that rps = completed / duration_s holds in the file too
  // (a 10 ms burst would otherwise differ by more than rps's own rounding)
  const d = round(o.duration_s, 6);
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
    duration_s: d,
    rps: d > 0 ? round(o.completed / d) : 0,
    throughput_mbps: d > 0 ? round(o.bytes / d / 1e6, 6) : 0,
    latency_ms: o.latency_ms,
    generator_cpu: round(o.generator_cpu, 1),
    generator_bound: false,
    generator_block_max_ms: round(o.generator_block_max_ms, 1),
    generator_block_total_ms: round(o.generator_block_total_ms, 1),
    connect_ms: o.connect_ms === null ? null : round(o.connect_ms, 1),
  };
  if (o.workers) sample.workers = o.workers.map(workerFigures);
  if (o.workers && o.start_skew_ms !== undefined) sample.start_skew_ms = o.start_skew_ms === null ? null : round(o.start_skew_ms, 2);
  sample.generator_bound = generatorBoundReason(sample) !== null;
  if (Object.keys(o.errorCodes).length) sample.error_codes = o.errorCodes;
  if (cpu) sample.cpu = cpu;
  const all = [...o.anomalies.map((a) => `accounting: ${a}`), ...warnings];
  if (all.length) sample.warnings = all;
  return sample;
}
