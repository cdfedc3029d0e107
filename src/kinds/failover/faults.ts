/**
 * Injecting and recovering a fault: a step runs over SSH on the fault's host, or on this machine
 * (`{ local: … }`, for a fault that cuts the host off from SSH), or is the lab's own repair.
 * The lab's ready-made faults are spelled out here, from the pids the lab records.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { envError } from '../../errors.js';
import type { FaultSettings, FaultStep, LabFault } from './scenario.js';
import { labDir } from '../../lab/topology.js';
import type { SshPool } from '../../ssh/pool.js';

/** `lab` = `lb-bench lab up` with the running lab's own settings: restarts what died, changes nothing else. */
export type Step = { ssh: string } | { local: string } | { lab: 'repair' };

export interface FaultPlan {
  inject: Step;
  recover: Step;
}

/**
 * The lab's faults on a balancer `h`. The pids are the ones `lab up` recorded: the daemon's own
 * (pids/) and, for keepalived, its VRRP child's (run/, keepalived's -r file).
 */
export function labFault(fault: LabFault, h: string, dir = labDir()): FaultPlan {
  const pid = (id: string) => `$(cat ${path.join(dir, 'pids', `${h}-${id}.pid`)})`;
  switch (fault) {
    case 'keepalived-crash':
      // both processes at once, child first: a VRRP child outliving its parent would stop cleanly
      // (priority 0), which is the other fault; killed, the VIP stays on the interface, as on a crash
      return {
        inject: { ssh: `kill -9 $(cat ${path.join(dir, 'run', `${h}-keepalived-vrrp.pid`)}) ${pid('keepalived')}` },
        recover: { lab: 'repair' },
      };
    case 'keepalived-stop':
      // SIGTERM: keepalived sends a priority-0 advert and removes the VIP, as `systemctl stop` does
      return { inject: { ssh: `kill -TERM ${pid('keepalived')}` }, recover: { lab: 'repair' } };
    case 'link-down':
      // the cable is pulled from outside (the host's own link, from this machine): SSH would go with it
      return { inject: { local: `ip -n ${h} link set eth0 down` }, recover: { local: `ip -n ${h} link set eth0 up` } };
    case 'haproxy-crash':
      // keepalived's track_script on the lab's balancers sees it and gives up the VIP
      return { inject: { ssh: `kill -9 ${pid('haproxy')}` }, recover: { lab: 'repair' } };
  }
}

const toStep = (s: FaultStep): Step => (typeof s === 'string' ? { ssh: s } : { local: s.local });

export function faultPlan(f: FaultSettings): FaultPlan {
  if (f.lab) return labFault(f.lab, f.host);
  return { inject: toStep(f.inject!), recover: f.recover === undefined ? { local: 'true' } : toStep(f.recover) };
}

export const describeStep = (s: Step) =>
  'ssh' in s ? `ssh: ${s.ssh}` : 'local' in s ? `local: ${s.local}` : 'lab repair (lb-bench lab up with the running settings)';

/** A local shell command, bounded; killed (by its pid, our own child) past the bound. */
function runLocal(command: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, output: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The lab's repair: `lab up` with the settings the running lab was brought up with. */
export async function labRepair(): Promise<void> {
  const { labUp } = await import('../../lab/lab.js');
  await labUp(path.join(labDir(), 'lab.yaml'));
}

export async function runStep(step: Step, what: string, host: string, pool: SshPool | null, timeoutMs: number): Promise<void> {
  if ('lab' in step) return labRepair();
  if ('local' in step) {
    const r = await runLocal(step.local, timeoutMs);
    if (r.code !== 0)
      throw envError(
        `${what}: \`${step.local}\` ${r.code === null ? `did not finish within ${timeoutMs} ms` : `exited ${r.code}`}: ${r.output.trim().split('\n').pop() ?? ''}`,
      );
    return;
  }
  if (!pool) throw envError(`${what}: runs over SSH on ${host}, but the scenario has no inventory`);
  const r = await pool.exec(host, step.ssh, { timeoutMs });
  if (r.code !== 0)
    throw envError(`${what}: \`${step.ssh}\` on ${host} exited ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}`);
}
