/**
 * Packets this machine's kernel dropped because a CPU's input backlog was full
 * (/proc/net/softnet_stat, second column: net.core.netdev_max_backlog, 1000 by default). A burst
 * of thousands of connects through virtual links (the lab's veth pairs, loopback) can overflow it:
 * the dropped SYNs are retried a second or more later, and a run's duration includes the wait,
 * for lb-bench and ab alike. A limit of the machine lb-bench runs on, not of the cluster, so a
 * run during which it happened says so. Linux only (elsewhere: null).
 */
import { readFileSync } from 'node:fs';

export const SOFTNET_STAT = '/proc/net/softnet_stat';

/** The dropped column summed over the CPUs (each line a CPU, columns of 8 hexadecimal digits); null where unreadable. */
export function parseSoftnetDrops(text: string): number | null {
  let sum = 0;
  let lines = 0;
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 2 || !cols.every((c) => /^[0-9a-f]{8}$/i.test(c))) continue;
    sum += parseInt(cols[1]!, 16);
    lines++;
  }
  return lines ? sum : null;
}

export function backlogDrops(file = SOFTNET_STAT): number | null {
  try {
    return parseSoftnetDrops(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function maxBacklog(): string {
  try {
    return readFileSync('/proc/sys/net/core/netdev_max_backlog', 'utf8').trim();
  } catch {
    return '?';
  }
}

/** The run's warning when packets were dropped between `before` and `after` (either null: none). */
export function backlogWarning(before: number | null, after: number | null): string | null {
  if (before === null || after === null || after <= before) return null;
  return (
    `this machine's kernel dropped ${after - before} received packets during the run, its input backlog full ` +
    `(net.core.netdev_max_backlog ${maxBacklog()}): their connections were retried a second or more later and the ` +
    'figures include the wait — a limit of this machine, not of the target (fewer at once, or generators on other hosts)'
  );
}
