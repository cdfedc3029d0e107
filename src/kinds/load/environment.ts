/**
 * What a scenario needs around the load: the lab guard, the inventory, SSH to the backends whose
 * CPU source reads over SSH, and their CPU monitor. Everything here fails before the first byte of
 * load, with exit 2 (the files are wrong) or 3 (the hosts are not there).
 */
import { CpuMonitor } from './cpu-monitor.js';
import { CPU_SOURCES } from '../../cpu/registry.js';
import { inputError } from '../../errors.js';
import { checkBackends, checkGenerators, inventoryPathFor, loadInventory } from '../../inventory/load.js';
import type { Inventory } from '../../inventory/inventory-schema.js';
import { transportOf } from '../../load/workers/transports/registry.js';
import { assertLabUp, guardBenchAddress } from '../../lab/guard.js';
import { labInventoryPath } from '../../lab/topology.js';
import { labCalibration } from '../../lab/calibration.js';
import { labConfigsHash } from '../../lab/configs-hash.js';
import type { ManifestCalibration } from '../../results/types.js';
import { SshPool } from '../../ssh/pool.js';
import { generatorsOf, type Generators } from './generators.js';
import { serverVersions } from '../../ssh/versions.js';
import type { LoadScenario } from './scenario.js';
import type { ResolvedScenario } from '../../scenario/resolved.js';

export interface EnvironmentOptions {
  acceptNewHostKeys?: boolean;
  log: (line: string) => void;
}

export interface Environment {
  inventory: Inventory | null;
  pool: SshPool | null;
  monitor: CpuMonitor | null;
  /** where the load's workers run, when the scenario names generator hosts */
  generators: Generators | null;
  servers: Record<string, Record<string, string>>;
  warnings: string[];
  /** on the lab: its calibration, null when it runs another share; undefined elsewhere */
  calibration?: ManifestCalibration | null;
  /** on the lab: the hash of its generated configs; undefined elsewhere */
  labConfigs?: string | null;
  close(): void;
}

export async function openEnvironment(r: ResolvedScenario<LoadScenario>, opts: EnvironmentOptions): Promise<Environment> {
  const { scenario, file } = r;
  if (scenario.inventory === 'lab') await assertLabUp();
  await guardBenchAddress(new URL(scenario.target).hostname, `${file}: target`);
  // on the lab: its calibration and configs, for the manifest
  const lab = scenario.inventory === 'lab' ? { calibration: labCalibration(), labConfigs: labConfigsHash() } : {};

  const none: Environment = {
    inventory: null,
    pool: null,
    monitor: null,
    generators: null,
    servers: {},
    warnings: [],
    ...lab,
    close: () => {},
  };
  const generators = scenario.load.generators ?? [];
  if (!scenario.inventory) {
    if (scenario.backends.length)
      throw inputError(`${file}: backends: sampling CPU needs an inventory of hosts`, 'add `inventory: FILE` (or `inventory: lab`)');
    if (generators.length)
      throw inputError(
        `${file}: load.generators: names hosts of an inventory, and the scenario has none`,
        'add `inventory: FILE` (or `inventory: lab`)',
      );
    return none;
  }
  const inventory = await loadInventory(inventoryPathFor(file, scenario.inventory, labInventoryPath()), file);
  checkBackends(file, scenario.backends, inventory);
  const generatorHosts = checkGenerators(file, generators, inventory, { programs: true });
  // a generator reached by a command has no address of lb-bench's to guard: the target is guarded
  for (const g of generators)
    if (inventory.hosts[g]) await guardBenchAddress(inventory.hosts[g].address, `${inventory.file}: hosts.${g}.address`);
  // every address a CPU source sends to, before anything is sent
  for (const b of scenario.backends) {
    for (const a of CPU_SOURCES[b.cpu].addresses(inventory.hosts[b.host]))
      await guardBenchAddress(a.address, `${inventory.file}: ${a.field}`);
  }
  if (!scenario.backends.length && !generators.length) return { ...none, inventory };

  const overSsh = [
    ...scenario.backends.filter((b) => CPU_SOURCES[b.cpu].ssh).map((b) => b.host),
    ...generatorHosts.filter((h) => transportOf(h.transport).transport.ssh).map((h) => h.name),
  ];
  const pool = overSsh.length ? await SshPool.open(inventory, overSsh, { acceptNewHostKeys: opts.acceptNewHostKeys, log: opts.log }) : null;
  const monitor = scenario.backends.length ? new CpuMonitor(pool, inventory, scenario.backends) : null;
  const close = () => {
    monitor?.stop();
    pool?.close();
  };
  try {
    await monitor?.check();
    // the servers' versions are read over SSH, from the hosts it reaches
    const versions = pool ? await serverVersions(pool) : { servers: {}, warnings: [] };
    const gens = generators.length ? generatorsOf(generatorHosts, pool) : null;
    return { inventory, pool, monitor, generators: gens, servers: versions.servers, warnings: versions.warnings, ...lab, close };
  } catch (e) {
    close();
    throw e;
  }
}
