/**
 * The lab's fixed shape: hosts, addresses and names, as the README (The lab) draws them.
 * Everything else (CPU share, limits, timers) is a knob in lab.yaml.
 */
import path from 'node:path';

export type Role = 'balancer' | 'web' | 'client';

export interface LabHost {
  name: 'lb1' | 'lb2' | 'web1' | 'web2' | 'web3' | 'gen1' | 'gen2';
  role: Role;
  address: string;
  /** the host end of the veth pair, on the bridge (at most 15 characters, the kernel's limit) */
  hostVeth: string;
}

/** 198.18.0.0/15 is reserved for benchmarking (RFC 2544); nothing outside this machine answers it. */
export const SUBNET = '198.18.0.0/24';
export const PREFIX = 24;
export const BRIDGE = 'lbb0';
export const BRIDGE_ADDRESS = '198.18.0.1';
export const VIP = '198.18.0.10';
/** the interface name inside every namespace */
export const NS_IFACE = 'eth0';

export const HOSTS: readonly LabHost[] = [
  { name: 'lb1', role: 'balancer', address: '198.18.0.2', hostVeth: 'lbb0-lb1' },
  { name: 'lb2', role: 'balancer', address: '198.18.0.3', hostVeth: 'lbb0-lb2' },
  { name: 'web1', role: 'web', address: '198.18.0.11', hostVeth: 'lbb0-web1' },
  { name: 'web2', role: 'web', address: '198.18.0.12', hostVeth: 'lbb0-web2' },
  { name: 'web3', role: 'web', address: '198.18.0.13', hostVeth: 'lbb0-web3' },
  // the thesis's client machine, twice: generator hosts for `load.generators`, each with its own
  // port range and open-file limits (a namespace's sysctls are its own)
  { name: 'gen1', role: 'client', address: '198.18.0.21', hostVeth: 'lbb0-gen1' },
  { name: 'gen2', role: 'client', address: '198.18.0.22', hostVeth: 'lbb0-gen2' },
];

export const BALANCERS = HOSTS.filter((h) => h.role === 'balancer');
export const WEBS = HOSTS.filter((h) => h.role === 'web');
export const CLIENTS = HOSTS.filter((h) => h.role === 'client');

/** The ports each balancer serves; the scenarios name them through the VIP. */
export const BALANCER_PORTS = { haproxyRoundRobin: 80, haproxyLeastConn: 81, nginxRoundRobin: 8080 } as const;

/** Where `ip netns add` puts its handles; nsenter --net takes them as paths. */
export const netnsPath = (name: string) => `/run/netns/${name}`;

/** The state folder: generated configs, keys, pids, logs and the inventory. /run is emptied at boot, as the lab is. */
export function labDir(): string {
  return path.resolve(process.env.LB_BENCH_LAB_DIR || '/run/lb-bench/lab');
}

export function labInventoryPath(): string {
  return path.join(labDir(), 'inventory.yaml');
}

/** The files of the state folder, in one place so every module agrees on them. */
export function labPaths(dir = labDir()) {
  return {
    dir,
    conf: path.join(dir, 'conf'),
    keys: path.join(dir, 'keys'),
    pids: path.join(dir, 'pids'),
    logs: path.join(dir, 'logs'),
    www: path.join(dir, 'www'),
    run: path.join(dir, 'run'),
    userKey: path.join(dir, 'keys', 'id_ed25519'),
    authorizedKeys: path.join(dir, 'keys', 'authorized_keys'),
    knownHosts: path.join(dir, 'known_hosts'),
    inventory: path.join(dir, 'inventory.yaml'),
    settings: path.join(dir, 'lab.yaml'),
  };
}
export type LabPaths = ReturnType<typeof labPaths>;
