/**
 * One run's load in this process: the chosen engine connects, then sends, while the generator's
 * own CPU and event-loop blocks are measured.
 */
import { performance } from 'node:perf_hooks';
import { requestCounts, type EngineCounts } from './accounting.js';
import type { LoadEngine, LoadOutcome, LoadRun, LoadRunOptions, LoadShare } from './engine-types.js';
import { engineFactory, type EngineName } from './engines/registry.js';
import { cpuPercent, cpuSpan } from './generator-cpu.js';
import { histogramSummary } from './histogram.js';
import { watchLoop, type LoopBlocks } from './loop-monitor.js';

/** What the engine measured, around what the generator measured of itself. */
export interface ShareFigures {
  counts: EngineCounts;
  /** when the connect phase began (performance.now()); null for an engine without one */
  connectStart: number | null;
  connect_ms: number | null;
  /** over the connect phase and the send window */
  generator_cpu: number;
  /** over the send window: a block then can delay the reading of answers */
  blocks: LoopBlocks;
}

/** Plan → connect → send, with the measurements around them; `beforeSend` may hold the send (a start barrier). */
export async function driveEngine(
  engine: LoadEngine,
  beforeSend: (connect_ms: number | null) => Promise<void> = async () => {},
): Promise<ShareFigures> {
  const c0 = performance.now();
  const connectCpu = cpuSpan();
  await engine.connect();
  const connecting = connectCpu();
  const connect_ms = engine.connectsFirst ? performance.now() - c0 : null;
  await beforeSend(connect_ms);
  const sendCpu = cpuSpan();
  const loop = watchLoop();
  try {
    const counts = await engine.send();
    const spans = engine.connectsFirst ? [connecting, sendCpu()] : [sendCpu()];
    return { counts, connectStart: engine.connectsFirst ? c0 : null, connect_ms, generator_cpu: cpuPercent(...spans), blocks: loop.stop() };
  } catch (e) {
    loop.stop();
    throw e;
  }
}

/**
 * The run's window: from the start of the connect phase (for an engine that has one: ab's time
 * likewise includes its connects) or the first request written, to the last outcome.
 */
function window(f: ShareFigures): { start: number | null; seconds: number } {
  const c = f.counts;
  const start = f.connectStart ?? c.windowStart;
  if (start === null) return { start, seconds: 0 };
  const end = c.windowEnd ?? (f.connect_ms === null ? start : start + f.connect_ms);
  return { start, seconds: Math.max(0, end - start) / 1000 };
}

/** performance.now() time → wall-clock Date, at this moment's offset between the clocks */
export const wallClock = (t: number | null) => new Date(t === null ? Date.now() : Date.now() - (performance.now() - t));

export function outcomeOf(engine: EngineName, f: ShareFigures): LoadOutcome {
  const c = f.counts;
  const w = window(f);
  const d = w.seconds;
  const started_at = wallClock(w.start);
  return {
    engine,
    ...requestCounts(c),
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

/** The share an engine is given: the run's request, without how or where it runs. */
export const shareOf = (o: LoadRunOptions): LoadShare => ({
  url: o.url,
  requests: o.requests,
  connections: o.connections,
  timeoutMs: o.timeoutMs,
  method: o.method,
  headers: o.headers,
});

export function startLocal(o: LoadRunOptions & { engine: EngineName }): LoadRun {
  let engine: LoadEngine | null = null;
  let stopped = false;
  const share = shareOf(o);
  const created = engineFactory(o.engine).then((factory) => {
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
