/**
 * What a scenario needs around the load: the lab guard, the inventory, SSH to the backends and
 * their CPU monitor. Everything here fails before the first byte of load, with exit 2 (the files
 * are wrong) or 3 (the hosts are not there).
 */
import { inputError } from '../errors.js';
import { checkBackends, inventoryPathFor, loadInventory } from '../inventory/load.js';
import type { Inventory } from '../inventory/schema.js';
import { assertLabUp, guardBenchAddress } from '../lab/guard.js';
import { labInventoryPath } from '../lab/topology.js';
import { CpuMonitor } from '../samplers/monitor.js';
import { SshPool } from '../ssh/pool.js';
import { serverVersions } from '../ssh/versions.js';
import type { ResolvedScenario } from '../scenario/load.js';

export interface EnvironmentOptions {
  acceptNewHostKeys?: boolean;
  log: (line: string) => void;
}

export interface Environment {
  inventory: Inventory | null;
  pool: SshPool | null;
  monitor: CpuMonitor | null;
  servers: Record<string, Record<string, string>>;
  warnings: string[];
  close(): void;
}

export async function openEnvironment(r: ResolvedScenario, opts: EnvironmentOptions): Promise<Environment> {
  const { scenario, file } = r;
  if (scenario.inventory === 'lab') await assertLabUp();
  await guardBenchAddress(new URL(scenario.target).hostname, `${file}: target`);

  const none: Environment = { inventory: null, pool: null, monitor: null, servers: {}, warnings: [], close: () => {} };
  if (!scenario.inventory) {
    if (scenario.backends.length) throw inputError(`${file}: backends: sampling CPU needs an inventory of hosts`, 'add `inventory: FILE` (or `inventory: lab`)');
    return none;
  }
  const inventory = await loadInventory(inventoryPathFor(file, scenario.inventory, labInventoryPath()), file);
  checkBackends(file, scenario.backends, inventory);
  for (const b of scenario.backends) await guardBenchAddress(inventory.hosts[b.host].address, `${inventory.file}: hosts.${b.host}.address`);
  if (!scenario.backends.length) return { ...none, inventory };

  const pool = await SshPool.open(
    inventory,
    scenario.backends.map((b) => b.host),
    { acceptNewHostKeys: opts.acceptNewHostKeys, log: opts.log },
  );
  const monitor = new CpuMonitor(pool, inventory, scenario.backends);
  try {
    await monitor.check();
    const versions = await serverVersions(pool);
    return {
      inventory,
      pool,
      monitor,
      servers: versions.servers,
      warnings: versions.warnings,
      close: () => {
        monitor.stop();
        pool.close();
      },
    };
  } catch (e) {
    monitor.stop();
    pool.close();
    throw e;
  }
}
