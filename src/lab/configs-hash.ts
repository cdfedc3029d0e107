/**
 * The lab's generated configs as one short hash, for the system under test of a run on the lab
 * (results/system.ts): what `lab up` wrote for HAProxy, Nginx, Apache and keepalived, so that a
 * change to how the lab configures its servers is named by compare. The sshd configs are left
 * out: they are how lb-bench reaches the hosts, not what it measures.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labPaths } from './topology.js';

/** null: the lab has no configs folder (not up). */
export function labConfigsHash(dir = labPaths().conf): string | null {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => !n.endsWith('-sshd.conf'));
  } catch {
    return null;
  }
  if (!names.length) return null;
  const hash = createHash('sha256');
  for (const name of names.sort())
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(dir, name)))
      .update('\0');
  return hash.digest('hex').slice(0, 12);
}
