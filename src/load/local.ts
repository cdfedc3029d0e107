/**
 * One run's load in this process: the chosen engine connects, then sends, while the generator's
 * own CPU and event-loop blocks are measured over the send window.
 */
import { performance } from 'node:perf_hooks';
import type { EngineCounts } from './accounting.js';
import type { LoadEngine, LoadOutcome, LoadRun, LoadRunOptions } from './engine.js';
import { ENGINES, type EngineName } from './engines/registry.js';
import { cpuMeter } from './generator-cpu.js';
import { histogramSummary } from './histogram.js';
import { watchLoop, type LoopBlocks } from './loop-monitor.js';

/** What the engine measured, around what the generator measured of itself. */
export interface ShareFigures {
  counts: EngineCounts;
  connect_ms: number | null;
  generator_cpu: number;
  blocks: LoopBlocks;
}

/** Plan → connect → send, with the measurements around the send window; `beforeSend` may hold it (a start barrier). */
export async function driveEngine(engine: LoadEngine, beforeSend: (connect_ms: number | null) => Promise<void> = async () => {}): Promise<ShareFigures> {
  const c0 = performance.now();
  await engine.connect();
  const connect_ms = engine.connectsFirst ? performance.now() - c0 : null;
  await beforeSend(connect_ms);
  const cpu = cpuMeter();
  const loop = watchLoop();
  try {
    const counts = await engine.send();
    return { counts, connect_ms, generator_cpu: cpu(), blocks: loop.stop() };
  } catch (e) {
    loop.stop();
    throw e;
  }
}

const duration = (c: EngineCounts) => (c.windowStart === null || c.windowEnd === null ? 0 : (c.windowEnd - c.windowStart) / 1000);

/** performance.now() time → wall-clock Date, at this moment's offset between the clocks */
export const wallClock = (t: number | null) => new Date(t === null ? Date.now() : Date.now() - (performance.now() - t));

export function outcomeOf(engine: EngineName, f: ShareFigures): LoadOutcome {
  const c = f.counts;
  const d = duration(c);
  const started_at = wallClock(c.windowStart);
  return {
    engine,
    requested: c.requested,
    written: c.written,
    completed: c.completed,
    non2xx: c.non2xx,
    timeouts: c.timeouts,
    errors: c.errors,
    anomalies: c.anomalies,
    errorCodes: c.errorCodes,
    bytes: c.bytes,
    duration_s: d,
    latency_ms: histogramSummary(c.histogram),
    histogram: c.histogram,
    generator_cpu: f.generator_cpu,
    generator_block_max_ms: f.blocks.max_ms,
    generator_block_total_ms: f.blocks.total_ms,
    connect_ms: f.connect_ms,
    started_at,
    ended_at: new Date(started_at.getTime() + d * 1000),
  };
}

export function startLocal(o: LoadRunOptions & { engine: EngineName }): LoadRun {
  let engine: LoadEngine | null = null;
  let stopped = false;
  const share = { url: o.url, requests: o.requests, connections: o.connections, timeoutMs: o.timeoutMs, method: o.method, headers: o.headers };
  const created = ENGINES[o.engine]().then((factory) => {
    engine = factory(share, o.hooks ?? {});
    if (stopped) engine.stop();
    return engine;
  });
  const done = created.then(async (e) => outcomeOf(o.engine, await driveEngine(e)));
  const closed = done.then(
    () => engine!.closed,
    () => engine?.closed,
  );
  return {
    done,
    closed,
    stop() {
      stopped = true;
      engine?.stop();
    },
  };
}
