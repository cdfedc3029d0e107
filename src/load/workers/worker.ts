/**
 * A load worker: one engine in its own process, driven by lb-bench over the worker protocol
 * (protocol.ts) on stdin and stdout. lb-bench starts it as a child process (main.js), or over SSH
 * on a generator host (`lb-bench worker`); nothing in it assumes that lb-bench runs on the same
 * machine.
 */
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { LbError } from '../../errors.js';
import type { LoadEngine } from '../engine-types.js';
import { engineFactory, isEngineName } from '../engines/registry.js';
import { encode, decode, PROTOCOL, type FromWorker, type ToWorker, type WorkerResult } from './protocol.js';
import { driveEngine } from '../local.js';
import { requestCounts } from '../accounting.js';
import { encodeHistogram, histogramSummary } from '../histogram.js';
import { ensureOpenFiles } from '../limits.js';

const send = (m: FromWorker) => process.stdout.write(encode(m));

let job: { engine: LoadEngine; go(): void; stop(): void } | null = null;
/** the share being served, until its connections are released */
let current: Promise<void> = Promise.resolve();

function refuse(e: unknown): void {
  if (e instanceof LbError) send({ type: 'error', message: e.message, hint: e.hint, exit: e.code });
  else send({ type: 'error', message: e instanceof Error ? e.message : String(e), exit: 3 });
}

async function take(m: Extract<ToWorker, { type: 'share' }>): Promise<void> {
  if (job) return refuse(new Error('a share is already running'));
  if (!isEngineName(m.engine)) return refuse(new Error(`no engine "${m.engine}" here`));
  try {
    ensureOpenFiles(m.share.connections, 'its share');
  } catch (e) {
    return refuse(e);
  }
  const latencies: number[] = [];
  const engine = (await engineFactory(m.engine))(m.share, m.latencies ? { onLatency: (ms) => latencies.push(ms) } : {});
  let goAt = 0;
  let release!: () => void;
  const started = new Promise<void>((r) => (release = r));
  job = {
    engine,
    go() {
      goAt = performance.now();
      release();
    },
    stop() {
      engine.stop();
      release();
    },
  };
  const f = await driveEngine(engine, async (connect_ms) => {
    send({ type: 'ready', connect_ms });
    await started;
  });
  const c = f.counts;
  // times relative to this worker's own `go`: no clock is shared with lb-bench
  const since = (t: number | null) => (t === null ? null : Math.max(0, t - goAt));
  const result: WorkerResult = {
    type: 'result',
    ...requestCounts(c),
    error_codes: c.errorCodes,
    bytes: c.bytes,
    histogram: encodeHistogram(c.histogram),
    max_ms: histogramSummary(c.histogram).max,
    start_ms: since(c.windowStart),
    end_ms: since(c.windowEnd),
    connect_ms: f.connect_ms,
    generator_cpu: f.generator_cpu,
    block_max_ms: f.blocks.max_ms,
    block_total_ms: f.blocks.total_ms,
    anomalies: c.anomalies,
  };
  if (m.latencies) result.latencies = latencies;
  send(result);
  await engine.closed;
  send({ type: 'closed' });
  job = null;
}

/**
 * Serve lb-bench over stdin and stdout until it closes stdin, then release the connections of a
 * share still running; resolves when nothing of this worker is left.
 */
export async function runWorker(): Promise<void> {
  // Ctrl-C reaches the whole process group: lb-bench, not the terminal, decides when workers stop
  process.on('SIGINT', () => {});
  send({ type: 'hello', protocol: PROTOCOL, pid: process.pid, node: process.version, host: hostname() });
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const m = decode<ToWorker>(line);
    if (!m) return refuse(new Error(`not a message of the worker protocol: ${line.slice(0, 80)}`));
    if (m.type === 'share') current = take(m);
    else if (m.type === 'go') {
      if (job) send({ type: 'going' });
      job?.go();
    } else if (m.type === 'stop') job?.stop();
  });
  // lb-bench has finished with this worker, or is gone: release the connections, then end
  await new Promise<void>((resolve) => lines.once('close', resolve));
  job?.stop();
  await current;
}
