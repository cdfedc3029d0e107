/**
 * Generator hosts (`load.generators`): the load's worker processes run there, each reached by its
 * host's transport (src/load/workers/transports/: SSH by default, or a command such as
 * `kubectl exec -i POD -- lb-bench worker`), speaking the worker protocol on the way. A run's level
 * is split over the hosts, and on each over its workers (`load.workers`: 0 or 1 one each, N, or auto).
 */
import type { GeneratorHost } from '../../inventory/inventory-schema.js';
import type { WorkerSpawner } from '../../load/workers/process.js';
import { transportOf } from '../../load/workers/transports/registry.js';
import { CONNECTIONS_PER_WORKER, connectionsFor, type WorkersSetting } from '../../load/workers/split.js';
import type { SshPool } from '../../ssh/pool.js';

export { DEFAULT_LB_BENCH } from '../../load/workers/transports/ssh.js';

/** Worker processes per generator host for one level. */
export function workersPerGenerator(level: number, load: { workers: WorkersSetting; concurrency: number | 'all' }, hosts: number): number {
  const perHost = Math.ceil(connectionsFor(level, load.concurrency) / hosts);
  const n = load.workers === 'auto' ? Math.ceil(perHost / CONNECTIONS_PER_WORKER) : load.workers;
  return Math.max(1, Math.min(n, perHost));
}

export interface Generators {
  readonly hosts: readonly string[];
  /** a spawner per worker of this level: the hosts in turn, so that each gets its share */
  spawnersFor(level: number, load: { workers: WorkersSetting; concurrency: number | 'all' }): WorkerSpawner[];
}

/** `hosts`: the generators, in the scenario's order; `pool`: SSH to those whose transport needs it. */
export function generatorsOf(hosts: readonly GeneratorHost[], pool: SshPool | null): Generators {
  const spawners = hosts.map((h) => {
    const { transport, settings } = transportOf(h.transport);
    return transport.spawner(h, settings, { pool });
  });
  return {
    hosts: hosts.map((h) => h.name),
    spawnersFor(level, load) {
      const each = workersPerGenerator(level, load, hosts.length);
      return Array.from({ length: each * spawners.length }, (_, i) => spawners[i % spawners.length]!);
    },
  };
}
