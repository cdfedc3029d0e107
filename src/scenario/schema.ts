/**
 * The scenario file format (docs/scenarios.md): the fields every kind has, the building blocks of
 * the kinds' schemas, and the load kind's schema. Strict: an unknown key is an error, so a typo
 * never silently falls back to a default. Durations are turned into milliseconds.
 */
import { z } from 'zod';
import { CPU_SOURCE_NAMES } from '../cpu/registry.js';
import { MAX_DURATION_MS, MIN_POSITIVE_MS, parseDuration } from './duration.js';
import { ENGINE_NAMES } from '../load/engines/names.js';
import { timeoutSchema } from './timeout.js';

const durationOf = (positive: boolean) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: 'must be a duration such as 10s, 500ms or 2m', input: v });
      return z.NEVER;
    }
    if (positive && ms < MIN_POSITIVE_MS) {
      ctx.addIssue({ code: 'custom', message: ms <= 0 ? 'must be longer than 0' : 'must be at least 1ms', input: v });
      return z.NEVER;
    }
    if (ms > MAX_DURATION_MS) {
      ctx.addIssue({ code: 'custom', message: 'must be at most 1h', input: v });
      return z.NEVER;
    }
    return ms;
  });

/** a pause: 0 is allowed; every duration is at most MAX_DURATION_MS */
export const duration = durationOf(false);
/** a timeout, interval or bound: 0 would mean every request lost, or a probe loop that never yields */
export const positiveDuration = durationOf(true);

export const positiveInt = z
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .positive({ error: 'must be a positive integer' });

/** The longest scenario name: it names the run folder, beside a timestamp, and must fit a file name. */
export const MAX_NAME_LENGTH = 64;

/** A scenario's name; also what a name read back from a run folder must be before it is used in a file name. */
export const SLUG = /^[a-z0-9][a-z0-9._-]*$/;

const slug = z
  .string({ error: 'must be a string' })
  .regex(SLUG, { error: 'must be a slug: lower-case letters, digits, ".", "_" or "-"' })
  .max(MAX_NAME_LENGTH, { error: `must be at most ${MAX_NAME_LENGTH} characters (it names the run folder)` });

/** Free text that is stored in every run folder (titles, notes): bounded, so no file grows huge from it. */
export const text = (max: number) => z.string({ error: 'must be a string' }).max(max, { error: `must be at most ${max} characters` });
/** A label (balancer, algorithm) or a path. */
const label = text(64);
export const pathText = text(4096);

/** RFC 9110 field names are tokens: letters, digits and !#$%&'*+-.^_`|~. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field values: no control characters but tab (a CR or LF would end the header, and smuggle another). */
const HEADER_VALUE = /^[^\u0000-\u0008\u000a-\u001f\u007f]*$/;

/**
 * Headers that frame a request: the engines write them (a GET has no body; connections are kept
 * alive and counted). A user's Content-Length made the server wait for a body that never came, a
 * Transfer-Encoding for chunks, a Connection: close broke the engine's connections. Host may be set.
 */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

function noFramingHeaders(headers: Record<string, string>, ctx: z.RefinementCtx<Record<string, string>>): void {
  for (const name of Object.keys(headers)) {
    if (FRAMING_HEADERS.has(name.toLowerCase()))
      ctx.addIssue({ code: 'custom', path: [name], message: `lb-bench frames the requests itself; leave ${name} out` });
  }
}

export const headersSchema = z
  .record(
    z.string().regex(HEADER_NAME, { error: "header names must be HTTP tokens: letters, digits and !#$%&'*+-.^_`|~" }).max(256),
    z
      .string({ error: 'must be a string' })
      .regex(HEADER_VALUE, { error: 'must not hold control characters (CR, LF, NUL, …): they would end the header' })
      .max(8192, { error: 'must be at most 8192 characters' }),
    { error: 'must be a mapping of header names to values' },
  )
  .refine((h) => Object.keys(h).length <= 100, { error: 'at most 100 headers' })
  .superRefine(noFramingHeaders);

export const httpUrl = z
  .string({ error: 'must be a URL' })
  .max(2048, { error: 'must be at most 2048 characters' })
  .refine(
    (v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { error: 'must be an http:// or https:// URL' },
  )
  // the URL parser takes port 0, which no server listens on: every request would fail at run time
  .refine((v) => !URL.canParse(v) || new URL(v).port !== '0', { error: 'must name a port from 1 to 65535, not 0' });

const MAX_LEVELS = 1000;
/**
 * The most requests one run may send: the engine keeps each request's latency (8 bytes), so one
 * run stays under 100 MB; 4e12 overflowed its typed array (exit 70), 1e9 asked for 8 GB.
 */
export const MAX_LEVEL = 10_000_000;
/** The most repetitions: the plan holds every (level, repetition) pair (1e9 ran out of memory); the thesis used 30. */
export const MAX_REPETITIONS = 1000;
export const repetitionsSchema = positiveInt.max(MAX_REPETITIONS, { error: `must be at most ${MAX_REPETITIONS}` });
const levelSchema = positiveInt.max(MAX_LEVEL, { error: `must be at most ${MAX_LEVEL} requests per run` });

/** A host's name in an inventory. */
export const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A host a scenario names, as the inventory names it: it is printed in messages, so no control characters. */
export const hostName = z
  .string({ error: 'must be a host name of the inventory' })
  .regex(HOST_NAME, { error: 'must be a host name of the inventory (letters, digits, ".", "_" or "-", at most 64)' });

/** A level twice would run twice as often and be counted as one: load.repetitions is for that. */
function noDuplicateLevels(levels: number[], ctx: z.RefinementCtx<number[]>): void {
  const first = new Map<number, number>();
  let reported = 0;
  levels.forEach((level, i) => {
    const earlier = first.get(level);
    if (earlier === undefined) first.set(level, i);
    else if (reported++ < 10)
      ctx.addIssue({
        code: 'custom',
        path: [i],
        input: level,
        message: `a level given twice (also [${earlier}]); give each level once, load.repetitions repeats it`,
      });
  });
}

/** each worker is a Node process (about 60 MB before its sockets): more than this is a typo */
const MAX_WORKERS = 256;
const WARMUP = 'must be a number of requests: 0 for no warm-up';
const WORKERS = `must be 0 (the engine runs inside lb-bench), a number of worker processes up to ${MAX_WORKERS}, or "auto"`;

export const loadSchema = z
  .strictObject({
    levels: z
      .array(levelSchema, { error: 'must be a list of request counts' })
      .min(1, { error: 'needs at least one level' })
      .max(MAX_LEVELS, { error: `must be at most ${MAX_LEVELS} levels` })
      .superRefine(noDuplicateLevels),
    concurrency: z.union([z.literal('all'), positiveInt], { error: 'must be "all" or a positive integer' }).default('all'),
    repetitions: repetitionsSchema.default(30),
    /** per request: one duration, durations per level, or a multiple of the expected window (timeout.ts) */
    timeout: timeoutSchema,
    cooldown: duration.default(2_000),
    /** requests of one burst before the first run, left out of the figures (src/run/warmup.ts); absent: the smallest level, at most 1000 */
    warmup: z
      .number({ error: WARMUP })
      .int({ error: WARMUP })
      .min(0, { error: WARMUP })
      .max(MAX_LEVEL, { error: `must be at most ${MAX_LEVEL} requests` })
      .optional(),
    /** the load engine (src/load/engines/registry.ts); absent: the default, recorded in the manifest */
    engine: z.enum(ENGINE_NAMES, { error: `must be one of ${ENGINE_NAMES.join(', ')}` }).optional(),
    /** 0: the engine runs inside lb-bench; N: N worker processes share each run; auto: chosen per level */
    workers: z
      .union(
        [
          z.literal('auto', { error: WORKERS }),
          z.number({ error: WORKERS }).int({ error: WORKERS }).min(0, { error: WORKERS }).max(MAX_WORKERS, { error: WORKERS }),
        ],
        { error: WORKERS },
      )
      .default(0),
    /** generator hosts of the inventory: the workers run there, started over SSH (docs/scenarios.md) */
    generators: z
      .array(hostName, { error: 'must be a list of inventory hosts' })
      .min(1, { error: 'needs at least one host' })
      .max(64, { error: 'must be at most 64 hosts' })
      .refine((names) => new Set(names).size === names.length, { error: 'names a host twice' })
      .optional(),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE']).default('GET'),
    headers: headersSchema.default({}),
  })
  .superRefine((load, ctx) => {
    // its parser is never told that an answer to HEAD has no body: it waits for the Content-Length's bytes, and counts every request timed out
    if (load.engine === 'autocannon' && load.method === 'HEAD')
      ctx.addIssue({
        code: 'custom',
        path: ['method'],
        message:
          'HEAD: the autocannon engine waits for a body that never comes and counts every request lost; use engine: net (the default)',
        input: undefined,
      });
  });

export const backendSchema = z.strictObject({
  host: hostName,
  /** where its CPU figure comes from: a source of src/cpu/registry.ts */
  cpu: z
    .enum(CPU_SOURCE_NAMES, { error: `must be ${CPU_SOURCE_NAMES.slice(0, -1).join(', ')} or ${CPU_SOURCE_NAMES.at(-1)}` })
    .default('procstat'),
});

export const thresholdsSchema = z.strictObject({
  /** most requests a run may lose (every run, whatever `judge` says) */
  loss: z.number().min(0).optional(),
  /** least req/s a level must reach */
  rps_min: z.number().min(0).optional(),
  /** highest p99 latency a level may have, in ms */
  latency_p99_ms: z.number().min(0).optional(),
  /** failover: longest downtime the repetitions may have, in ms */
  downtime_ms: z.number().min(0).optional(),
  /**
   * `level` (the default): a level (failover: the repetitions) breaches when the 95 % CI of its mean
   * lies wholly beyond the threshold; `run`: every run (repetition) is judged on its own
   */
  judge: z.enum(['level', 'run'], { error: 'must be level or run' }).optional(),
});

/** One of a scenario's thresholds, judged over its runs by its kind's runner: a test case of `run --junit`. */
export interface ThresholdCheck {
  /** e.g. `loss ≤ 0` */
  threshold: string;
  /** what it was judged on, e.g. `15 runs` */
  judged: string;
  /** one line per run that breached it; none: it held */
  breaches: string[];
}

/** Published figures: metric → level (or "max") → value. */
export const referenceSchema = z.record(
  z.string(),
  z.union([z.number(), z.record(z.string().regex(/^(\d+|max|mean)$/, { error: 'must be a level or "max"' }), z.number())]),
);

export const common = {
  name: slug,
  title: text(200).optional(),
  balancer: label.default('none'),
  algorithm: label.optional(),
  inventory: pathText.optional(),
  target: httpUrl,
  backends: z.array(backendSchema).default([]),
  thresholds: thresholdsSchema.optional(),
  reference: referenceSchema.optional(),
  notes: text(4000).optional(),
  /** the system under test, as the user names it: compare shows a change of it beside the figures (results/system.ts) */
  system: z.strictObject({ version: text(200) }).optional(),
};

/** What every kind of scenario has: its name and labels, target, backends, thresholds and reference figures. */
export type ScenarioBase = z.output<z.ZodObject<typeof common>> & { kind: string };

/** A scenario named beside this file (`single`), or a path to one relative to it (`../base/single.yaml`). */
const RELATIVE_TO = 'must name a scenario beside this file (e.g. single) or a path to one ending in .yaml or .yml';
const relativeTo = pathText.refine((v) => SLUG.test(v) || /\.ya?ml$/.test(v), { error: RELATIVE_TO });

export const loadScenarioSchema = z.strictObject({
  ...common,
  kind: z.literal('load').default('load'),
  load: loadSchema,
  /** the reference scenario run in the same invocation, interleaved run by run: this one's figures also as ratios to it */
  relative_to: relativeTo.optional(),
});

export type LoadScenario = z.output<typeof loadScenarioSchema>;
export type LoadSettings = LoadScenario['load'];
/** The load kind's scenario (its runner's). */
export type Scenario = LoadScenario;
export type Reference = NonNullable<LoadScenario['reference']>;
export type Thresholds = NonNullable<LoadScenario['thresholds']>;
