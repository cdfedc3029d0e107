/**
 * SSH keys of the lab: one host key per host and one user key, made by ssh-keygen on the first
 * `up` and kept afterwards (also across `down`), so known_hosts stays true for the lab's lifetime
 * — /run is emptied at boot, and a new boot makes new keys. known_hosts and authorized_keys are
 * rewritten from the keys every time; the same keys give the same files.
 */
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { exec } from './exec.js';
import { hostKeyPath } from './configs/sshd.js';
import type { LabHost, LabPaths } from './topology.js';

async function ensureKey(file: string, comment: string): Promise<void> {
  if (!existsSync(file)) await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  // private, whoever made it and however it was kept: OpenSSH (lab status) and sshd refuse a key others can read
  chmodSync(file, 0o600);
}

/** "ssh-ed25519 AAAA…" of a public key file, without its comment */
export const publicKey = (file: string) => readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');

export async function ensureKeys(p: LabPaths, hosts: readonly LabHost[]): Promise<{ knownHosts: string; authorizedKeys: string }> {
  await ensureKey(p.userKey, 'lb-bench-lab');
  for (const host of hosts) await ensureKey(hostKeyPath(p, host), `lb-bench-lab-${host.name}`);
  return {
    knownHosts: hosts.map((h) => `${h.address} ${publicKey(hostKeyPath(p, h))}\n`).join(''),
    authorizedKeys: `${publicKey(p.userKey)} lb-bench-lab\n`,
  };
}
