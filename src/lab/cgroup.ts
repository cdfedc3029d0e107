/**
 * cgroups for the lab's processes. Every component (web1's Apache, lb1's HAProxy, …) runs in a
 * cgroup of its own: for the web servers that carries the CPU quota that makes each one a small
 * virtual machine; for all of them it is the exact list of the processes the lab started, which
 * survives pid reuse and orphaned children, so `down` stops those and nothing else.
 *
 * cgroup v1 (separate cpu and cpuacct hierarchies): the quota lives in cpu/lb-bench/<group>, the
 * accounting (read by the CPU sampler, cpuacct.usage) and the tracking in cpuacct/lb-bench/<group>.
 * cgroup v2: one folder, <mount>/lb-bench/<group>, with cpu.max and cpu.stat.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { envError } from '../errors.js';

export interface CgroupLayout {
  version: 1 | 2;
  /** where processes are tracked and CPU is accounted: cpuacct/lb-bench (v1) or <v2 mount>/lb-bench */
  track: string;
  /** where the quota is set: cpu/lb-bench (v1); the same folder as `track` on v2 */
  quota: string;
}

const V1_CPU = '/sys/fs/cgroup/cpu';
const V1_CPUACCT = '/sys/fs/cgroup/cpuacct';

function v2MountWithCpu(): string | undefined {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '));
  for (const [, dir, type] of mounts) {
    if (type !== 'cgroup2' || !dir) continue;
    const controllers = readFileSync(path.join(dir, 'cgroup.controllers'), 'utf8').split(/\s+/);
    if (controllers.includes('cpu')) return dir;
  }
  return undefined;
}

export function detectCgroups(): CgroupLayout {
  if (existsSync(`${V1_CPU}/cpu.cfs_quota_us`) && existsSync(`${V1_CPUACCT}/cpuacct.usage`)) {
    return { version: 1, track: `${V1_CPUACCT}/lb-bench`, quota: `${V1_CPU}/lb-bench` };
  }
  const v2 = v2MountWithCpu();
  if (v2) return { version: 2, track: `${v2}/lb-bench`, quota: `${v2}/lb-bench` };
  throw envError(
    'no cgroup with the cpu controller (v1 /sys/fs/cgroup/cpu and cpuacct, or v2 with "cpu" in cgroup.controllers)',
    'the lab needs cgroups to give each web server its CPU share; mount them, or run on a machine that has them',
  );
}

/** The folder that the CPU sampler reads (cpuacct.usage on v1, cpu.stat on v2): it goes into the inventory. */
export const accountingDir = (layout: CgroupLayout, group: string) => path.join(layout.track, group);

function ensureDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir);
}

/** Creates the group (and its quota, if any); returns the cgroup.procs files a process must join. */
export function ensureGroup(layout: CgroupLayout, group: string, quota?: { cpus: number; periodUs: number }): string[] {
  if (layout.version === 2) {
    const root = path.dirname(layout.track);
    // v2 hands a controller to children only when the parent enables it in subtree_control
    writeFileSync(path.join(root, 'cgroup.subtree_control'), '+cpu');
    ensureDir(layout.track);
    writeFileSync(path.join(layout.track, 'cgroup.subtree_control'), '+cpu');
    const dir = path.join(layout.track, group);
    ensureDir(dir);
    writeFileSync(path.join(dir, 'cpu.max'), quota ? `${Math.round(quota.cpus * quota.periodUs)} ${quota.periodUs}` : 'max');
    return [path.join(dir, 'cgroup.procs')];
  }
  ensureDir(layout.track);
  const track = path.join(layout.track, group);
  ensureDir(track);
  const files = [path.join(track, 'cgroup.procs')];
  if (quota) {
    ensureDir(layout.quota);
    const dir = path.join(layout.quota, group);
    ensureDir(dir);
    writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(quota.periodUs));
    writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(Math.round(quota.cpus * quota.periodUs)));
    files.push(path.join(dir, 'cgroup.procs'));
  }
  return files;
}

/** The quota as set, in CPUs, or null when the group has none (or does not exist). */
export function groupQuota(layout: CgroupLayout, group: string): number | null {
  try {
    if (layout.version === 2) {
      const [q, p] = readFileSync(path.join(layout.quota, group, 'cpu.max'), 'utf8')
        .trim()
        .split(' ');
      return q === 'max' ? null : Number(q) / Number(p);
    }
    const dir = path.join(layout.quota, group);
    const q = Number(readFileSync(path.join(dir, 'cpu.cfs_quota_us'), 'utf8'));
    return q < 0 ? null : q / Number(readFileSync(path.join(dir, 'cpu.cfs_period_us'), 'utf8'));
  } catch {
    return null;
  }
}

/** Pids in a group: every process the lab started for that component, children included. */
export function groupPids(layout: CgroupLayout, group: string, where: 'track' | 'quota' = 'track'): number[] {
  try {
    const text = readFileSync(path.join(where === 'track' ? layout.track : layout.quota, group, 'cgroup.procs'), 'utf8');
    return text.split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Removes the lab's groups (they must be empty by now) and its lb-bench folders; returns what could not go. */
export function removeGroups(layout: CgroupLayout): string[] {
  const problems: string[] = [];
  for (const root of new Set([layout.track, layout.quota])) {
    if (!existsSync(root)) continue;
    const children = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory());
    for (const d of children) {
      try {
        rmdirSync(path.join(root, d.name));
      } catch (e) {
        problems.push(`${path.join(root, d.name)}: ${(e as Error).message}`);
      }
    }
    try {
      rmdirSync(root);
    } catch (e) {
      problems.push(`${root}: ${(e as Error).message}`);
    }
  }
  return problems;
}

/** What of the lab's cgroups exists, for the leftovers check. */
export function existingGroups(layout: CgroupLayout): string[] {
  return [...new Set([layout.track, layout.quota])].filter((d) => existsSync(d));
}

/** A group's CPU time so far, in seconds (cpuacct.usage on v1, cpu.stat usage_usec on v2); null when it cannot be read. */
export function groupUsageSeconds(layout: CgroupLayout, group: string): number | null {
  try {
    const dir = accountingDir(layout, group);
    if (layout.version === 1) return Number(readFileSync(path.join(dir, 'cpuacct.usage'), 'utf8')) / 1e9;
    const line = readFileSync(path.join(dir, 'cpu.stat'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('usage_usec '));
    return line ? Number(line.split(' ')[1]) / 1e6 : null;
  } catch {
    return null;
  }
}
