/** System programs the benchmarks drive (Debian's nginx and wrk): found on PATH or in sbin. */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export function findProgram(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {}
  }
  return null;
}
