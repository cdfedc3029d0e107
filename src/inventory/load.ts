/**
 * Reading an inventory file and checking a scenario's backends against it. Problems are
 * reported all at once, as `FILE: hosts.web1.ssh.port: reason` (exit 2), before any traffic.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { inputError } from '../errors.js';
import { formatIssues } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { inventorySchema, type Inventory } from './schema.js';

/** The inventory a scenario names: `lab` is the lab's own file, anything else is relative to the scenario. */
export function inventoryPathFor(scenarioFile: string, inventory: string, labInventoryFile: string): string {
  return inventory === 'lab' ? labInventoryFile : resolve(dirname(scenarioFile), inventory);
}

/** Parse an inventory's text; paths are resolved against the folder of `file`. */
export function parseInventoryText(file: string, text: string): { ok: true; value: Inventory } | { ok: false; problems: string[] } {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) {
    return { ok: false, problems: doc.errors.map((e) => `line ${e.linePos?.[0].line ?? 0}: not valid YAML: ${e.message.split('\n')[0]}`) };
  }
  const parsed = inventorySchema.safeParse(doc.toJS(), { reportInput: true });
  if (!parsed.success) return { ok: false, problems: formatIssues(parsed.error.issues) };

  const base = dirname(resolve(file));
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const hosts: Inventory['hosts'] = {};
  for (const [name, host] of Object.entries(parsed.data.hosts)) {
    hosts[name] = {
      ...host,
      name,
      ssh: {
        ...host.ssh,
        identity: host.ssh.identity === undefined ? undefined : at(host.ssh.identity),
        knownHosts: host.ssh.knownHosts === undefined ? resolve(homedir(), '.ssh/known_hosts') : at(host.ssh.knownHosts),
      },
    };
  }
  return { ok: true, value: { file: resolve(file), hosts } };
}

/** Read and check an inventory file; throws one LbError (exit 2) listing every problem. */
export async function loadInventory(file: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw inputError(`${file}: cannot read the inventory file (${code === 'ENOENT' ? 'no such file' : code})`, 'check the scenario\'s `inventory` field');
  }
  const result = parseInventoryText(file, text);
  if (!result.ok) throw inputError(result.problems.map((p) => `${file}: ${p}`).join('\n'));
  return result.value;
}

/** Every backend must name a host of the inventory; cgroup mode needs that host's cgroup. Exit 2 otherwise. */
export function checkBackends(scenarioFile: string, backends: Scenario['backends'], inventory: Inventory): void {
  const problems: string[] = [];
  const known = Object.keys(inventory.hosts);
  backends.forEach((b, i) => {
    const host = inventory.hosts[b.host];
    if (!host) {
      problems.push(`backends[${i}].host: no host "${b.host}" in ${inventory.file} (it has: ${known.join(', ') || 'none'})`);
    } else if (b.cpu === 'cgroup' && !host.cgroup) {
      problems.push(
        `backends[${i}].cpu: cgroup mode needs hosts.${b.host}.cgroup ({ path, cpus }) in ${inventory.file}; or use cpu: procstat`,
      );
    }
  });
  if (problems.length) throw inputError(problems.map((p) => `${scenarioFile}: ${p}`).join('\n'));
}
