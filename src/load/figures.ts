/**
 * What a load engine measures of a run that a load sample stores as it is (docs/results.md): the
 * latency percentiles, and each worker process's share. Their types are what these schemas give.
 */
import { z } from 'zod';
import { count, finite, nullableNumber, positiveInt } from '../results/manifest-schema.js';

export const latencySchema = z.object({ p50: nullableNumber, p90: nullableNumber, p99: nullableNumber, max: nullableNumber });
export type Latency = z.output<typeof latencySchema>;

/** One worker process's share of a run; times are relative to its own start signal. */
export const workerFiguresSchema = z.object({
  /** 1-based */
  worker: positiveInt,
  /** the generator host it ran on (`load.generators`); absent: this machine */
  host: z.string().optional(),
  /** its first request after the release (`go` to all workers), ms; estimated, see docs/results.md */
  start_ms: finite.optional(),
  /** its first request after the earliest worker's, ms */
  start_skew_ms: finite.optional(),
  /** the round trip of its `go` (to its `going`), ms: start_ms is uncertain by half of it */
  go_round_trip_ms: finite.optional(),
  requested: count,
  completed: count,
  errors: count,
  timeouts: count,
  non2xx: count,
  bytes: count,
  /** its first request written to its last outcome */
  duration_s: finite,
  connect_ms: nullableNumber,
  latency_ms: latencySchema,
  generator_cpu: finite,
  generator_block_max_ms: finite,
  generator_block_total_ms: finite,
  error_codes: z.record(z.string(), count).optional(),
});
export type WorkerFigures = z.output<typeof workerFiguresSchema>;
