/**
 * Reading an inventory file and checking a scenario's backends against it. Problems are
 * reported all at once, as `FILE: hosts.web1.ssh.port: reason` (exit 2), before any traffic.
 */
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { CPU_SOURCES } from '../cpu/registry.js';
import { inputError, LbError } from '../errors.js';
import type { ScenarioBase } from '../scenario/fields.js';
import { checkSchema } from '../util/issues.js';
import { parseYamlMapping, problemsError, readYamlText, type YamlKind } from '../util/yaml-file.js';
import { inventorySchema, type GeneratorHost, type Inventory } from './inventory-schema.js';
import { transportOf } from '../load/workers/transports/registry.js';

/** What an inventory is, for the reader: a mapping with `hosts`. */
export const INVENTORY_FILE: YamlKind = { what: 'inventory file', keys: ['hosts'], expected: 'a mapping with `hosts`' };

/** The inventory a scenario names: `lab` is the lab's own file, anything else is relative to the scenario. */
export function inventoryPathFor(scenarioFile: string, inventory: string, labInventoryFile: string): string {
  return inventory === 'lab' ? labInventoryFile : resolve(dirname(scenarioFile), inventory);
}

/** Parse an inventory's text; paths are resolved against the folder of `file`. */
export function parseInventoryText(file: string, text: string): { ok: true; value: Inventory } | { ok: false; problems: string[] } {
  const raw = parseYamlMapping(text, INVENTORY_FILE);
  if (!raw.ok) return raw;
  const parsed = checkSchema(inventorySchema, raw.value);
  if (!parsed.ok) return parsed;

  const base = dirname(resolve(file));
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  // no prototype: a scenario naming host `constructor` or `toString` finds no host (it found Object's, then exit 70)
  const hosts: Inventory['hosts'] = Object.create(null);
  const transportOnly: Inventory['transportOnly'] = Object.create(null);
  for (const [name, host] of Object.entries(parsed.value.hosts)) {
    const { ssh, address } = host;
    if (!ssh || address === undefined) {
      transportOnly[name] = { ...host, name };
      continue;
    }
    hosts[name] = {
      ...host,
      name,
      address,
      ssh: {
        ...ssh,
        identity: ssh.identity === undefined ? undefined : at(ssh.identity),
        knownHosts: ssh.knownHosts === undefined ? resolve(homedir(), '.ssh/known_hosts') : at(ssh.knownHosts),
      },
    };
  }
  return { ok: true, value: { file: resolve(file), hosts, transportOnly } };
}

/**
 * Read and check an inventory file; throws one LbError (exit 2) listing every problem. `namedBy`,
 * the scenario file that names it, goes into the hint: the fix may be there, not in the inventory.
 */
export async function loadInventory(file: string, namedBy?: string): Promise<Inventory> {
  const hint = namedBy && `the inventory named by \`inventory\` in ${namedBy}`;
  let text: string;
  try {
    text = readYamlText(file, INVENTORY_FILE);
  } catch (e) {
    throw e instanceof LbError && hint ? new LbError(e.message, e.code, `${e.hint ? `${e.hint}: ` : ''}${hint}`) : e;
  }
  const result = parseInventoryText(file, text);
  if (!result.ok) throw problemsError(file, result.problems, hint);
  return result.value;
}

/** Every backend must name a host of the inventory that has what its CPU source reads (cgroup mode: the host's cgroup). Exit 2 otherwise. */
export function checkBackends(scenarioFile: string, backends: ScenarioBase['backends'], inventory: Inventory): void {
  const problems: string[] = [];
  const names = Object.keys(inventory.hosts);
  const known = names.length > 10 ? [...names.slice(0, 10), `… (${names.length} in all)`] : names;
  backends.forEach((b, i) => {
    const host = inventory.hosts[b.host];
    const missing = host && CPU_SOURCES[b.cpu].missing(host);
    if (!host && inventory.transportOnly[b.host]) {
      problems.push(`backends[${i}].host: "${b.host}" in ${inventory.file} has no \`address\` and \`ssh\`, which sampling its CPU needs`);
    } else if (!host) {
      problems.push(`backends[${i}].host: no host "${b.host}" in ${inventory.file} (it has: ${known.join(', ') || 'none'})`);
    } else if (missing) {
      problems.push(`backends[${i}].cpu: ${b.cpu} mode needs ${missing} in ${inventory.file}; or use cpu: procstat`);
    }
  });
  if (problems.length) throw problemsError(scenarioFile, problems);
}

/**
 * Every generator must be a host of the inventory (exit 2 otherwise, before any traffic); with
 * `programs`, what its transport needs on this machine must be here too (`run`, not `validate`,
 * which may run where kubectl is not). Returns the generator hosts, in the scenario's order.
 */
export function checkGenerators(
  file: string,
  generators: readonly string[],
  inventory: Inventory,
  here: { programs: boolean } = { programs: false },
): GeneratorHost[] {
  const known = [...Object.keys(inventory.hosts), ...Object.keys(inventory.transportOnly)];
  const found: GeneratorHost[] = [];
  const problems = generators.flatMap((g, i) => {
    const host = inventory.hosts[g] ?? inventory.transportOnly[g];
    if (!host) return [`${file}: load.generators[${i}]: no host "${g}" in ${inventory.file} (it has: ${known.join(', ') || 'none'})`];
    found.push(host);
    if (!here.programs) return [];
    const { name, transport, settings } = transportOf(host.transport);
    return (transport.check?.(settings) ?? []).map(
      (p) => `${inventory.file}: hosts.${g}.transport.${name}${p.startsWith('[') ? '' : '.'}${p}`,
    );
  });
  if (problems.length) throw inputError(problems.join('\n'));
  return found;
}
