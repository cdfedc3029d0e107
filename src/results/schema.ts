/**
 * What a stored run folder must hold to be read (docs/results.md): manifest.json and each line
 * of samples.jsonl are checked like scenario files, so that a damaged or hand-edited file is one
 * clear line naming the file and field (exit 2), never a crash in a report.
 *
 * Samples are checked whole; the types in types.ts must stay what these schemas give (checked at
 * compile time below). The manifest is checked whole too, but its `scenario` only for what the
 * readers use (name, kind, labels, levels, probes, …): a run folder keeps loading when the
 * scenario format gains rules that older runs did not follow. Unknown fields of a manifest are
 * kept, so that a resume never drops what a newer or older version wrote. Each kind names its
 * sample and stored scenario schemas (src/kinds); the reader picks them by the manifest's kind.
 */
import { z } from 'zod';
import { PROBE_TYPES } from '../kinds/failover/scenario.js';
import type { FailoverSample, Preflight, RunSample, Warmup, WorkerFigures } from './types.js';

const count = z.number().int().min(0);
const positiveInt = z.number().int().positive();
const finite = z.number();
const nullableNumber = z.number().nullable();
const strings = z.array(z.string());

const latencySchema = z.object({ p50: nullableNumber, p90: nullableNumber, p99: nullableNumber, max: nullableNumber });
const cpuFigureSchema = z.object({ mean: nullableNumber, peak: nullableNumber });

const workerFiguresSchema = z.object({
  worker: positiveInt,
  host: z.string().optional(),
  start_ms: finite.optional(),
  start_skew_ms: finite.optional(),
  go_round_trip_ms: finite.optional(),
  requested: count,
  completed: count,
  errors: count,
  timeouts: count,
  non2xx: count,
  bytes: count,
  duration_s: finite,
  connect_ms: nullableNumber,
  latency_ms: latencySchema,
  generator_cpu: finite,
  generator_block_max_ms: finite,
  generator_block_total_ms: finite,
  error_codes: z.record(z.string(), count).optional(),
});

export const runSampleSchema = z.object({
  level: positiveInt,
  repetition: positiveInt,
  started_at: z.string(),
  ended_at: z.string(),
  requested: count,
  completed: count,
  loss: count,
  errors: count,
  timeouts: count,
  non2xx: count,
  bytes: count,
  duration_s: finite,
  rps: finite,
  throughput_mbps: finite,
  latency_ms: latencySchema,
  generator_cpu: finite,
  timeout_ms: finite.optional(),
  generator_bound: z.boolean(),
  generator_block_max_ms: finite.optional(),
  generator_block_total_ms: finite.optional(),
  connect_ms: nullableNumber.optional(),
  workers: z.array(workerFiguresSchema).optional(),
  start_skew_ms: nullableNumber.optional(),
  error_codes: z.record(z.string(), count).optional(),
  cpu: z.record(z.string(), cpuFigureSchema).optional(),
  warnings: strings.optional(),
});

/**
 * The rules a load sample keeps (docs/metrics.md), beyond its shape; the first it breaks, in
 * words, or null: every request is one of completed, errors, timeouts and non2xx, and loss is
 * all but the completed.
 */
export function runSampleRule(s: RunSample | WorkerFigures): string | null {
  const lost = s.errors + s.timeouts + s.non2xx;
  if (s.completed > s.requested) return `completed ${s.completed} > requested ${s.requested}`;
  if ('loss' in s && s.loss !== lost) return `loss ${s.loss} ≠ errors + timeouts + non2xx = ${lost}`;
  if (s.completed + lost !== s.requested) return `completed + errors + timeouts + non2xx = ${s.completed + lost} ≠ requested ${s.requested}`;
  for (const w of ('workers' in s && s.workers) || []) {
    const broken = runSampleRule(w);
    if (broken) return `workers[${w.worker}]: ${broken}`;
  }
  return null;
}

/** The rules a failover sample keeps (docs/metrics.md); the first it breaks, in words, or null. */
export function failoverSampleRule(s: FailoverSample): string | null {
  for (const [type, p] of Object.entries(s.probes)) if (p && p.ok > p.sent) return `probes.${type}: ok ${p.ok} > sent ${p.sent}`;
  for (const [type, a] of Object.entries(s.availability)) if (a !== null && a !== undefined && a > 100) return `availability.${type}: ${a} > 100 %`;
  if (s.requests_lost !== undefined && s.requests_sent !== undefined && s.requests_lost > s.requests_sent)
    return `requests_lost ${s.requests_lost} > requests_sent ${s.requests_sent}`;
  return null;
}

const perProbe = <T extends z.ZodType>(value: T) => z.partialRecord(z.enum(PROBE_TYPES), value);

export const failoverSampleSchema = z.object({
  repetition: positiveInt,
  started_at: z.string(),
  ended_at: z.string(),
  injected_at: z.string(),
  recovered_at: z.string().nullable(),
  downtime_ms: perProbe(nullableNumber),
  failback_downtime_ms: perProbe(nullableNumber),
  availability: perProbe(nullableNumber),
  window_ms: finite,
  probes: perProbe(z.object({ sent: count, ok: count })),
  requests_sent: count.optional(),
  requests_lost: count.optional(),
  recovered: z.boolean(),
  failed_back: z.boolean(),
  holder_after_failover: strings.optional(),
  holder_after_failback: strings.optional(),
  warnings: strings.optional(),
});

/** The request sent before the first run, to see that the target is there (docs/results.md). */
export const preflightSchema = z.object({ status: z.number().int(), bytes: count, time_ms: finite });
export const warmupSchema = z.object({
  started_at: z.string(),
  requested: count,
  completed: count,
  loss: count,
  bytes: count,
  duration_s: finite,
  rps: finite,
  connect_ms: finite.nullable(),
});

const reference = z.record(z.string(), z.union([z.number(), z.record(z.string(), z.number())]));

/** The scenario as a manifest records it: what report, compare and reproduce read of it. */
const storedCommon = {
  name: z.string().min(1),
  title: z.string().optional(),
  balancer: z.string().optional(),
  algorithm: z.string().optional(),
  target: z.string(),
  backends: z.array(z.looseObject({ host: z.string() })).default([]),
  reference: reference.optional(),
};

/** A load scenario as its run folder keeps it (an old one may lack `kind`: the reader reads it as load). */
export const storedLoadScenarioSchema = z.looseObject({
  ...storedCommon,
  kind: z.literal('load'),
  load: z.looseObject({ levels: z.array(positiveInt).min(1), repetitions: positiveInt }),
  relative_to: z.string().optional(),
});
export type StoredLoadScenario = z.output<typeof storedLoadScenarioSchema>;

export const storedFailoverScenarioSchema = z.looseObject({
  ...storedCommon,
  kind: z.literal('failover'),
  repetitions: positiveInt,
  probe: z.array(z.looseObject({ type: z.enum(PROBE_TYPES) })).min(1),
  fault: z.looseObject({ host: z.string(), lab: z.string().optional(), inject: z.union([z.string(), z.looseObject({ local: z.string() })]).optional() }),
});
export type StoredFailoverScenario = z.output<typeof storedFailoverScenarioSchema>;

/** The lab's calibration, as a manifest of a run on the calibrated lab carries it (docs/results.md). */
export const calibrationSchema = z.looseObject({
  web_cpus: z.number().positive(),
  target_rps: z.number().positive(),
  measured_rps: z.number().min(0),
  headroom: z.looseObject({ balancer_pct: finite, generator_pct: finite }),
  machine: z.looseObject({
    cpu_model: z.string(),
    cpus: positiveInt,
    kernel: z.string(),
    haproxy: z.string().nullable(),
    nginx: z.string().nullable(),
    apache: z.string().nullable(),
  }),
  at: z.string(),
  lab_web_cpus: z.number().positive().optional(),
});

export const fingerprintSchema = z.looseObject({
  id: z.string(),
  cpu_model: z.string(),
  cpus: count,
  memory_gb: finite,
  kernel: z.string(),
  /** written before the system under test was told apart from the machine; read, and left out of the fingerprint */
  servers: z.record(z.string(), z.string()).nullable().optional(),
  engine: z.string().nullable(),
  calibration: z.looseObject({ web_cpus: finite, target_rps: finite }).nullable(),
});

/** What a run measured (system.ts): the servers' versions, the lab's configs, the declared version. */
export const systemSchema = z.looseObject({
  servers: z.record(z.string(), z.string()).nullable(),
  lab_configs: z.string().nullable(),
  version: z.string().nullable(),
});

/**
 * A `format` that is not 1: a number above 1 is a newer lb-bench's; anything else (none, a string)
 * is not lb-bench's at all, and is not blamed on a newer version.
 */
export function formatError(input: unknown, newer: string): string {
  if (input === undefined) return 'is required (1); this was not written by lb-bench, or was edited';
  return typeof input === 'number' && Number.isInteger(input) && input > 1 ? `must be 1: ${newer}` : 'must be 1';
}

/** manifest.json but its `scenario`, which is checked by its kind's schema. */
export const manifestBaseSchema = z.looseObject({
  format: z.literal(1, { error: (i) => formatError(i.input, 'this run folder was written by a newer lb-bench') }),
  id: z.string().min(1),
  tool: z.looseObject({ name: z.string(), version: z.string() }),
  node: z.string(),
  os: z.looseObject({ platform: z.string(), release: z.string(), kernel: z.string(), arch: z.string() }),
  host: z.looseObject({ hostname: z.string(), cpus: count, cpu_model: z.string(), memory_gb: finite }),
  scenario_file: z.string(),
  scenario_hash: z.string(),
  profile: z.string().nullable(),
  overrides: z.looseObject({ repetitions: positiveInt.optional(), levels: z.array(positiveInt).optional() }),
  servers: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  calibration: calibrationSchema.optional(),
  fingerprint: fingerprintSchema.optional(),
  system: systemSchema.optional(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  status: z.enum(['running', 'complete', 'interrupted', 'failed']),
  planned_runs: count,
  warnings: strings,
  preflight: preflightSchema.optional(),
  warmup: warmupSchema.optional(),
  resumes: z
    .array(z.looseObject({ started_at: z.string(), preflight: preflightSchema.optional(), warmup: warmupSchema.optional() }))
    .optional(),
  interleaved: z.array(z.string().min(1)).optional(),
  relative_to: z.looseObject({ scenario: z.string(), run: z.string() }).optional(),
});

/** Messages that say what a field must be, as the scenario schema's do. */
export function issueText(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  const a = { object: 'an object', array: 'a list', number: 'a number', string: 'a string', boolean: 'true or false', int: 'an integer' }[issue.expected as string];
  return a ? `must be ${a}` : undefined;
}

// The sample types of types.ts and the schemas above must agree: this fails to compile otherwise.
// Required<> too, so that an optional field missing from a schema (and so dropped on reading) is caught.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([Required<A>] extends [Required<B>] ? ([Required<B>] extends [Required<A>] ? true : false) : false) : false) : false;
type Assert<T extends true> = T;
export type SchemasMatchTypes = [
  // `pair` is attached when a folder is read (from reference.jsonl), never stored in a sample's line
  Assert<Same<z.output<typeof runSampleSchema>, Omit<RunSample, 'pair'>>>,
  Assert<Same<z.output<typeof failoverSampleSchema>, FailoverSample>>,
  Assert<Same<z.output<typeof preflightSchema>, Preflight>>,
  Assert<Same<z.output<typeof warmupSchema>, Warmup>>,
  Assert<Same<z.output<typeof workerFiguresSchema>, WorkerFigures>>,
];
