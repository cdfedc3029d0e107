/**
 * assertLabUp: the check `run` makes before it sends anything to a scenario with `inventory: lab`.
 * Without the bridge, packets to 198.18.0.x would follow this machine's default route and leave
 * it; so this is strict, and cheap: a few reads of /sys and /proc, no traffic, no child process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { envError } from '../errors.js';
import { tryExec } from './exec.js';
import { BRIDGE, BRIDGE_ADDRESS, HOSTS, PREFIX, netnsPath } from './topology.js';

const NOT_UP = 'the lab is not up: run `lb-bench lab up` (as root)';

const ipToInt = (ip: string) => ip.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
/** /proc/net/route prints addresses as host-order hex of the network-order bytes (little-endian on x86 and arm) */
const routeHex = (hex: string) => {
  const n = parseInt(hex, 16);
  return (((n & 0xff) << 24) | (((n >> 8) & 0xff) << 16) | (((n >> 16) & 0xff) << 8) | ((n >>> 24) & 0xff)) >>> 0;
};
const MASK24 = 0xffffff00;

/** What is missing for the lab to be safely up; empty when it is. */
export function labProblems(): string[] {
  const problems: string[] = [];
  const sys = `/sys/class/net/${BRIDGE}`;
  if (!existsSync(`${sys}/bridge`)) problems.push(`bridge ${BRIDGE} missing`);
  else if ((parseInt(readFileSync(`${sys}/flags`, 'utf8'), 16) & 1) === 0) problems.push(`bridge ${BRIDGE} is down`);

  // the kernel's own table decides where 198.18.0.x goes: its /24 must be on the bridge, with the
  // bridge's address, and no more specific route may send part of it elsewhere
  const subnet = (ipToInt(BRIDGE_ADDRESS) & MASK24) >>> 0;
  const routes = readFileSync('/proc/net/route', 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/));
  let onBridge = false;
  for (const [iface, dest, , , , , , mask] of routes) {
    const m = routeHex(mask!);
    const d = routeHex(dest!);
    const covers = m !== 0 && m >>> 0 >= MASK24 && (d & MASK24) >>> 0 === subnet;
    if (covers && iface !== BRIDGE)
      problems.push(`a route for ${BRIDGE_ADDRESS.replace(/\d+$/, '0')}/${PREFIX} goes via ${iface}, not ${BRIDGE}`);
    if (covers && iface === BRIDGE && m === MASK24) onBridge = true;
  }
  if (!onBridge && !problems.length)
    problems.push(`no route for 198.18.0.0/${PREFIX} on ${BRIDGE} (its address ${BRIDGE_ADDRESS}/${PREFIX} is missing)`);

  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  for (const h of HOSTS) {
    // `ip netns add` bind-mounts the namespace (type nsfs) on /run/netns/<name>; a stale file is not a namespace
    if (!new RegExp(` ${netnsPath(h.name).replace(/\//g, '\\/')} .* - nsfs `).test(mounts)) problems.push(`namespace ${h.name} missing`);
  }
  return problems;
}

export async function assertLabUp(): Promise<void> {
  const problems = labProblems();
  if (problems.length) throw envError(NOT_UP, problems.join('; '));
}

/** 198.18.0.0/15, the benchmarking range (RFC 2544) that the lab lives in. */
const BENCH = /^198\.(18|19)\.\d{1,3}\.\d{1,3}$/;
const LAB_NET = /^198\.18\.0\.\d{1,3}$/;

/**
 * The IPv4 address that `address` names literally, in any notation this machine would connect to
 * it by: `3323068426`, `0xc6.0x12.0.10`, `198.18.10`, `::ffff:198.18.0.10` (IPv4-mapped IPv6, sent
 * as IPv4) — WHATWG URL reads the IPv4 forms as inet_aton does. Null for a name or another address.
 */
export function literalIpv4(address: string): string | null {
  const bare = address.trim().replace(/^\[(.*)\]$/, '$1');
  let host: string;
  try {
    host = new URL(`http://${bare.includes(':') ? `[${bare}]` : bare}/`).hostname;
  } catch {
    return null;
  }
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(host);
  if (mapped) {
    const [hi, lo] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : null;
}

/**
 * Before anything is sent to `address` in the benchmarking range: it must be held by the lab, or
 * be on a network this machine is attached to (a test's own namespaces) — through a gateway,
 * packets to it would leave the machine. Addresses outside the range are the user's own cluster.
 * Any notation of an address counts (literalIpv4); a host name that resolves into the range does not.
 */
export async function guardBenchAddress(written: string, where: string): Promise<void> {
  const address = literalIpv4(written) ?? written;
  if (!BENCH.test(address)) return;
  if (LAB_NET.test(address) && labProblems().length === 0) return;
  const r = await tryExec('ip', ['-j', 'route', 'get', address]);
  const route = r.code === 0 ? (JSON.parse(r.stdout || '[]') as { gateway?: string; dev?: string }[])[0] : undefined;
  if (route && !route.gateway && route.dev !== 'lo') return;
  if (LAB_NET.test(address)) throw envError(`${where}: ${address}: ${NOT_UP}`, labProblems().join('; '));
  throw envError(
    `${where}: ${address} is in the benchmarking range 198.18.0.0/15 but not on a network attached to this machine${route?.gateway ? ` (it would go via ${route.gateway})` : ''}`,
    'bring the lab up (lb-bench lab up) and use its addresses, or attach that network',
  );
}
