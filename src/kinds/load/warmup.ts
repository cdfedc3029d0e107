/**
 * The warm-up (`load.warmup`): one burst before a scenario's first run of an invocation, sent the
 * way its runs are (the same engine, workers, generator hosts and timeout) and left out of the
 * figures, then the scenario's cooldown. What it warms is lb-bench's own process (and its worker
 * processes): V8 runs the engine's code interpreted until it has been called often enough to be
 * compiled, and a first burst from a new process was measured slower, with a longer connect phase,
 * than the ones after it (README, Performance: the warm-up). Its figures are kept in the manifest
 * (`warmup`, or its `resumes` entry), so that the target's logs still reconcile.
 */
import { readable, readableMs } from '../../io/progress.js';
import { startLoad } from '../../load/engine.js';
import { connectionsFor, workersFor } from '../../load/workers/split.js';
import type { Warmup } from '../../results/types.js';
import type { LoadScenario, LoadSettings } from './scenario.js';
import type { ResolvedScenario } from '../../scenario/resolved.js';
import type { Environment } from './environment.js';

/**
 * The default: the smallest level (what a discarded first repetition would send), at most this
 * many requests — enough for V8 to compile the engine's paths, which run once per connection.
 */
export const DEFAULT_WARMUP_MAX = 1000;

/** Requests of the warm-up burst: `load.warmup`, or the default; 0: none. */
export const warmupRequests = (load: Pick<LoadSettings, 'warmup' | 'levels'>): number =>
  load.warmup ?? Math.min(DEFAULT_WARMUP_MAX, ...load.levels);

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * The warm-up burst before `level`'s run (its workers and generator hosts); null when the scenario
 * has none, or when it was interrupted (nothing of it is kept).
 */
export async function warmUp(
  r: ResolvedScenario<LoadScenario>,
  level: number,
  timeoutMs: number,
  signal: AbortSignal,
  env: Environment,
): Promise<Warmup | null> {
  const { load, target } = r.scenario;
  const requests = warmupRequests(load);
  if (requests === 0 || signal.aborted) return null;
  const connections = connectionsFor(requests, load.concurrency);
  const inflight = startLoad({
    url: target,
    requests,
    connections,
    timeoutMs,
    method: load.method,
    headers: load.headers,
    engine: load.engine,
    // the processes the first run will use, none of them without a connection of its own
    workers: Math.min(workersFor(level, load), connections),
    spawners: env.generators?.spawnersFor(level, load),
  });
  const onAbort = () => inflight.stop();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const o = await inflight.done;
    await inflight.closed;
    if (signal.aborted) return null;
    return {
      started_at: o.started_at.toISOString(),
      requested: o.requested,
      completed: o.completed,
      loss: o.requested - o.completed,
      bytes: o.bytes,
      duration_s: round(o.duration_s, 6),
      rps: o.duration_s > 0 ? round(o.completed / o.duration_s, 3) : 0,
      connect_ms: o.connect_ms === null ? null : round(o.connect_ms, 1),
    };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** What the terminal shows of a warm-up, once it is done. */
export const warmupLine = (w: Warmup): string =>
  `warm-up  ${w.requested} requests  ${readable(w.rps)} req/s  loss ${w.loss}` +
  (w.connect_ms === null ? '' : `  connect ${readableMs(w.connect_ms)}`) +
  '  (left out of the figures)';
