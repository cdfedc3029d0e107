/**
 * The exact merge of the workers' results: counts and bytes are sums, latencies one HDR histogram
 * of every completed request, the window from the start of the slowest connect phase (or, for an
 * engine without one, the earliest first request) to the latest outcome (each worker's times
 * counted from its own `go`, which lb-bench sent to all at once).
 */
import type { LoadOutcome, LoadShare } from '../engine-types.js';
import type { EngineName } from '../engines/registry.js';
import { decodeHistogram, histogramSummary, mergeHistograms, type LatencyHistogram } from '../histogram.js';
import type { WorkerFigures } from '../figures.js';
import type { WorkerResult } from './protocol.js';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** One worker's own figures: its connect phase, then from `go` to its last outcome. */
function workerFigures(
  worker: number,
  r: WorkerResult,
  histogram: LatencyHistogram,
  host: string | undefined,
  start: StartFigures | null,
): WorkerFigures {
  return {
    worker,
    ...(host ? { host } : {}),
    ...(start ?? {}),
    requested: r.requested,
    completed: r.completed,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    bytes: r.bytes,
    duration_s:
      r.connect_ms !== null
        ? (r.connect_ms + (r.end_ms ?? 0)) / 1000
        : r.start_ms === null || r.end_ms === null
          ? 0
          : Math.max(0, r.end_ms - r.start_ms) / 1000,
    connect_ms: r.connect_ms,
    latency_ms: { ...histogramSummary(histogram), max: r.max_ms },
    generator_cpu: r.generator_cpu,
    generator_block_max_ms: r.block_max_ms,
    generator_block_total_ms: r.block_total_ms,
    ...(Object.keys(r.error_codes).length ? { error_codes: r.error_codes } : {}),
  };
}

type FirstRequest = { at: number; roundTrip: number } | null;
type StartFigures = { start_ms: number; start_skew_ms: number; go_round_trip_ms: number };

/**
 * Start skew: each worker's first request after the release and after the earliest worker's (how
 * it is timed: pool.ts); the run's skew is the largest, null unless every worker has a figure.
 */
export function startFigures(
  firstRequests: readonly FirstRequest[],
  count: number,
): { workers: (StartFigures | null)[]; skew: number | null } {
  const known = firstRequests.flatMap((t) => (t ? [t.at] : []));
  const earliest = known.length ? Math.min(...known) : 0;
  return {
    workers: firstRequests.map((t) => (t ? { start_ms: t.at, start_skew_ms: t.at - earliest, go_round_trip_ms: t.roundTrip } : null)),
    skew: count && known.length === count ? Math.max(...known) - earliest : null,
  };
}

/** `goWall`: lb-bench's clock (ms since the epoch) when it sent `go`; `hosts`: each worker's generator host, if not this machine. */
export function mergeResults(
  engine: EngineName,
  shares: LoadShare[],
  results: WorkerResult[],
  goWall: number,
  timeoutMs: number,
  hosts: readonly (string | undefined)[] = [],
  firstRequests: readonly FirstRequest[] = [],
): LoadOutcome {
  const histograms = results.map((r) => decodeHistogram(r.histogram));
  const merged = mergeHistograms(histograms, timeoutMs);
  const anomalies: string[] = [];
  const errorCodes: Record<string, number> = {};
  results.forEach((r, i) => {
    const name = `worker ${i + 1}`;
    for (const a of r.anomalies) anomalies.push(`${name}: ${a}`);
    // checked here too: a worker is a separate program, perhaps on another host
    const outcomes = r.completed + r.errors + r.timeouts + r.non2xx;
    if (r.requested !== shares[i]!.requests)
      anomalies.push(`${name}: reported ${r.requested} requests for a share of ${shares[i]!.requests}`);
    else if (!r.anomalies.length && outcomes !== r.requested)
      anomalies.push(`${name}: ${outcomes} outcomes were counted for ${r.requested} requests`);
    if (histograms[i]!.totalCount !== r.completed)
      anomalies.push(`${name}: ${histograms[i]!.totalCount} latencies for ${r.completed} completed requests`);
    for (const [code, n] of Object.entries(r.error_codes)) errorCodes[code] = (errorCodes[code] ?? 0) + n;
  });
  const starts = results.map((r) => r.start_ms).filter((t): t is number => t !== null);
  const ends = results.map((r) => r.end_ms).filter((t): t is number => t !== null);
  const connects = results.map((r) => r.connect_ms).filter((t): t is number => t !== null);
  // with a connect phase the run starts with it: the slowest worker's, which `go` waited for
  const start = connects.length ? -Math.max(...connects) : starts.length ? Math.min(...starts) : 0;
  const end = ends.length ? Math.max(start, ...ends) : connects.length ? 0 : start;
  const started_at = new Date(goWall + start);
  const maxes = results.map((r) => r.max_ms).filter((t): t is number => t !== null);
  const starting = startFigures(firstRequests, results.length);
  const workers = results.map((r, i) => workerFigures(i + 1, r, histograms[i]!, hosts[i], starting.workers[i] ?? null));
  return {
    engine,
    requested: sum(shares.map((s) => s.requests)),
    written: sum(results.map((r) => r.written)),
    completed: sum(results.map((r) => r.completed)),
    non2xx: sum(results.map((r) => r.non2xx)),
    timeouts: sum(results.map((r) => r.timeouts)),
    errors: sum(results.map((r) => r.errors)),
    anomalies,
    errorCodes,
    bytes: sum(results.map((r) => r.bytes)),
    duration_s: (end - start) / 1000,
    latency_ms: { ...histogramSummary(merged), max: maxes.length ? Math.max(...maxes) : null },
    histogram: merged,
    generator_cpu: sum(results.map((r) => r.generator_cpu)),
    generator_block_max_ms: Math.max(0, ...results.map((r) => r.block_max_ms)),
    generator_block_total_ms: sum(results.map((r) => r.block_total_ms)),
    connect_ms: connects.length ? Math.max(...connects) : null,
    workers,
    start_skew_ms: starting.skew,
    started_at,
    ended_at: new Date(started_at.getTime() + (end - start)),
  };
}
