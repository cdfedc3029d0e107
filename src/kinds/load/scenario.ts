/**
 * `kind: load` scenarios (the default; docs/scenarios.md): requests sent at each level, repetition
 * after repetition. Strict, like every kind's schema: an unknown key is an error. Durations become
 * milliseconds.
 */
import { z } from 'zod';
import { ENGINE_NAMES } from '../../load/engines/names.js';
import { common, duration, hostName, pathText, positiveInt, repetitionsSchema, SLUG } from '../../scenario/fields.js';
import { timeoutSchema } from './timeout.js';

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

const MAX_LEVELS = 1000;
/**
 * The most requests one run may send: the engine keeps each request's latency (8 bytes), so one
 * run stays under 100 MB; 4e12 overflowed its typed array (exit 70), 1e9 asked for 8 GB.
 */
export const MAX_LEVEL = 10_000_000;
const levelSchema = positiveInt.max(MAX_LEVEL, { error: `must be at most ${MAX_LEVEL} requests per run` });

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
    /** requests of one burst before the first run, left out of the figures (warmup.ts); absent: the smallest level, at most 1000 */
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
