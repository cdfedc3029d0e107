/**
 * The lab's inventory, in the format of the inventory loader (issue 3): hosts by name with
 * address, ssh and, for the web servers, the cgroup the CPU sampler reads and its CPU share.
 * Paths are relative to the inventory file, so the state folder can move as a whole.
 */
import path from 'node:path';
import type { LabHost, LabPaths } from './topology.js';

export interface InventoryHost {
  address: string;
  cgroup?: { path: string; cpus: number };
}

export function inventoryText(p: LabPaths, hosts: readonly LabHost[], cgroupOf: (h: LabHost) => InventoryHost['cgroup']): string {
  const rel = (f: string) => path.relative(path.dirname(p.inventory), f);
  const ssh = `{ user: root, port: 22, identity: ${rel(p.userKey)}, knownHosts: ${rel(p.knownHosts)} }`;
  const lines = [
    '# The lab\'s hosts, written by `lb-bench lab up`; scenarios name it as `inventory: lab`.',
    '# Paths are relative to this file.',
    'hosts:',
  ];
  for (const h of hosts) {
    lines.push(`  ${h.name}:`, `    address: ${h.address}`, `    ssh: ${ssh}`);
    const cg = cgroupOf(h);
    if (cg) lines.push(`    cgroup: { path: ${cg.path}, cpus: ${cg.cpus} }`);
  }
  return lines.join('\n') + '\n';
}
