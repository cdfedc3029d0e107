/**
 * What a failover scenario needs before its first probe: the lab guard (exit 3 before anything is
 * sent), a target that cannot leave this machine by mistake, the lab settings it asks for, SSH to
 * the fault's host and backup, and probes that can run (ping with its interval, the target answering).
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { envError, inputError, LbError } from '../../errors.js';
import { isPlainObject } from '../../util/objects.js';
import { loadYamlMapping } from '../../util/yaml-file.js';
import { inventoryPathFor, loadInventory } from '../../inventory/load.js';
import { assertLabUp, guardBenchAddress } from '../../lab/guard.js';
import { labDir, labInventoryPath } from '../../lab/topology.js';
import { LAB_SETTINGS_FILE } from '../../lab/settings.js';
import { labCalibration } from '../../lab/calibration.js';
import { labConfigsHash } from '../../lab/configs-hash.js';
import type { ManifestCalibration } from '../../results/types.js';
import { checkTarget, checkTcp } from '../../net/reach.js';
import type { FailoverScenario } from './scenario.js';
import type { ResolvedScenario } from '../../scenario/resolved.js';
import { SshPool } from '../../ssh/pool.js';
import { faultPlan } from './faults.js';
import { checkIcmp } from './icmp.js';
import { probeTarget } from './probes.js';

/** The bound on the reachability checks before the first probe. */
const SETUP_CHECK_MS = 10_000;

export interface FailoverEnvironment {
  pool: SshPool | null;
  servers?: Record<string, Record<string, string>>;
  /** on the lab: its calibration, null when it runs another share; undefined elsewhere */
  calibration?: ManifestCalibration | null;
  /** on the lab: the hash of its generated configs; undefined elsewhere */
  labConfigs?: string | null;
  /** which of `hosts` have the target's address on an interface (over SSH) */
  holders(hosts: readonly string[]): Promise<string[]>;
  close(): void;
}

/** Every setting the scenario's lab_config names, compared with the running lab's; a list of differences. */
export function labConfigDifferences(wanted: unknown, running: unknown, at = ''): string[] {
  if (!isPlainObject(wanted))
    return JSON.stringify(wanted) === JSON.stringify(running)
      ? []
      : [`${at}: the lab runs ${JSON.stringify(running)}, this scenario needs ${JSON.stringify(wanted)}`];
  return Object.entries(wanted).flatMap(([k, v]) =>
    labConfigDifferences(v, isPlainObject(running) ? running[k] : undefined, at ? `${at}.${k}` : k),
  );
}

function checkLabConfig(r: ResolvedScenario<FailoverScenario>): void {
  const cfg = r.scenario.lab_config;
  if (!cfg) return;
  const file = path.resolve(path.dirname(r.file), cfg);
  let wanted: unknown;
  try {
    wanted = loadYamlMapping(file, LAB_SETTINGS_FILE);
  } catch (e) {
    if (!(e instanceof LbError)) throw e;
    throw inputError(`${r.file}: lab_config: ${e.message}`, e.hint);
  }
  let running: unknown;
  try {
    running = parse(readFileSync(path.join(labDir(), 'lab.yaml'), 'utf8'));
  } catch {
    throw envError(
      `${r.file}: lab_config: the lab's settings are not in ${labDir()}`,
      `bring the lab up with them: lb-bench lab up --config ${path.relative(process.cwd(), file)}`,
    );
  }
  const diff = labConfigDifferences(wanted, running);
  if (diff.length)
    throw envError(
      `${r.file}: lab_config: ${diff.join('; ')}`,
      `bring the lab up with them first: lb-bench lab up --config ${path.relative(process.cwd(), file)}`,
    );
}

/** Everything checked before a connection is made: the fault's fields, the lab guard, the lab settings asked for. */
async function guard(r: ResolvedScenario<FailoverScenario>, vip: string): Promise<void> {
  const { scenario: s, file } = r;
  const f = s.fault;
  if (f.lab && s.inventory !== 'lab') throw inputError(`${file}: fault.lab: a lab fault needs \`inventory: lab\``);
  if (f.backup && !net.isIPv4(vip))
    throw inputError(`${file}: fault.backup: the target must be an IPv4 address to follow it between hosts, got ${vip}`);
  if (s.inventory === 'lab') await assertLabUp();
  for (const p of s.probe) await guardBenchAddress(probeTarget(p, s.target).host, `${file}: probe target`);
  checkLabConfig(r);
}

/** SSH to the fault's host and backup, when a step runs over SSH or the address is followed; else null. */
async function openPool(
  r: ResolvedScenario<FailoverScenario>,
  opts: { acceptNewHostKeys?: boolean; log: (line: string) => void },
): Promise<SshPool | null> {
  const { scenario: s, file } = r;
  const f = s.fault;
  const plan = faultPlan(f);
  if (!('ssh' in plan.inject || 'ssh' in plan.recover || f.backup !== undefined)) return null;
  if (!s.inventory)
    throw inputError(
      `${file}: fault: runs commands over SSH on ${f.host}, which needs an inventory`,
      'add `inventory: FILE` (or `inventory: lab`), or run the steps here with { local: COMMAND }',
    );
  const inventory = await loadInventory(inventoryPathFor(file, s.inventory, labInventoryPath()), file);
  for (const [field, name] of [
    ['fault.host', f.host],
    ['fault.backup', f.backup],
  ] as const) {
    if (name && !inventory.hosts[name])
      throw inputError(`${file}: ${field}: no host "${name}" in ${inventory.file} (it has: ${Object.keys(inventory.hosts).join(', ')})`);
    if (name) await guardBenchAddress(inventory.hosts[name].address, `${inventory.file}: hosts.${name}.address`);
  }
  return SshPool.open(inventory, [f.host, ...(f.backup ? [f.backup] : [])], { acceptNewHostKeys: opts.acceptNewHostKeys, log: opts.log });
}

/** Every probe can run: ping with its interval and the target answering, the HTTP target answering, the TCP port open. */
async function checkProbes(r: ResolvedScenario<FailoverScenario>): Promise<void> {
  const { scenario: s, file } = r;
  for (const [i, p] of s.probe.entries()) {
    const t = probeTarget(p, s.target);
    const where = `${file}: probe[${i}]`;
    if (p.type === 'icmp') await checkIcmp(p, t.host, where);
    // set-up, not measurement: a generous bound, so a busy machine is not taken for a dead target
    else if (p.type === 'http') await checkTarget(t.url.href, Math.max(p.timeout, SETUP_CHECK_MS), where);
    else await checkTcp(t.host, t.port, Math.max(p.timeout, SETUP_CHECK_MS), where);
  }
}

/** Which of `hosts` have the address on an interface, read in each one's shell. */
async function holdersOf(pool: SshPool, vip: string, hosts: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  await Promise.all(
    hosts.map(async (h) => {
      // a read while probes run: the short window bound (a slow host costs this poll only)
      const r = await pool.query(h, `ip -o -4 addr show to ${vip}/32`);
      if (r.code !== 0) throw new Error(`${h}: \`ip addr\` exited ${r.code}: ${r.stdout.trim().split('\n').pop() ?? ''}`);
      if (r.stdout.includes(vip)) out.push(h);
    }),
  );
  return hosts.filter((h) => out.includes(h));
}

export async function openFailoverEnvironment(
  r: ResolvedScenario<FailoverScenario>,
  opts: { acceptNewHostKeys?: boolean; log: (line: string) => void },
): Promise<FailoverEnvironment> {
  const vip = new URL(r.scenario.target).hostname;
  await guard(r, vip);
  const calibration = r.scenario.inventory === 'lab' ? labCalibration() : undefined;
  const labConfigs = r.scenario.inventory === 'lab' ? labConfigsHash() : undefined;
  const pool = await openPool(r, opts);
  try {
    await checkProbes(r);
  } catch (e) {
    pool?.close();
    throw e;
  }
  return {
    pool,
    calibration,
    labConfigs,
    holders: async (hosts) => (pool ? holdersOf(pool, vip, hosts) : []),
    close: () => pool?.close(),
  };
}
