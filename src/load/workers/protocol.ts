/**
 * The worker protocol: JSON, one message a line, lb-bench → worker on the worker's stdin and
 * worker → lb-bench on its stdout (stderr is for diagnostics only). Nothing in it depends on the
 * two being on one machine: a worker's times are milliseconds since it received `go`, never clock
 * readings, so the same program can be started over SSH on another host.
 *
 *   worker:   hello {protocol, pid, node, host}
 *   lb-bench: share {engine, share, latencies}    worker: ready {connect_ms}   (connections open)
 *   lb-bench: go                                  worker: going                (at once: times the way of `go`)
 *                                                 worker: result {…}           (every request accounted for)
 *                                                 worker: closed               (every connection released)
 *   lb-bench: stop — abandon the share; closing stdin ends the worker once its connections are released.
 *   worker:   error {message, hint, exit} — the share was refused (e.g. its open-file limit).
 */
import type { RequestCounts } from '../accounting.js';
import type { LoadShare } from '../engine-types.js';
import type { EngineName } from '../engines/registry.js';

export const PROTOCOL = 1;

export type ToWorker = { type: 'share'; engine: EngineName; share: LoadShare; latencies: boolean } | { type: 'go' } | { type: 'stop' };

/** One worker's figures for its share; times are ms since it received `go`. */
export interface WorkerResult extends RequestCounts {
  type: 'result';
  error_codes: Record<string, number>;
  bytes: number;
  /** the completed requests' latencies: an HDR histogram, compressed and base64 (HdrHistogram's format) */
  histogram: string;
  /** the slowest completed request, ms: exact (the histogram keeps only its bucket past 262 ms) */
  max_ms: number | null;
  /** first request written, and the last outcome; null when nothing happened */
  start_ms: number | null;
  end_ms: number | null;
  connect_ms: number | null;
  generator_cpu: number;
  block_max_ms: number;
  block_total_ms: number;
  anomalies: string[];
  /** every latency, ms, only when the share asked for them (tests) */
  latencies?: number[];
}

export type FromWorker =
  | { type: 'hello'; protocol: number; pid: number; node: string; host?: string }
  | { type: 'ready'; connect_ms: number | null }
  /** `go` received: its round trip halved is how long `go` took to reach the worker (start skew) */
  | { type: 'going' }
  | WorkerResult
  | { type: 'closed' }
  | { type: 'error'; message: string; hint?: string; exit: number };

export const encode = (m: ToWorker | FromWorker): string => JSON.stringify(m) + '\n';

/** A line from the other side, or null when it is not a message of this protocol. */
export function decode<T extends { type: string }>(line: string): T | null {
  try {
    const m = JSON.parse(line) as unknown;
    return m !== null && typeof m === 'object' && typeof (m as { type?: unknown }).type === 'string' ? (m as T) : null;
  } catch {
    return null;
  }
}
