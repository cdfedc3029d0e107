/**
 * Engine-independent accounting of one engine's share of a run: every request it was given ends
 * as exactly one of completed (2xx/3xx), non2xx, timeout or error, and nothing else is counted.
 * Engines report events here; what did not add up is kept as anomalies (run warnings), never
 * papered over.
 */
import { performance } from 'node:perf_hooks';
import { newHistogram, recordMs, type LatencyHistogram } from './histogram.js';

/** What became of a share's requests: requested = completed + non2xx + timeouts + errors. */
export interface RequestCounts {
  requested: number;
  /** requests written to a socket; a request whose connection failed is never written */
  written: number;
  completed: number;
  non2xx: number;
  timeouts: number;
  errors: number;
}

/** The request counts alone, out of a larger record of figures. */
export const requestCounts = (c: RequestCounts): RequestCounts => ({
  requested: c.requested,
  written: c.written,
  completed: c.completed,
  non2xx: c.non2xx,
  timeouts: c.timeouts,
  errors: c.errors,
});

/** An engine's figures for its share (times on this process's performance.now() clock, ms). */
export interface EngineCounts extends RequestCounts {
  /** connection errors by code (ECONNRESET, closed-without-response, connect-timeout, …) */
  errorCodes: Record<string, number>;
  /** bytes received, headers and body, of every response */
  bytes: number;
  /** latencies of the completed requests */
  histogram: LatencyHistogram;
  /** first request written (or, when none was, the first outcome); null: nothing happened */
  windowStart: number | null;
  /** the last outcome (response, timeout or error) */
  windowEnd: number | null;
  anomalies: string[];
}

export interface AccountingHooks {
  /** every completed request's latency, ms (tests compare merged percentiles with these) */
  onLatency?: (ms: number) => void;
}

export class Accounting {
  written = 0;
  completed = 0;
  non2xx = 0;
  timeouts = 0;
  errors = 0;
  bytes = 0;
  readonly errorCodes: Record<string, number> = {};
  readonly histogram: LatencyHistogram;
  private firstSend: number | null = null;
  private firstOutcome: number | null = null;
  private lastOutcome: number | null = null;

  constructor(
    readonly requested: number,
    timeoutMs: number,
    private readonly hooks: AccountingHooks = {},
  ) {
    this.histogram = newHistogram(timeoutMs);
  }

  get outcomes(): number {
    return this.completed + this.non2xx + this.timeouts + this.errors;
  }

  /** a request was written */
  sent(at = performance.now()): void {
    this.written++;
    if (this.firstSend === null) this.firstSend = at;
  }

  /** a whole response arrived, `latencyMs` after its request was written */
  response(status: number, latencyMs: number, at = performance.now()): void {
    this.touch(at);
    if (status >= 200 && status < 400) {
      this.completed++;
      recordMs(this.histogram, latencyMs);
      this.hooks.onLatency?.(latencyMs);
    } else this.non2xx++;
  }

  /** no response within the timeout; `at` is when the timeout expired */
  timedOut(at = performance.now()): void {
    this.touch(at);
    this.timeouts++;
  }

  /** `count` requests ended with a connection error (`at` null: when is not known) */
  failed(code: string, at: number | null = performance.now(), count = 1): void {
    if (at !== null) this.touch(at);
    this.errors += count;
    this.errorCodes[code] = (this.errorCodes[code] ?? 0) + count;
  }

  received(bytes: number): void {
    this.bytes += bytes;
  }

  /** something happened that ends the window no earlier than `at` (e.g. a connection finished) */
  touch(at = performance.now()): void {
    if (this.firstOutcome === null) this.firstOutcome = at;
    if (this.lastOutcome === null || at > this.lastOutcome) this.lastOutcome = at;
  }

  /** The figures; `stopped`: the run was abandoned, so missing outcomes are expected. */
  finish(stopped: boolean, anomalies: string[] = []): EngineCounts {
    const all = [...anomalies];
    if (!stopped && this.outcomes !== this.requested) {
      all.push(`${this.outcomes} outcomes were counted for ${this.requested} requests`);
    }
    const start = this.firstSend ?? this.firstOutcome;
    const end = this.lastOutcome === null || start === null ? start : Math.max(this.lastOutcome, start);
    return {
      requested: this.requested,
      written: this.written,
      completed: this.completed,
      non2xx: this.non2xx,
      timeouts: this.timeouts,
      errors: this.errors,
      errorCodes: this.errorCodes,
      bytes: this.bytes,
      histogram: this.histogram,
      windowStart: start,
      windowEnd: end,
      anomalies: all,
    };
  }
}
