/**
 * What a stored run folder must hold to be read (docs/results.md): manifest.json and each line
 * of samples.jsonl are checked like scenario files, so that a damaged or hand-edited file is one
 * clear line naming the file and field (exit 2), never a crash in a report.
 *
 * Samples are checked whole, by their kind's schema (src/kinds/<kind>/sample.ts), whose output
 * is their type. The manifest is checked whole too, but its `scenario` only for what the
 * readers use (name, kind, labels, levels, probes, …): a run folder keeps loading when the
 * scenario format gains rules that older runs did not follow. Unknown fields of a manifest are
 * kept, so that a resume never drops what a newer or older version wrote. Each kind names its
 * sample and stored scenario schemas (src/kinds); the reader picks them by the manifest's kind.
 */
import { z } from 'zod';

/** The fields' building blocks, shared with the kinds' sample schemas. */
export const count = z.number().int().min(0);
export const positiveInt = z.number().int().positive();
export const finite = z.number();
export const nullableNumber = z.number().nullable();
export const strings = z.array(z.string());

/** The request sent before the first run, to see that the target is there (docs/results.md). */
export const preflightSchema = z.object({
  status: z.number().int(),
  /** bytes received, headers and body, as a sample's `bytes` */
  bytes: count,
  time_ms: finite,
});
/** The warm-up burst of an invocation (`load.warmup`): sent before its first run, in no sample's figures. */
export const warmupSchema = z.object({
  started_at: z.string(),
  requested: count,
  completed: count,
  loss: count,
  /** bytes received, headers and body, as a sample counts them */
  bytes: count,
  duration_s: finite,
  rps: finite,
  connect_ms: finite.nullable(),
});

const reference = z.record(z.string(), z.union([z.number(), z.record(z.string(), z.number())]));

/** The scenario as a manifest records it, what every kind has: what report, compare and reproduce read of it. */
export const storedCommon = {
  name: z.string().min(1),
  title: z.string().optional(),
  balancer: z.string().optional(),
  algorithm: z.string().optional(),
  target: z.string(),
  backends: z.array(z.looseObject({ host: z.string() })).default([]),
  reference: reference.optional(),
};

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
