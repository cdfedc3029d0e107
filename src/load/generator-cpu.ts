/**
 * The generator's own CPU. What saturates first is Node's event loop, one thread, so the figure
 * is that thread's on-CPU time (Linux schedstat, in ns) over the wall time: 100 % means the
 * generator, not the target, set the pace. Elsewhere, the whole process's user+system time.
 */
import { readFileSync } from 'node:fs';

function threadCpuNs(): number | null {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/** Call at the start of a span; the returned function gives the CPU time and wall time since, ms. */
export function cpuSpan(): () => { cpuMs: number; wallMs: number } {
  const t0 = process.hrtime.bigint();
  const thread0 = threadCpuNs();
  const proc0 = process.cpuUsage();
  return () => {
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const thread1 = thread0 === null ? null : threadCpuNs();
    if (thread0 !== null && thread1 !== null) return { cpuMs: (thread1 - thread0) / 1e6, wallMs };
    const p = process.cpuUsage(proc0);
    return { cpuMs: (p.user + p.system) / 1000, wallMs };
  };
}

/** CPU % of one core over spans (e.g. a connect phase and a send window, without the wait between). */
export function cpuPercent(...spans: { cpuMs: number; wallMs: number }[]): number {
  const wall = spans.reduce((a, s) => a + s.wallMs, 0);
  return wall > 0 ? (spans.reduce((a, s) => a + s.cpuMs, 0) / wall) * 100 : 0;
}

/** Call at the start of a window; the returned function gives CPU % of one core since then. */
export function cpuMeter(): () => number {
  const span = cpuSpan();
  return () => cpuPercent(span());
}
