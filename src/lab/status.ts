/**
 * `lab status`: every host and service with its health, checked the way a user would — HTTP
 * through each balancer port and to each web server, which balancer holds the VIP, an SSH login
 * to each host with the lab's key and known_hosts — plus the lab's own bookkeeping (pids, cgroups).
 */
import { existsSync } from 'node:fs';
import { detectCgroups, groupPids, groupQuota, type CgroupLayout } from './cgroup.js';
import { labComponents } from './components.js';
import { labProblems } from './guard.js';
import { hostNetworkHealthy, namespacesHolding } from './netns.js';
import { failure } from '../net/reach.js';
import { httpGet } from './probes.js';
import { runningPid, type Component } from './processes.js';
import { readLabSettings } from './state.js';
import { BALANCERS, BALANCER_PORTS, HOSTS, VIP, labPaths, type LabHost, type LabPaths } from './topology.js';
import type { LabSettings } from './settings.js';
import { loadInventory } from '../inventory/load.js';
import type { Inventory } from '../inventory/inventory-schema.js';
import { SshHost } from '../ssh/connection.js';

export interface Check {
  host: string;
  service: string;
  ok: boolean;
  detail: string;
}

const PORTS = Object.values(BALANCER_PORTS);

async function httpCheck(address: string, port: number, expectBackend?: string): Promise<[boolean, string]> {
  try {
    const r = await httpGet(address, port);
    const ok = r.status === 200 && Boolean(r.backend) && (!expectBackend || r.backend === expectBackend);
    return [ok, `:${port} ${r.status}${r.backend ? ` from ${r.backend}` : ''}`];
  } catch (e) {
    return [false, `:${port} ${failure(e)}`];
  }
}

/** Log in as the scenarios will (the lab's key, the host key checked) and see the shell answer, within the host's set-up bound. */
async function sshCheck(inventory: Inventory, host: LabHost): Promise<void> {
  const ssh = new SshHost(inventory.hosts[host.name]);
  try {
    await ssh.connect();
  } finally {
    ssh.close();
  }
}

async function serviceCheck(
  p: LabPaths,
  layout: CgroupLayout,
  s: LabSettings,
  inventory: Inventory,
  host: LabHost,
  c: Component,
): Promise<Check> {
  const pid = runningPid(p, layout, c);
  const parts = [pid ? `pid ${pid}` : 'not running'];
  let ok = pid !== null;
  const add = ([good, text]: [boolean, string]) => {
    ok &&= good;
    parts.push(text);
  };
  if (c.service === 'apache') {
    add(await httpCheck(host.address, 80, host.name));
    const quota = groupQuota(layout, c.group);
    const inQuota = pid !== null && groupPids(layout, c.group, 'quota').includes(pid);
    add([
      quota !== null && Math.abs(quota - s.web.cpus) < 1e-6 && inQuota,
      `cgroup ${c.group}: ${quota ?? 'no'} CPU quota${inQuota ? '' : ', process not in it'}`,
    ]);
  } else if (c.service === 'haproxy') {
    add(await httpCheck(host.address, BALANCER_PORTS.haproxyRoundRobin));
    add(await httpCheck(host.address, BALANCER_PORTS.haproxyLeastConn));
  } else if (c.service === 'nginx') {
    add(await httpCheck(host.address, BALANCER_PORTS.nginxRoundRobin));
  } else if (c.service === 'sshd') {
    try {
      await sshCheck(inventory, host);
      parts.push('login with the lab key, host key verified');
    } catch (e) {
      add([false, `ssh: ${(e as Error).message}`]);
    }
  }
  return { host: host.name, service: c.service, ok, detail: parts.join('; ') };
}

async function vipChecks(): Promise<Check[]> {
  const holders = await namespacesHolding(
    VIP,
    BALANCERS.map((b) => b.name),
  );
  const checks: Check[] = [
    {
      host: 'lab',
      service: 'vip',
      ok: holders.length === 1,
      detail:
        holders.length === 1
          ? `${VIP} on ${holders[0]}${holders[0] === BALANCERS[0]!.name ? ' (MASTER)' : ' (BACKUP has taken over)'}`
          : holders.length
            ? `${VIP} on ${holders.join(' and ')}: both claim it`
            : `${VIP} held by no balancer`,
    },
  ];
  for (const port of PORTS) {
    const [ok, detail] = await httpCheck(VIP, port);
    checks.push({ host: 'lab', service: `vip:${port}`, ok, detail });
  }
  return checks;
}

export async function labStatus(): Promise<Check[]> {
  const p = labPaths();
  const problems = labProblems();
  const checks: Check[] = [
    { host: 'lab', service: 'network', ok: !problems.length, detail: problems.join('; ') || 'bridge, route and namespaces in place' },
  ];
  if (!existsSync(p.settings)) {
    checks.push({ host: 'lab', service: 'state', ok: false, detail: `${p.dir}: the lab was never brought up here` });
    return checks;
  }
  if (problems.length) {
    // without the bridge, HTTP and SSH to 198.18.0.x would follow the default route off this machine
    checks.push({
      host: 'lab',
      service: 'services',
      ok: false,
      detail: 'not checked: nothing is sent to the lab while its network is down (lb-bench lab up)',
    });
    return checks;
  }
  const s = readLabSettings(p);
  const layout = detectCgroups();
  const components = labComponents(s, p);
  const inventory = await loadInventory(p.inventory);
  const perHost = HOSTS.map(async (host) => {
    const net = await hostNetworkHealthy(host);
    const rows: Check[] = [{ host: host.name, service: 'network', ok: !net, detail: net ?? `${host.address} on eth0` }];
    for (const c of components.filter((x) => x.host === host.name)) rows.push(await serviceCheck(p, layout, s, inventory, host, c));
    return rows;
  });
  checks.push(...(await vipChecks()), ...(await Promise.all(perHost)).flat());
  return checks;
}

export function statusTable(checks: Check[]): string {
  const w = (k: 'host' | 'service') => Math.max(k.length, ...checks.map((c) => c[k].length));
  const [hw, sw] = [w('host'), w('service')];
  const line = (h: string, s: string, st: string, d: string) => `${h.padEnd(hw)}  ${s.padEnd(sw)}  ${st.padEnd(6)}  ${d}`;
  return [line('HOST', 'SERVICE', 'STATE', 'DETAIL'), ...checks.map((c) => line(c.host, c.service, c.ok ? 'ok' : 'FAILED', c.detail))].join(
    '\n',
  );
}
