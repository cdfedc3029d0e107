/**
 * The load engine seam, as types: what an engine is given (a share of a run), what it must do
 * (connect, send, account for every request), and what a run reports. A leaf of load/: it imports
 * only types, and nothing here imports the engines, the local driver or the worker pool, so each
 * of them can name the seam without an import circle. How a run is started: engine.ts.
 */
import type { AccountingHooks, EngineCounts, RequestCounts } from './accounting.js';
import type { LatencyHistogram } from './histogram.js';
import type { Latency, WorkerFigures } from './figures.js';
import type { EngineName } from './engines/names.js';
import type { WorkerSpawner } from './workers/process.js';

/** What one engine is asked to do. */
export interface LoadShare {
  url: string;
  requests: number;
  connections: number;
  timeoutMs: number;
  method?: string;
  headers?: Record<string, string>;
}

/** plan a share (the factory) → connect → send → exact counts and a latency histogram */
export interface LoadEngine {
  /** true when connect() opens every connection before the first request (a connect phase) */
  readonly connectsFirst: boolean;
  /** open the connections; resolves when each is open or has failed (its request then counted) */
  connect(): Promise<void>;
  /** send every request; resolves when each is accounted for */
  send(): Promise<EngineCounts>;
  /** every connection released: await it before the next run */
  closed: Promise<void>;
  /** abandon the share: send() resolves with partial counts, which must be dropped */
  stop(): void;
}

export type EngineFactory = (share: LoadShare, hooks: AccountingHooks) => LoadEngine;

export interface LoadRunOptions extends LoadShare {
  /** default: DEFAULT_ENGINE */
  engine?: EngineName;
  /** 0: the engine runs in this process; N: in N worker processes, the level split between them */
  workers?: number;
  /** where the workers run, one each (generator hosts): overrides `workers` */
  spawners?: readonly WorkerSpawner[];
  hooks?: AccountingHooks;
}

export interface LoadOutcome extends RequestCounts {
  engine: EngineName;
  /** accounting that did not add up (never expected; kept as run warnings) */
  anomalies: string[];
  /** error codes seen (ECONNRESET, EADDRNOTAVAIL, closed-without-response, …) with counts */
  errorCodes: Record<string, number>;
  bytes: number;
  /** first request written to the last outcome */
  duration_s: number;
  latency_ms: Latency;
  /** every completed request's latency (merged over workers) */
  histogram: LatencyHistogram;
  /** the generator's event-loop thread CPU over the send window, % of one core (summed over workers) */
  generator_cpu: number;
  /** the generator's event loop over the send window: longest block and all blocks, ms (max and sum over workers) */
  generator_block_max_ms: number;
  generator_block_total_ms: number;
  /** the connect phase before the first request; null for an engine that connects while it sends */
  connect_ms: number | null;
  /** per worker process, when there were any */
  workers?: WorkerFigures[];
  /** with workers: the latest worker's first request after the earliest's, ms (null: not known for every worker) */
  start_skew_ms?: number | null;
  started_at: Date;
  ended_at: Date;
}

/** A run in flight; `stop()` abandons it (its outcome is then partial and must be dropped). */
export interface LoadRun {
  /** the run's figures, as soon as every request is accounted for */
  done: Promise<LoadOutcome>;
  /** the engine has released every connection: await it before the next run */
  closed: Promise<void>;
  stop(): void;
}
