/**
 * The SSH connections of a scenario: one per host, all opened before the first run (so an
 * unreachable host or a bad host key stops the scenario before any traffic) and reused.
 */
import { LbError, ExitCode } from '../errors.js';
import type { Inventory } from '../inventory/inventory-schema.js';
import { SshHost, type ExecResult, type SshOptions } from './connection.js';

export class SshPool {
  readonly #hosts = new Map<string, SshHost>();

  private constructor(hosts: SshHost[]) {
    for (const h of hosts) this.#hosts.set(h.host.name, h);
  }

  /** Connect to every named host at once; any failure closes the rest and throws one error listing all. */
  static async open(inventory: Inventory, names: readonly string[], options: SshOptions = {}): Promise<SshPool> {
    const hosts = [...new Set(names)].map((n) => {
      const host = inventory.hosts[n];
      if (!host) throw new LbError(`${inventory.file}: no host "${n}"`, ExitCode.input);
      return new SshHost(host, options);
    });
    const results = await Promise.allSettled(hosts.map((h) => h.connect()));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    if (errors.length) {
      for (const h of hosts) h.close();
      const lb = errors.map((e) => (e instanceof LbError ? e : new LbError(e.message, ExitCode.environment)));
      const code = lb.some((e) => e.code === ExitCode.environment) ? ExitCode.environment : lb[0].code;
      const hints = [...new Set(lb.flatMap((e) => (e.hint ? [e.hint] : [])))];
      throw new LbError(lb.map((e) => e.message).join('\n'), code, hints.join('\n') || undefined);
    }
    return new SshPool(hosts);
  }

  get names(): string[] {
    return [...this.#hosts.keys()];
  }

  host(name: string): SshHost {
    const h = this.#hosts.get(name);
    if (!h) throw new LbError(`no SSH connection for host "${name}"`, ExitCode.input);
    return h;
  }

  /** A command that may take a while (a fault step): bounded by the host's setup bound unless told. */
  exec(name: string, command: string, options?: { timeoutMs?: number; reconnect?: boolean }): Promise<ExecResult> {
    return this.host(name).exec(command, options);
  }

  /** A short read in the host's persistent shell (stdout and stderr merged), bounded by WINDOW_READ_MS unless told. */
  query(name: string, script: string, options?: { timeoutMs?: number; reconnect?: boolean }): Promise<ExecResult> {
    return this.host(name).query(script, options);
  }

  close(): void {
    for (const h of this.#hosts.values()) h.close();
  }
}
