/**
 * How a run is split over worker processes: how many (`load.workers`, `auto` chosen here from the
 * cores, the level and the open-file limit), and each one's share of requests and connections.
 */
import { availableParallelism } from 'node:os';
import type { LoadShare } from '../engine-types.js';
import { FD_MARGIN, openFileLimit } from '../limits.js';
import { DEFAULT_ENGINE, type EngineName } from '../engines/registry.js';

/**
 * One event loop opens and serves about this many connections of a burst before its own work,
 * not the target, sets the pace (docs/performance.md); `auto` adds a worker per this many.
 */
export const CONNECTIONS_PER_WORKER = 5000;

export type WorkersSetting = number | 'auto';

export const connectionsFor = (level: number, concurrency: number | 'all') =>
  concurrency === 'all' ? level : Math.min(concurrency, level);

/** `total` as `parts` whole numbers that differ by at most one (the remainder to the first ones). */
export function spread(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

/**
 * `auto`: a worker per CONNECTIONS_PER_WORKER connections, no more than there are cores, but at
 * least as many as the open-file limit requires (each worker is its own process, with its own).
 */
export function autoWorkers(connections: number, cpus = availableParallelism(), hardFiles = openFileLimit()?.hard ?? Infinity): number {
  const byLoad = Math.min(cpus, Math.ceil(connections / CONNECTIONS_PER_WORKER));
  const byFiles = Math.ceil(connections / Math.max(1, hardFiles - FD_MARGIN));
  return Math.max(1, byLoad, byFiles);
}

/** Worker processes for one level: 0 runs the engine in lb-bench's own process. */
export function workersFor(level: number, load: { workers: WorkersSetting; concurrency: number | 'all' }): number {
  const connections = connectionsFor(level, load.concurrency);
  const n = load.workers === 'auto' ? autoWorkers(connections) : load.workers;
  // a worker without a connection of its own would only cost a process
  return Math.min(n, connections);
}

/** The most connections one process holds at this level (what its open-file limit must allow). */
export function connectionsPerProcess(level: number, load: { workers: WorkersSetting; concurrency: number | 'all' }): number {
  const connections = connectionsFor(level, load.concurrency);
  const n = workersFor(level, load);
  return n ? spread(connections, n)[0]! : connections;
}

/** Each worker's share: requests and connections each spread, so that the sums are the run's. */
export function splitShare(share: LoadShare, workers: number): LoadShare[] {
  const connectionsTotal = Math.min(share.connections, share.requests);
  const n = Math.max(1, Math.min(workers, connectionsTotal));
  const requests = spread(share.requests, n);
  const connections = spread(connectionsTotal, n);
  return requests.map((r, i) => ({ ...share, requests: r, connections: connections[i]! }));
}

type LoadPlan = { engine?: EngineName; workers: WorkersSetting; concurrency: number | 'all'; levels: number[] };

/** What the manifest records: the engine, the generator hosts if any, and the workers each level runs with. */
export function generatorPlan(
  load: LoadPlan,
  remote?: { hosts: readonly string[]; spawnersFor(level: number, load: LoadPlan): readonly unknown[] } | null,
) {
  return {
    engine: load.engine ?? DEFAULT_ENGINE,
    workers: load.workers,
    ...(remote ? { hosts: [...remote.hosts] } : {}),
    workers_by_level: Object.fromEntries(
      load.levels.map((l) => [String(l), remote ? remote.spawnersFor(l, load).length : workersFor(l, load)]),
    ),
  };
}
