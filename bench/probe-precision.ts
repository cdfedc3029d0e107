/**
 * Probe precision: the failover HTTP probe (src/kinds/failover/probes.ts) on its 5 ms schedule against a
 * local Nginx. Lateness of probe n = its recorded send time − (first send + n × 5 ms); the send
 * time is what the probe stores (taken as the probe starts its request), so this is the error in
 * the timeline that downtime is computed from. Also the probe's own CPU (the whole process, and its
 * event-loop thread) over the window.
 */
import { performance } from 'node:perf_hooks';
import { startProber, type ProbeResult } from '../src/kinds/failover/probes.js';
import { cpuMeter } from '../src/load/generator-cpu.js';
import { startNginx } from './lib/nginx.js';
import { findProgram } from './lib/programs.js';
import { round, runAsScript, runQueueMeter, type BenchArgs, type BenchResult, type Figure } from './lib/result.js';

const INTERVAL_MS = 5;

function quantile(sorted: Float64Array | number[], q: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

interface ProbeWindow {
  results: ProbeResult[];
  wallMs: number;
  /** the event-loop thread's CPU, % of a core */
  threadCpu: number;
  /** time the event loop waited for a CPU, ms; null where not measurable */
  waitMs: number | null;
  /** the whole process's CPU, % of a core */
  processCpu: number;
}

/** The prober on its schedule against `target` for `windowMs`, and what it cost. */
async function probeWindow(target: { url: string; port: number }, windowMs: number): Promise<ProbeWindow> {
  const results: ProbeResult[] = [];
  const thread = cpuMeter();
  const waited = runQueueMeter();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const prober = startProber(
    { type: 'http', interval: INTERVAL_MS, timeout: 500 },
    { url: new URL(target.url), host: '127.0.0.1', port: target.port },
    windowMs,
    (r) => results.push(r),
  );
  // bounded by its own maxMs; stop() then waits for the probes in flight
  await new Promise((r) => setTimeout(r, windowMs + 50));
  await prober.stop();
  const wallMs = performance.now() - t0;
  const threadCpu = thread();
  const waitMs = waited();
  const cpu = process.cpuUsage(cpu0);
  const processCpu = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
  return { results, wallMs, threadCpu, waitMs, processCpu };
}

/** Probes sent, send lateness, probe latency and the probe's CPU. */
function precisionFigures({ results, wallMs, threadCpu, waitMs, processCpu }: ProbeWindow, windowMs: number): Figure[] {
  results.sort((x, y) => x.seq - y.seq);
  const first = results[0]!.sent_at;
  const late = Float64Array.from(results, (r) => r.sent_at - (first + r.seq * INTERVAL_MS)).sort();
  const p99 = quantile(late, 0.99);
  const ok = results.filter((r) => r.ok).length;
  const expected = Math.floor(windowMs / INTERVAL_MS) + 1;
  const lat = results
    .filter((r) => r.latency_ms !== null)
    .map((r) => r.latency_ms!)
    .sort((x, y) => x - y);
  return [
    {
      figure: 'probes sent (answered)',
      value: `${results.length} (${ok})`,
      target: `${expected}`,
      met: results.length >= expected - 1 && ok === results.length,
    },
    { figure: 'send lateness p50', value: round(quantile(late, 0.5), 3), unit: 'ms' },
    { figure: 'send lateness p99', value: round(p99, 3), unit: 'ms', target: '≤ 1 ms', met: p99 <= 1 },
    { figure: 'send lateness max', value: round(late[late.length - 1]!, 3), unit: 'ms' },
    { figure: 'probe latency p50 / p99', value: `${round(quantile(lat, 0.5), 3)} / ${round(quantile(lat, 0.99), 3)}`, unit: 'ms' },
    {
      figure: 'time the event loop waited for a CPU',
      value: waitMs === null ? 'n/a' : `${Math.round(waitMs)} ms (${round((waitMs / wallMs) * 100, 1)} %)`,
    },
    {
      figure: "probe's CPU: process (event-loop thread)",
      value: `${round(processCpu, 1)} (${round(threadCpu, 1)})`,
      unit: '% of a core',
    },
  ];
}

export async function probePrecision(a: BenchArgs): Promise<BenchResult> {
  const title = 'Probe precision: HTTP probe every 5 ms';
  if (!findProgram('nginx'))
    return {
      bench: 'probe-precision',
      title,
      tiny: a.tiny,
      figures: [],
      notes: [],
      skipped: 'nginx not installed (scripts/setup.sh installs it)',
    };
  const windowMs = a.tiny ? 2_000 : 60_000;
  const nginx = await startNginx({ workers: 1 });
  try {
    const measured = await probeWindow(nginx, windowMs);
    return {
      bench: 'probe-precision',
      title,
      tiny: a.tiny,
      figures: precisionFigures(measured, windowMs),
      notes: [
        'lateness = recorded send time − (first send + n × 5 ms); Node timers fire on a 1 ms clock, so about 0.5 ms of it is the timer itself',
        'waiting for a CPU (schedstat run_delay) is time that other processes on this machine took from the probe',
        `${windowMs / 1000} s window, interval ${INTERVAL_MS} ms, a new connection per probe, against ${nginx.version} on ${nginx.url}`,
      ],
    };
  } finally {
    await nginx.stop();
  }
}

runAsScript(import.meta, probePrecision);
