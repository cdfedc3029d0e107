/**
 * The lab's network: a bridge on this machine and one network namespace per host, joined by veth
 * pairs. The namespaces get an address on 198.18.0.0/24 and no default route, so nothing inside
 * them can reach beyond the bridge, whatever this machine's forwarding settings are.
 * Every step checks before it acts, so `up` twice changes nothing and `down` after a partial
 * `up` removes whatever exists.
 */
import { existsSync } from 'node:fs';
import { exec, tryExec } from './exec.js';
import { BRIDGE, BRIDGE_ADDRESS, HOSTS, NS_IFACE, PREFIX, netnsPath, type LabHost } from './topology.js';

const linkExists = (name: string) => existsSync(`/sys/class/net/${name}`);
export const netnsExists = (name: string) => existsSync(netnsPath(name));

async function hasAddress(args: string[], address: string, dev?: string): Promise<boolean> {
  const out = await exec('ip', [...args, '-j', 'addr', 'show', ...(dev ? ['dev', dev] : [])]);
  const links = JSON.parse(out || '[]') as { addr_info?: { local: string }[] }[];
  return links.some((l) => (l.addr_info ?? []).some((a) => a.local === address));
}

export async function ensureBridge(): Promise<void> {
  if (!linkExists(BRIDGE)) await exec('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  if (!(await hasAddress(['-4'], BRIDGE_ADDRESS, BRIDGE))) {
    await exec('ip', ['addr', 'add', `${BRIDGE_ADDRESS}/${PREFIX}`, 'dev', BRIDGE]);
  }
  await exec('ip', ['link', 'set', BRIDGE, 'up']);
}

/** Runs a command inside a namespace's network only: nsenter keeps this machine's mounts (/sys/fs/cgroup included). */
export const inNetns = (ns: string, argv: string[]) => ['nsenter', `--net=${netnsPath(ns)}`, '--', ...argv];

export async function ensureHostNetwork(host: LabHost, sysctls: Record<string, string | number>): Promise<void> {
  if (!netnsExists(host.name)) await exec('ip', ['netns', 'add', host.name]);
  if (!linkExists(host.hostVeth)) {
    await exec('ip', ['link', 'add', host.hostVeth, 'type', 'veth', 'peer', 'name', NS_IFACE, 'netns', host.name]);
  }
  await exec('ip', ['link', 'set', host.hostVeth, 'master', BRIDGE, 'up']);
  await exec('ip', ['-n', host.name, 'link', 'set', 'lo', 'up']);
  if (!(await hasAddress(['-n', host.name, '-4'], host.address))) {
    await exec('ip', ['-n', host.name, 'addr', 'add', `${host.address}/${PREFIX}`, 'dev', NS_IFACE]);
  }
  await exec('ip', ['-n', host.name, 'link', 'set', NS_IFACE, 'up']);
  for (const [name, value] of Object.entries(sysctls)) await setSysctl(host.name, name, String(value));
}

/** /proc/sys/net shows the namespace of the process that reads it, hence the write from inside. */
async function setSysctl(ns: string, name: string, value: string): Promise<void> {
  const file = `/proc/sys/${name.replace(/\./g, '/')}`;
  const [cmd, ...args] = inNetns(ns, ['sh', '-c', 'printf "%s\n" "$2" > "$1"', 'sh', file, value]);
  await exec(cmd, args);
}

/** Which namespace holds an address (the VIP), read from each namespace's own table. */
export async function namespacesHolding(address: string, names = HOSTS.map((h) => h.name)): Promise<string[]> {
  const holders: string[] = [];
  for (const ns of names) {
    if (netnsExists(ns) && (await hasAddress(['-n', ns, '-4'], address).catch(() => false))) holders.push(ns);
  }
  return holders;
}

export async function hostNetworkHealthy(host: LabHost): Promise<string | null> {
  if (!netnsExists(host.name)) return `namespace ${host.name} missing`;
  if (!linkExists(host.hostVeth)) return `link ${host.hostVeth} missing`;
  if (!(await hasAddress(['-n', host.name, '-4'], host.address).catch(() => false))) return `${host.address} not on ${NS_IFACE}`;
  return null;
}

/** Removes the namespaces, veths and bridge that exist; silent about what is already gone. */
export async function removeNetwork(): Promise<string[]> {
  const problems: string[] = [];
  for (const host of HOSTS) {
    // deleting one end of a veth pair deletes both; the namespace may outlive `ip netns del`
    // while a process is still inside it, so the link goes first, explicitly
    if (linkExists(host.hostVeth)) {
      const r = await tryExec('ip', ['link', 'del', host.hostVeth]);
      if (r.code) problems.push(`ip link del ${host.hostVeth}: ${r.stderr.trim()}`);
    }
    if (netnsExists(host.name)) {
      const r = await tryExec('ip', ['netns', 'del', host.name]);
      if (r.code) problems.push(`ip netns del ${host.name}: ${r.stderr.trim()}`);
    }
  }
  if (linkExists(BRIDGE)) {
    const r = await tryExec('ip', ['link', 'del', BRIDGE]);
    if (r.code) problems.push(`ip link del ${BRIDGE}: ${r.stderr.trim()}`);
  }
  return problems;
}

/** Pids of processes inside a namespace (`ip netns pids`), for the leftovers check after `down`. */
export async function pidsInNetns(ns: string): Promise<number[]> {
  if (!netnsExists(ns)) return [];
  const r = await tryExec('ip', ['netns', 'pids', ns]);
  return r.stdout.split(/\s+/).filter(Boolean).map(Number);
}
