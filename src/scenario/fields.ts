/**
 * The scenario file format (docs/scenarios.md): the fields every kind has, and the building blocks
 * of the kinds' schemas (each kind's own is src/kinds/<kind>/scenario.ts). Strict: an unknown key is
 * an error, so a typo never silently falls back to a default. Durations are turned into milliseconds.
 */
import { z } from 'zod';
import { CPU_SOURCE_NAMES } from '../cpu/registry.js';
import { MAX_DURATION_MS, MIN_POSITIVE_MS, parseDuration } from './duration.js';

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

/** The most repetitions: the plan holds every (level, repetition) pair (1e9 ran out of memory); the thesis used 30. */
export const MAX_REPETITIONS = 1000;
export const repetitionsSchema = positiveInt.max(MAX_REPETITIONS, { error: `must be at most ${MAX_REPETITIONS}` });

/** A host's name in an inventory. */
export const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A host a scenario names, as the inventory names it: it is printed in messages, so no control characters. */
export const hostName = z
  .string({ error: 'must be a host name of the inventory' })
  .regex(HOST_NAME, { error: 'must be a host name of the inventory (letters, digits, ".", "_" or "-", at most 64)' });

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

/** Published figures, by metric and level. */
export type Reference = z.output<typeof referenceSchema>;
export type Thresholds = z.output<typeof thresholdsSchema>;
