/**
 * A Shell (src/cpu/source.ts) that passes every query to the real one and counts, per host, the
 * reads that came back: what a test waits on instead of sleeping until a sampler "must have" read.
 */
import type { Shell } from '../../src/cpu/source.js';

export interface CountingShell extends Shell {
  /** queries to `host` answered with exit 0 so far */
  reads(host: string): number;
}

export function countingShell(shell: Shell): CountingShell {
  const ok: Record<string, number> = {};
  return {
    async query(host, script, options) {
      const r = await shell.query(host, script, options);
      if (r.code === 0) ok[host] = (ok[host] ?? 0) + 1;
      return r;
    },
    host: (name) => shell.host(name),
    reads: (host) => ok[host] ?? 0,
  };
}
