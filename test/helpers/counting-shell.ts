/**
 * A Shell (src/cpu/source.ts) that passes every query to the real one and counts, per host, the
 * reads that came back: what a test waits on instead of sleeping until a sampler "must have" read.
 */
import type { Shell } from '../../src/cpu/source.js';
import { waitFor } from './wait.js';

export interface CountingShell extends Shell {
  /** queries to `host` answered with exit 0 so far */
  reads(host: string): number;
  /** until each of `hosts` has been read `n` more times than when called, or fails naming `what` after `timeout` ms */
  moreReads(hosts: string[], n: number, o: { timeout: number; what: string }): Promise<void>;
}

export function countingShell(shell: Shell): CountingShell {
  const ok: Record<string, number> = {};
  const reads = (host: string) => ok[host] ?? 0;
  return {
    async query(host, script, options) {
      const r = await shell.query(host, script, options);
      if (r.code === 0) ok[host] = (ok[host] ?? 0) + 1;
      return r;
    },
    host: (name) => shell.host(name),
    reads,
    async moreReads(hosts, n, o) {
      const from = hosts.map(reads);
      await waitFor(() => hosts.every((h, i) => reads(h) >= from[i]! + n), o);
    },
  };
}
