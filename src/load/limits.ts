/**
 * The generator's own limits. A level that needs more sockets than the process may open would
 * show up as "loss" that the target never caused, so it is raised where the hard limit allows,
 * or refused (exit 3) with what to set.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { envError } from '../errors.js';

/** sockets, files and pipes that Node, SSH connections and the results store hold besides the load */
export const FD_MARGIN = 256;

export function openFileLimit(): { soft: number; hard: number } | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const [soft, hard] = (line ?? '')
      .trim()
      .split(/\s{2,}/)
      .slice(1, 3);
    const num = (v: string) => (v === 'unlimited' ? Infinity : Number(v));
    if (soft === undefined || hard === undefined) return null;
    return { soft: num(soft), hard: num(hard) };
  } catch {
    return null; // not Linux: nothing to check against
  }
}

/** Make sure `connections` simultaneous sockets fit; raises the soft limit with prlimit(1). */
export function ensureOpenFiles(connections: number, where: string): void {
  const limit = openFileLimit();
  if (!limit) return;
  const needed = connections + FD_MARGIN;
  if (needed <= limit.soft) return;
  if (needed > limit.hard) {
    throw envError(
      `${where}: ${connections} simultaneous connections need about ${needed} open files, but this process may open at most ${limit.hard} (hard limit)`,
      `raise it (ulimit -Hn ${needed}, or LimitNOFILE= for a service) as root, split the level over worker processes (load.workers: auto), or lower load.concurrency`,
    );
  }
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${limit.hard}:${limit.hard}`], { stdio: 'ignore' });
  } catch {
    /* checked below */
  }
  const after = openFileLimit();
  if (!after || after.soft < needed) {
    throw envError(
      `${where}: ${connections} simultaneous connections need about ${needed} open files, but the soft limit is ${limit.soft} and could not be raised`,
      `run \`ulimit -n ${Math.min(limit.hard, Math.max(needed, 65536))}\` in the shell first, or lower load.concurrency`,
    );
  }
}

/** Local ports for connections to one destination: the ephemeral range's size. */
export function ephemeralPorts(): number | null {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return hi - lo + 1;
  } catch {
    return null;
  }
}

export function ensurePorts(connections: number, where: string): void {
  const ports = ephemeralPorts();
  if (ports !== null && connections > ports) {
    throw envError(
      `${where}: ${connections} simultaneous connections to one address need more local ports than the ${ports} of net.ipv4.ip_local_port_range`,
      'widen it as root: sysctl -w net.ipv4.ip_local_port_range="1024 65535", or lower load.concurrency',
    );
  }
}
