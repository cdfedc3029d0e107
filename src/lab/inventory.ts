/**
 * The lab's inventory, in the format of the inventory loader (issue 3): hosts by name with
 * address, ssh and, for the web servers, the cgroup the CPU sampler reads and its CPU share.
 * Paths are relative to the inventory file, so the state folder can move as a whole.
 */
import path from 'node:path';
import { Document, YAMLMap } from 'yaml';
import type { LabHost, LabPaths } from './topology.js';

/** What a lab host adds to its address and ssh: a web server's cgroup, a generator host's lb-bench. */
export interface InventoryExtras {
  cgroup?: { path: string; cpus: number };
  lbBench?: string;
}

/** A small mapping on one line, `{ user: root, port: 22 }`, as a person writes it. */
function inline(doc: Document, value: object): YAMLMap {
  const node = doc.createNode(value) as YAMLMap;
  node.flow = true;
  return node;
}

export function inventoryText(p: LabPaths, hosts: readonly LabHost[], extrasOf: (h: LabHost) => InventoryExtras): string {
  const rel = (f: string) => path.relative(path.dirname(p.inventory), f);
  const doc = new Document({ hosts: {} });
  const ssh = { user: 'root', port: 22, identity: rel(p.userKey), knownHosts: rel(p.knownHosts) };
  for (const h of hosts) {
    const { cgroup, lbBench } = extrasOf(h);
    doc.setIn(['hosts', h.name], {
      address: h.address,
      ssh: inline(doc, ssh),
      ...(cgroup ? { cgroup: inline(doc, cgroup) } : {}),
      ...(lbBench ? { lbBench } : {}),
    });
  }
  (doc.contents as YAMLMap).commentBefore =
    " The lab's hosts, written by `lb-bench lab up`; scenarios name it as `inventory: lab`.\n Paths are relative to this file.";
  return doc.toString({ lineWidth: 0 });
}
