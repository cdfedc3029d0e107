/**
 * sshd on every host, so the lab is driven as a real cluster is (CPU and faults over SSH).
 * Root logs in with the key `up` generates, and nothing else.
 */
import path from 'node:path';
import type { LabHost, LabPaths } from '../topology.js';

export const hostKeyPath = (p: LabPaths, host: LabHost) => path.join(p.keys, `${host.name}_ssh_host_ed25519_key`);

export function sshdConfig(host: LabHost, p: LabPaths): string {
  return `# sshd on ${host.name}, written by \`lb-bench lab up\`. Started as:
#   /usr/sbin/sshd -D -e -f <this file>   (in namespace ${host.name})
ListenAddress ${host.address}:22
HostKey ${hostKeyPath(p, host)}
PidFile ${path.join(p.run, `${host.name}-sshd.pid`)}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile ${p.authorizedKeys}
# the key files live in the lab's state folder, which may sit under a world-writable /tmp in tests
StrictModes no
# no PAM: nothing in the namespaces needs a login session
UsePAM no
# the scenario's samplers open one connection per host and keep it; several runs may overlap
MaxStartups 100
MaxSessions 100
Subsystem sftp internal-sftp
`;
}
