/**
 * One run of load: `requests` HTTP requests over `connections` connections, sent with autocannon
 * used as a library. Autocannon's own totals are not used: it drops requests whose connection
 * closes without a response (its issue #462), counts timeouts inside errors, and rounds the
 * duration to its 1 s sampling tick. Instead every client is instrumented through `setupClient`,
 * so that each request written ends as exactly one of completed, non2xx, timeout or error.
 */
import autocannon from 'autocannon';
import { EventEmitter } from 'node:events';
import { latencySummary } from './percentiles.js';
import { cpuMeter } from './generator-cpu.js';
import type { Latency } from '../results/types.js';
import { redactText } from '../util/redact.js';

export interface LoadRunOptions {
  url: string;
  requests: number;
  connections: number;
  timeoutMs: number;
  method?: string;
  headers?: Record<string, string>;
}

export interface LoadOutcome {
  requested: number;
  /** requests actually written to a socket; equals requested unless the run was stopped */
  written: number;
  completed: number;
  non2xx: number;
  timeouts: number;
  errors: number;
  /** accounting that did not add up (never expected; kept as run warnings) */
  anomalies: string[];
  /** error codes seen (ECONNRESET, EADDRNOTAVAIL, closed-without-response, …) with counts */
  errorCodes: Record<string, number>;
  bytes: number;
  duration_s: number;
  latency_ms: Latency;
  /** the generator's event-loop thread CPU over the run, % of one core */
  generator_cpu: number;
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

type AcClient = EventEmitter;
interface AcInternals {
  conn: import('node:net').Socket;
  pipelinedRequests: { clear(): void };
  _destroyConnection(): void;
}

/**
 * Close a finished connection with a reset instead of a FIN, so that it leaves no TIME_WAIT
 * socket on this machine: 10000 connections a run would otherwise hold the 28 000 ephemeral
 * ports of one destination for 60 s, and later runs would fail to connect (EADDRNOTAVAIL) —
 * loss that the target never caused. The server has already sent its whole response.
 * (Replaces autocannon's Client#_destroyConnection, which does the same with destroy().)
 */
function closeWithReset(client: AcClient): void {
  const c = client as unknown as AcInternals;
  c._destroyConnection = function (this: AcInternals) {
    const conn = this.conn;
    conn.removeAllListeners('error');
    conn.removeAllListeners('end');
    conn.on('error', () => {});
    if (conn.readyState === 'open' && typeof conn.resetAndDestroy === 'function') conn.resetAndDestroy();
    else conn.destroy();
    this.pipelinedRequests.clear();
  };
}

export function startLoad(opts: LoadRunOptions): LoadRun {
  const connections = Math.min(opts.connections, opts.requests);
  let written = 0;
  let completed = 0;
  let non2xx = 0;
  let timeouts = 0;
  let connErrors = 0;
  let bytes = 0;
  const errorCodes: Record<string, number> = {};
  const latencies = new Float64Array(opts.requests);
  let lastOutcome = 0n;
  let resolveDone!: () => void;
  const allAccounted = new Promise<void>((r) => (resolveDone = r));
  let clientsDone = 0;

  const outcome = () => {
    lastOutcome = process.hrtime.bigint();
  };
  const setupClient = (client: AcClient & { timeout: number }) => {
    // autocannon refuses timeouts under 1 s; its client reads this field for every request
    client.timeout = opts.timeoutMs;
    closeWithReset(client);
    client.on('request', () => written++);
    client.on('response', (status: number, resBytes: number, responseTime: number) => {
      outcome();
      bytes += resBytes;
      if (status >= 200 && status < 400) latencies[completed++] = responseTime;
      else non2xx++;
    });
    client.on('timeout', () => {
      outcome();
      timeouts++;
    });
    client.on('connError', (err: NodeJS.ErrnoException) => {
      outcome();
      connErrors++;
      const code = err?.code ?? 'error';
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    });
    // a client is done when it has written its share and seen the end of its last request
    client.on('done', () => {
      outcome();
      if (++clientsDone === connections) resolveDone();
    });
  };

  const generatorCpu = cpuMeter();
  const t0 = process.hrtime.bigint();
  const started_at = new Date();
  const instance = autocannon(
    {
      url: opts.url,
      amount: opts.requests,
      connections,
      timeout: Math.max(1, opts.timeoutMs / 1000),
      method: (opts.method ?? 'GET') as autocannon.Request['method'],
      headers: opts.headers ?? {},
      setupClient: setupClient as unknown as autocannon.Options['setupClient'],
      skipAggregateResult: true,
      // autocannon notices the end of a run only at its sampling tick
      sampleInt: 50,
    } as autocannon.Options,
    () => {},
  ) as unknown as EventEmitter & { stop(): void };
  let failed: ((e: Error) => void) | null = null;
  const failure = new Promise<never>((_r, reject) => (failed = reject));
  failure.catch(() => {});
  instance.on('error', (e: Error) => failed?.(new Error(`the load engine refused the run: ${redactText(e.message)}`)));

  let stopped = false;
  const finished = new Promise<void>((resolve) => instance.once('done', () => resolve()));
  const done = (async (): Promise<LoadOutcome> => {
    await Promise.race([allAccounted, finished, failure]);
    const wall = Number((lastOutcome || process.hrtime.bigint()) - t0) / 1e9;
    const cpu = generatorCpu();
    // A written request with no response, timeout or error ended with its connection closed
    // by the peer (FIN) — autocannon reconnects silently there. It is a connection error.
    const closed = written - completed - non2xx - timeouts - connErrors;
    if (closed > 0) errorCodes['closed-without-response'] = closed;
    const errors = connErrors + Math.max(closed, 0);
    // events counted twice (closed < 0) or requests not sent would break the accounting: say so
    // in the run instead of storing figures that do not add up
    const anomalies: string[] = [];
    if (!stopped && written !== opts.requests) anomalies.push(`the engine wrote ${written} requests of ${opts.requests}`);
    if (closed < 0) anomalies.push(`${-closed} more outcomes than requests were counted`);
    return {
      anomalies,
      requested: opts.requests,
      written,
      completed,
      non2xx,
      timeouts,
      errors,
      errorCodes,
      bytes,
      duration_s: wall,
      latency_ms: latencySummary(latencies.subarray(0, completed)),
      generator_cpu: cpu,
      started_at,
      ended_at: new Date(started_at.getTime() + wall * 1000),
    };
  })();
  // autocannon notices the end only at its next sampling tick: the figures are final before that,
  // so that CPU samplers can close their window right at the last response
  const closed = done.then(
    async () => {
      instance.stop();
      await finished;
    },
    () => instance.stop(),
  );
  return {
    done,
    closed,
    stop() {
      stopped = true;
      resolveDone();
    },
  };
}
