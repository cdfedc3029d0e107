/**
 * How lb-bench reaches a worker on a generator host (`load.generators`): a transport opens a
 * process that speaks the worker protocol (../protocol.ts) on its stdin and stdout. The protocol
 * is the same over every transport; only the way to the worker differs. A transport declares its
 * settings (`hosts.NAME.transport.<its name>` in the inventory) and whether it needs lb-bench's SSH
 * connection to the host; a new one is one file here and one line in registry.ts.
 */
import type { ClientChannel } from 'ssh2';
import type { z } from 'zod';
import type { WorkerSpawner } from '../process.js';

/** A generator host as a transport sees it. */
export interface GeneratorHost {
  name: string;
  /** the command that runs lb-bench on the host (SSH transport); default `lb-bench` */
  lbBench?: string;
}

/**
 * lb-bench's SSH connections (src/ssh/pool.ts's SshPool), as much of them as a transport uses.
 * Said here rather than imported: the inventory's schema names the transports, and the SSH pool
 * reads the inventory, so an import of the pool from here would close a circle.
 */
export interface SshChannels {
  host(name: string): { stream(command: string): Promise<ClientChannel> };
}

export interface TransportContext {
  /** open to every host whose transport needs one */
  pool: SshChannels | null;
}

export interface WorkerTransport<Settings> {
  /** its settings, the value of `transport.<name>` */
  readonly settings: z.ZodType<Settings>;
  /** lb-bench connects to the host over SSH before the first run (`address` and `ssh` are required) */
  readonly ssh: boolean;
  /** what must hold before the first run, e.g. the program exists: problems as `field: reason` (exit 2) */
  check?(settings: Settings): string[];
  spawner(host: GeneratorHost, settings: Settings, context: TransportContext): WorkerSpawner;
}
