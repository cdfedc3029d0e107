/**
 * Generator hosts (`load.generators`): the load's worker processes run there, started over the SSH
 * connection lb-bench keeps to each, as `<lbBench> worker` (the inventory's `lbBench`, default
 * `lb-bench`: the same program, speaking the worker protocol on the channel). A run's level is
 * split over the hosts, and on each over its workers (`load.workers`: 0 or 1 one each, N, or auto).
 */
import type { ClientChannel } from 'ssh2';
import { PassThrough } from 'node:stream';
import type { Inventory } from '../inventory/schema.js';
import type { WorkerExit, WorkerProcess, WorkerSpawner } from '../load/workers/process.js';
import { CONNECTIONS_PER_WORKER, connectionsFor, type WorkersSetting } from '../load/workers/split.js';
import type { SshHost } from '../ssh/connection.js';
import type { SshPool } from '../ssh/pool.js';

export const DEFAULT_LB_BENCH = 'lb-bench';

/** A worker on `host`: its channel, opened when the pool asks for a worker. */
function remoteSpawner(ssh: SshHost, command: string): WorkerSpawner {
  const name = ssh.host.name;
  return {
    key: `ssh:${name}`,
    where: `on ${name}`,
    host: name,
    spawn: () => channelWorker(ssh.stream(command)),
  };
}

/**
 * A worker process over an SSH channel that is still being opened: what is written meanwhile is
 * held, and a channel that cannot be opened is a worker that could not start (its reason on stderr).
 */
function channelWorker(opening: Promise<ClientChannel>): WorkerProcess {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let channel: ClientChannel | null = null;
  let killed = false;
  const exited = new Promise<WorkerExit>((resolve) => {
    opening.then(
      (ch) => {
        channel = ch;
        if (killed) ch.close();
        let exit: WorkerExit = { code: null, signal: null };
        ch.on('exit', (code: number | null, signal?: string) => (exit = { code: code ?? null, signal: signal ? `SIG${signal}` : null }));
        ch.on('close', () => {
          stdout.end();
          stderr.end();
          resolve(exit);
        });
        ch.pipe(stdout, { end: false });
        ch.stderr.pipe(stderr, { end: false });
        stdin.pipe(ch);
      },
      (e: Error) => {
        stderr.end(`${e.message}\n`);
        stdout.end();
        resolve({ code: null, signal: null });
      },
    );
  });
  return {
    stdin,
    stdout,
    stderr,
    exited,
    kill() {
      killed = true;
      channel?.signal('KILL');
      channel?.close();
    },
    // the SSH connection, not the channel, keeps lb-bench alive; it ends with the scenario
    setRef: () => {},
  };
}

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

export function generatorsOf(inventory: Inventory, pool: SshPool, names: readonly string[]): Generators {
  const spawners = names.map((n) => remoteSpawner(pool.host(n), `${inventory.hosts[n]!.lbBench ?? DEFAULT_LB_BENCH} worker`));
  return {
    hosts: names,
    spawnersFor(level, load) {
      const each = workersPerGenerator(level, load, names.length);
      return Array.from({ length: each * spawners.length }, (_, i) => spawners[i % spawners.length]!);
    },
  };
}
