/**
 * The load kind's run folders (docs/results.md): a line of samples.jsonl (one run: one level, one
 * repetition) and the scenario as a manifest keeps it, each checked by its schema when a folder is
 * read; their types are what these schemas give.
 */
import { z } from 'zod';
import { workerFiguresSchema, latencySchema, type WorkerFigures } from '../../load/figures.js';
import { count, finite, nullableNumber, positiveInt, storedCommon, strings } from '../../results/manifest-schema.js';
import type { StoredRunOf } from '../../results/types.js';

/** One backend's CPU over one run's load window, in % of its share (null: not measured). */
export const cpuFigureSchema = z.object({ mean: nullableNumber, peak: nullableNumber });
export type CpuFigure = z.output<typeof cpuFigureSchema>;

/** One run: one level, one repetition. Every request is one of completed, errors, timeouts, non2xx. */
export const runSampleSchema = z.object({
  level: positiveInt,
  /** 1-based */
  repetition: positiveInt,
  started_at: z.string(),
  ended_at: z.string(),
  requested: count,
  completed: count,
  loss: count,
  errors: count,
  timeouts: count,
  non2xx: count,
  /** bytes received, headers and body, of every response */
  bytes: count,
  duration_s: finite,
  rps: finite,
  throughput_mbps: finite,
  latency_ms: latencySchema,
  /** the generator's event-loop thread CPU, % of one core (with workers: their sum) */
  generator_cpu: finite,
  /** the request timeout this run had, ms (load.timeout at its level) */
  timeout_ms: finite.optional(),
  /** the generator, not the target, may have set these figures (README, Metrics) */
  generator_bound: z.boolean(),
  /** the generator's event loop over the send window: its longest block and all blocks, ms */
  generator_block_max_ms: finite.optional(),
  generator_block_total_ms: finite.optional(),
  /** the connect phase before the first request, ms; null for an engine that connects while sending */
  connect_ms: nullableNumber.optional(),
  /** per worker process (`load.workers`), each with its own exact accounting */
  workers: z.array(workerFiguresSchema).optional(),
  /** with workers: the largest of their start_skew_ms (null: not known for every worker) */
  start_skew_ms: nullableNumber.optional(),
  /** connection errors by code (ECONNRESET, closed-without-response, …) */
  error_codes: z.record(z.string(), count).optional(),
  /** per backend host, when the scenario samples backends */
  cpu: z.record(z.string(), cpuFigureSchema).optional(),
  /** things that went wrong in this run without stopping it */
  warnings: strings.optional(),
});

/** What a ratio to the reference needs of the reference's run paired with a sample. */
export interface PairedFigures {
  rps: number;
  /** the busy CPU of the reference's busiest backend (web1 for `single`), % of its share; null where not measured */
  cpu: number | null;
}

export type RunSample = z.output<typeof runSampleSchema> & {
  /**
   * The reference scenario's run at the same level and repetition, measured in the same invocation
   * (`relative_to`): attached when the folder is read, from its reference.jsonl; never a field of
   * a samples.jsonl line.
   */
  pair?: PairedFigures;
};

/**
 * The rules a load sample keeps (docs/metrics.md), beyond its shape; the first it breaks, in
 * words, or null: every request is one of completed, errors, timeouts and non2xx, and loss is
 * all but the completed.
 */
export function runSampleRule(s: RunSample | WorkerFigures): string | null {
  const lost = s.errors + s.timeouts + s.non2xx;
  if (s.completed > s.requested) return `completed ${s.completed} > requested ${s.requested}`;
  if ('loss' in s && s.loss !== lost) return `loss ${s.loss} ≠ errors + timeouts + non2xx = ${lost}`;
  if (s.completed + lost !== s.requested)
    return `completed + errors + timeouts + non2xx = ${s.completed + lost} ≠ requested ${s.requested}`;
  for (const w of ('workers' in s && s.workers) || []) {
    const broken = runSampleRule(w);
    if (broken) return `workers[${w.worker}]: ${broken}`;
  }
  return null;
}

/** A load scenario as its run folder keeps it (an old one may lack `kind`: the reader reads it as load). */
export const storedLoadScenarioSchema = z.looseObject({
  ...storedCommon,
  kind: z.literal('load'),
  load: z.looseObject({ levels: z.array(positiveInt).min(1), repetitions: positiveInt }),
  relative_to: z.string().optional(),
});
export type StoredLoadScenario = z.output<typeof storedLoadScenarioSchema>;

/** A load run as its folder is read back: the scenario as the reader checks it, one RunSample per line. */
export type LoadRun = StoredRunOf<StoredLoadScenario, RunSample>;
