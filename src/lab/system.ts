/**
 * What the lab needs from this machine: Linux, root, and the distribution's programs.
 * `lab install` installs the packages on Debian-like systems; elsewhere the error lists them.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { envError } from '../errors.js';

/** program → the Debian package that provides it */
export const PROGRAMS: Record<string, string> = {
  '/usr/sbin/haproxy': 'haproxy',
  '/usr/sbin/nginx': 'nginx',
  '/usr/sbin/apache2': 'apache2',
  '/usr/sbin/keepalived': 'keepalived',
  '/usr/sbin/sshd': 'openssh-server',
  'ssh-keygen': 'openssh-client',
  ip: 'iproute2',
  nsenter: 'util-linux',
  ping: 'iputils-ping',
};
export const PACKAGES = ['haproxy', 'nginx', 'apache2', 'keepalived', 'openssh-server', 'iputils-ping', 'iproute2'];

function onPath(program: string): boolean {
  const candidates = program.includes('/')
    ? [program]
    : (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').map((d) => path.join(d, program));
  return candidates.some((f) => {
    try {
      accessSync(f, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function missingPrograms(): string[] {
  return Object.keys(PROGRAMS).filter((p) => !onPath(p));
}

export function requireRootLinux(action: string): void {
  if (process.platform !== 'linux')
    throw envError(`lab ${action}: the lab needs Linux (network namespaces, cgroups); this is ${process.platform}`);
  if (process.getuid?.() !== 0)
    throw envError(`lab ${action}: the lab needs root (namespaces, cgroups, daemons on port 80)`, `run \`sudo lb-bench lab ${action}\``);
}

export function requirePrograms(): void {
  const missing = missingPrograms();
  if (missing.length) {
    const pkgs = [...new Set(missing.map((m) => PROGRAMS[m]))];
    throw envError(
      `lab up: missing ${missing.join(', ')}`,
      `run \`lb-bench lab install\` (as root), or install the packages: ${pkgs.join(' ')}`,
    );
  }
}

export const isDebianLike = () => existsSync('/etc/debian_version') && onPath('apt-get');

/**
 * The file limit the lab's processes can really have: `nofile` where this process may raise its
 * hard limit (root with CAP_SYS_RESOURCE), else the current hard limit (some containers).
 */
export async function reachableFileLimit(nofile: number): Promise<number> {
  const { exec } = await import('./exec.js');
  const out = await exec('/bin/sh', ['-c', `ulimit -n ${nofile} 2>/dev/null && echo ${nofile} || ulimit -Hn`]);
  const n = Number(out.trim());
  return Number.isFinite(n) ? n : nofile; // "unlimited"
}
