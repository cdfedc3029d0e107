/**
 * `load.timeout`: how long a request may take before it counts as lost. Three forms
 * (docs/scenarios.md):
 *
 *   timeout: 10s                       the same at every level (the default, as the thesis ran it)
 *   timeout: { 1000: 10s, 10000: 30s } per level: a level takes the entry of the largest level
 *                                      named at or below it (below the smallest: the smallest's)
 *   timeout: { window: 3 }             3 × the level's expected window, within `min` (default
 *                                      10s) and `max` (default 5m)
 *
 * The expected window of a level is level ÷ rps, with rps the slowest run of this scenario so far
 * (its folder's runs, resumed ones included). That is what this target did on this machine in
 * this invocation, and the slowest of it, so the bound errs long; before the first run there is
 * nothing measured and the timeout is `min`. `max` keeps a target that has nearly stopped
 * answering (a run of a few req/s) from stretching the next runs' timeouts to an hour. Pure.
 */
import { z } from 'zod';
import { isPlainObject } from '../../util/objects.js';
import { MAX_DURATION_MS, MIN_POSITIVE_MS, parseDuration } from '../../scenario/duration.js';

/** What a scenario holds after checking: ms; level → ms; or the window form. */
export type Timeout = number | WindowTimeout | Record<string, number>;
export interface WindowTimeout {
  window: number;
  min: number;
  max: number;
}

const FORMS = 'must be a duration (10s), durations per level ({ 1000: 10s, 10000: 30s }) or { window: 3 }';
const DEFAULT_MIN_MS = 10_000;
const DEFAULT_MAX_MS = 300_000;
const MAX_WINDOW = 100;

/** A duration ≥ 1 ms and ≤ 1 h, in ms, or why not. */
export function positiveMs(v: unknown): number | string {
  const ms = typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : null;
  if (ms === null) return 'must be a duration such as 10s, 500ms or 2m';
  if (ms <= 0) return 'must be longer than 0';
  if (ms < MIN_POSITIVE_MS) return 'must be at least 1ms';
  if (ms > MAX_DURATION_MS) return 'must be at most 1h';
  return ms;
}

type Ctx = z.RefinementCtx<unknown>;
const problem = (ctx: Ctx, path: PropertyKey[], message: string, input: unknown) =>
  ctx.addIssue({ code: 'custom', path: path as (string | number)[], message, input });

function windowForm(v: Record<string, unknown>, ctx: Ctx): Timeout {
  for (const k of Object.keys(v))
    if (!['window', 'min', 'max'].includes(k)) problem(ctx, [k], 'unknown field; the window form has `window`, `min` and `max`', v[k]);
  const w = v.window;
  if (typeof w !== 'number' || !(w > 0) || w > MAX_WINDOW)
    problem(ctx, ['window'], `must be a number above 0 and at most ${MAX_WINDOW} (times the expected window)`, w);
  const bound = (key: 'min' | 'max', fallback: number) => {
    const ms = v[key] === undefined ? fallback : positiveMs(v[key]);
    if (typeof ms === 'string') problem(ctx, [key], ms, v[key]);
    return Number(ms);
  };
  const min = bound('min', DEFAULT_MIN_MS);
  const max = bound('max', Math.max(DEFAULT_MAX_MS, min));
  if (max < min) problem(ctx, ['max'], `must not be below min (${min} ms)`, v.max);
  return { window: Number(w), min, max };
}

function perLevel(v: Record<string, unknown>, ctx: Ctx): Timeout {
  const out: Record<string, number> = {};
  const keys = Object.keys(v);
  if (!keys.length) problem(ctx, [], 'must name at least one level, e.g. { 1000: 10s, 10000: 30s }', v);
  for (const k of keys) {
    if (!/^[1-9]\d{0,8}$/.test(k)) {
      problem(ctx, [k], 'must be a level (a request count), e.g. { 1000: 10s, 10000: 30s }, or { window: N }', v[k]);
      continue;
    }
    const ms = positiveMs(v[k]);
    if (typeof ms === 'string') problem(ctx, [k], ms, v[k]);
    else out[String(Number(k))] = ms;
  }
  return out;
}

/** The schema of load.timeout, default 10 s. */
export const timeoutSchema = z
  .union([z.string({ error: FORMS }), z.number({ error: FORMS }), z.record(z.string(), z.unknown(), { error: FORMS })], { error: FORMS })
  .transform((v, ctx): Timeout => {
    if (!isPlainObject(v)) {
      const ms = positiveMs(v);
      if (typeof ms === 'string') problem(ctx, [], ms, v);
      return typeof ms === 'number' ? ms : 0;
    }
    return 'window' in v ? windowForm(v, ctx) : perLevel(v, ctx);
  })
  .default(DEFAULT_MIN_MS)
  .describe('per request: a duration (10s), durations per level ({ 1000: 10s, 10000: 30s }), or { window: 3, min: 10s, max: 5m }');

const isWindow = (t: Timeout): t is WindowTimeout => typeof t === 'object' && 'window' in t && 'min' in t;

/** The timeout of a level, ms. `slowestRps`: the slowest run of the scenario so far, null before the first. */
export function timeoutAt(t: Timeout, level: number, slowestRps: number | null): number {
  if (typeof t === 'number') return t;
  if (isWindow(t)) {
    if (slowestRps === null || !(slowestRps > 0)) return t.min;
    return Math.round(Math.min(t.max, Math.max(t.min, (t.window * level * 1000) / slowestRps)));
  }
  const levels = Object.keys(t)
    .map(Number)
    .sort((a, b) => a - b);
  const at = levels.filter((l) => l <= level).at(-1) ?? levels[0]!;
  return t[String(at)]!;
}

/** The longest a request may wait before anything is measured: the bound of the set-up checks. */
export function firstTimeout(t: Timeout): number {
  if (typeof t === 'number') return t;
  return isWindow(t) ? t.min : Math.max(...Object.values(t));
}

/** The slowest run so far (req/s above 0), or null. */
export function slowestRps(samples: readonly { rps: number }[]): number | null {
  const rates = samples.map((s) => s.rps).filter((r) => r > 0);
  return rates.length ? Math.min(...rates) : null;
}
