/**
 * Starting and stopping the lab's daemons. Each component runs in the foreground, in its
 * namespace (nsenter --net, which keeps this machine's mounts), in a cgroup of its own that
 * `shell` joins before it execs the daemon — so the pid recorded at spawn is the daemon's own,
 * and the cgroup lists every process it later forks. `stop` signals the recorded pid, then
 * whatever is left in that cgroup: the lab's processes and no one else's.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { envError } from '../errors.js';
import { groupPids, type CgroupLayout } from './cgroup.js';
import { inNetns } from './netns.js';
import type { LabPaths } from './topology.js';

export interface Component {
  /** e.g. "lb1-haproxy": names its pid file and log */
  id: string;
  /** its cgroup: the host's name for a web server (the inventory's cgroup path), else the id */
  group: string;
  host: string;
  service: 'apache' | 'haproxy' | 'nginx' | 'keepalived' | 'sshd';
  argv: string[];
  /** the config file that the argv names: written first; a change restarts the component */
  config: { file: string; text: string };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
export const pidFile = (p: LabPaths, id: string) => path.join(p.pids, `${id}.pid`);
export const logFile = (p: LabPaths, id: string) => path.join(p.logs, `${id}.log`);

function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}
const isLive = (pid: number) => {
  const s = procState(pid);
  return s !== null && s !== 'Z' && s !== 'X';
};

/** The recorded pid, if that process is alive and still in the component's cgroup (pid reuse cannot pass this). */
export function runningPid(p: LabPaths, layout: CgroupLayout, c: Pick<Component, 'id' | 'group'>): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile(p, c.id), 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !isLive(pid)) return null;
  return groupPids(layout, c.group).includes(pid) ? pid : null;
}

/**
 * Spawns the component: sh joins the cgroups, raises the file limit and execs nsenter, which
 * execs the daemon; all three are the same process, whose pid is recorded at once.
 */
export function start(p: LabPaths, c: Component, procsFiles: string[], nofile: number): number {
  const joins = procsFiles.map((f) => `echo $$ > ${quote(f)}`).join(' && ');
  // without CAP_SYS_RESOURCE (some containers) the hard limit cannot be raised: use it, and say so
  const limit = `{ ulimit -n ${nofile} 2>/dev/null || { echo "lb-bench lab: file limit ${nofile} not allowed here, using $(ulimit -Hn)"; ulimit -n $(ulimit -Hn); }; }`;
  const script = `${joins} && ${limit} && exec ${inNetns(c.host, c.argv).map(quote).join(' ')}`;
  const log = openSync(logFile(p, c.id), 'a');
  writeFileSync(log, `--- ${new Date().toISOString()} lb-bench lab: starting ${c.id}: ${c.argv.join(' ')}\n`);
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  if (!child.pid) throw envError(`could not start ${c.id}: ${c.argv[0]}`);
  child.on('error', () => undefined);
  child.unref();
  writeFileSync(pidFile(p, c.id), `${child.pid}\n`);
  return child.pid;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stops a component: SIGTERM to the recorded pid, then SIGKILL to anything left in its cgroup after the grace time. */
export async function stop(p: LabPaths, layout: CgroupLayout, c: Pick<Component, 'id' | 'group'>, graceMs = 5000): Promise<void> {
  const pid = runningPid(p, layout, c);
  // the daemon stops its own children; without it (it died), its orphans get no grace
  if (pid) signal(pid, 'SIGTERM');
  else for (const orphan of groupPids(layout, c.group)) signal(orphan, 'SIGKILL');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && groupPids(layout, c.group).some(isLive)) await sleep(50);
  // orphans (Apache children whose parent died, an SSH session) are still the lab's: its cgroup says so
  for (const left of groupPids(layout, c.group)) signal(left, 'SIGKILL');
  const hardDeadline = Date.now() + 3000;
  while (Date.now() < hardDeadline && groupPids(layout, c.group).some(isLive)) await sleep(50);
  rmSync(pidFile(p, c.id), { force: true });
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** The last lines of a component's log, for an error message that says why it did not start. */
export function logTail(p: LabPaths, id: string, lines = 3): string {
  const file = logFile(p, id);
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8').trim().split('\n');
  return text.slice(-lines).join(' | ');
}
