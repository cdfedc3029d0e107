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

/** Call at the start of a window; the returned function gives CPU % of one core since then. */
export function cpuMeter(): () => number {
  const t0 = process.hrtime.bigint();
  const thread0 = threadCpuNs();
  const proc0 = process.cpuUsage();
  return () => {
    const wallNs = Number(process.hrtime.bigint() - t0);
    if (wallNs <= 0) return 0;
    const thread1 = thread0 === null ? null : threadCpuNs();
    if (thread0 !== null && thread1 !== null) return ((thread1 - thread0) / wallNs) * 100;
    const p = process.cpuUsage(proc0);
    return (((p.user + p.system) * 1000) / wallNs) * 100;
  };
}
