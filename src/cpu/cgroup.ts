/**
 * cgroup: one cgroup's CPU against its share (the inventory's `cgroup.cpus`), from
 *   v1: cpuacct.usage (ns)      v2: cpu.stat usage_usec (µs)
 * utilisation = Δusage / (Δwall × cpus) × 100. The wall clock is read on the host in the same
 * command, right after the counter, so SSH latency does not stretch or shrink Δwall.
 * Counters and clocks are parsed as BigInt: ns counts pass 2^53 (Number's exact range).
 */
import { z } from 'zod';
import { commandReader, shQuote, sshAddress } from './shell.js';
import type { Counters, CpuSource } from './source.js';

export const cgroupSchema = z.strictObject({
  /** the cgroup's folder: v1 holds cpuacct.usage, v2 holds cpu.stat */
  path: z.string({ error: 'must be an absolute path' }).regex(/^\//, { error: 'must be an absolute path on the host' }).max(4096),
  /** the CPU share the cgroup may use (its quota / period), the 100 % of cgroup mode */
  cpus: z
    .number({ error: 'must be a positive number of CPUs, e.g. 0.25' })
    .positive({ error: 'must be a positive number of CPUs, e.g. 0.25' }),
});

export type CgroupSettings = z.output<typeof cgroupSchema>;

const script = (path: string) =>
  [
    `cd ${shQuote(path)} || exit 1`,
    'if [ -r cpuacct.usage ]; then read -r u < cpuacct.usage; echo "cpuacct_ns $u"',
    'elif [ -r cpu.stat ]; then while read -r k v; do [ "$k" = usage_usec ] && echo "usage_usec $v"; done < cpu.stat',
    'fi',
    // date +%s%N has ns resolution (GNU); /proc/uptime (10 ms) is the fallback for hosts without %N
    'echo "date_ns $(date +%s%N)"',
    'read -r up rest < /proc/uptime; echo "uptime_s $up"',
  ].join('\n');

/** Seconds, kept to µs, from an integer count of `perSecond` units. */
function seconds(text: string, perSecond: bigint): number {
  const units = BigInt(text);
  return Number(units / (perSecond / 1_000_000n)) / 1e6;
}

export function parseCgroup(stdout: string, path: string, cpus: number): Counters {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v) values.set(k, v);
  }
  const ns = values.get('cpuacct_ns');
  const us = values.get('usage_usec');
  const usage = ns && /^\d+$/.test(ns) ? seconds(ns, 1_000_000_000n) : us && /^\d+$/.test(us) ? seconds(us, 1_000_000n) : null;
  if (usage === null)
    throw new Error(`${path} has neither cpuacct.usage (v1) nor usage_usec in cpu.stat (v2); name the cpuacct or unified cgroup folder`);
  const date = values.get('date_ns');
  const uptime = Number(values.get('uptime_s'));
  const wall = date && /^\d{16,}$/.test(date) ? seconds(date, 1_000_000_000n) : Number.isFinite(uptime) ? uptime : null;
  if (wall === null) throw new Error('cannot read the host clock (date +%s%N, /proc/uptime)');
  return { busy: usage, total: wall * cpus };
}

export const cgroupSource: CpuSource<{ cgroup: z.ZodOptional<typeof cgroupSchema> }> = {
  inventory: { cgroup: cgroupSchema.optional() },
  ssh: true,
  missing: (host) => (host.cgroup ? null : `hosts.${host.name}.cgroup ({ path, cpus })`),
  addresses: sshAddress,
  open(host, shell) {
    const cg = host.cgroup;
    // checkBackends refuses this earlier with the scenario's field; this guards other callers
    if (!cg) throw new Error(`${host.name}: cgroup mode needs a cgroup in the inventory`);
    return commandReader(host.name, shell, script(cg.path), (out) => parseCgroup(out, cg.path, cg.cpus));
  },
};
