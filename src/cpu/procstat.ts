/**
 * procstat: the whole host, from the first line of /proc/stat (proc(5)):
 *   cpu  user nice system idle iowait irq softirq steal guest guest_nice   (in USER_HZ ticks)
 * busy = total − idle − iowait. The total is the first eight fields only: guest and guest_nice
 * are already counted in user and nice, and adding them again would count guests twice.
 */
import type { z } from 'zod';
import { commandReader, sshAddress } from './shell.js';
import type { Counters, CpuSource } from './source.js';

export function parseProcStat(stdout: string): Counters {
  const line = stdout.split('\n').find((l) => l.startsWith('cpu '));
  const fields = line?.trim().split(/\s+/).slice(1, 9).map(Number) ?? [];
  if (fields.length < 4 || fields.some((n) => !Number.isFinite(n))) {
    throw new Error(`unexpected /proc/stat line: ${JSON.stringify((line ?? stdout).slice(0, 80))}`);
  }
  const total = fields.reduce((s, n) => s + n, 0);
  const idle = fields[3] + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** It reads nothing from the inventory but the host's SSH. */
type NoFields = z.ZodRawShape & Record<never, z.ZodType>;
export const procstatSource: CpuSource<NoFields> = {
  inventory: {},
  ssh: true,
  missing: () => null,
  addresses: sshAddress,
  // `read` is a shell builtin: no extra process on the host
  open: (host, shell) => commandReader(host.name, shell, 'read -r line < /proc/stat && echo "$line"', parseProcStat),
};
