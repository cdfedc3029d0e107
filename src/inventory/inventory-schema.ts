/**
 * The inventory format (issue 3): hosts described once, named from scenarios. Strict, like the
 * scenario schema, so a misspelt key is an error rather than a silent default.
 *
 *   hosts:
 *     web1:
 *       address: 198.18.0.11
 *       ssh: { user: root, port: 22, identity: keys/id_ed25519, knownHosts: known_hosts }
 *       cgroup: { path: /sys/fs/cgroup/cpuacct/lb-bench/web1, cpus: 0.25 }
 *
 * Beside address and ssh, a host holds what its CPU source reads (`cgroup`, …): each source
 * declares its own fields (src/cpu/registry.ts). A generator host (`load.generators`) may name the
 * transport that reaches its workers (src/load/workers/transports/registry.ts); one reached by a
 * command needs neither address nor ssh:
 *
 *   gen1:
 *     transport: { command: [kubectl, exec, -i, lb-bench-gen-0, --, lb-bench, worker] }
 */
import { z } from 'zod';
import { cpuInventoryFields } from '../cpu/registry.js';
import { HOST_NAME, positiveDuration } from '../scenario/fields.js';
import { transportOf, transportSchema } from '../load/workers/transports/registry.js';

/**
 * How long setting up a host may take: TCP connect, SSH handshake, the user's login shell starting
 * (it reads the user's rc files: seconds on a busy host) and the first read. Generous, because a
 * busy CI runner is the normal case; reads during a load window have their own short bound.
 */
export const DEFAULT_SSH_TIMEOUT_MS = 30_000;

const nonEmpty = (what: string, max = 4096) =>
  z
    .string({ error: `must be ${what}` })
    .min(1, { error: `must be ${what}` })
    .max(max, { error: `must be ${what} of at most ${max} characters` });

export const sshSchema = z.strictObject({
  user: nonEmpty('a user name', 256),
  port: z
    .number({ error: 'must be a port number (1-65535)' })
    .int({ error: 'must be a port number (1-65535)' })
    .min(1, { error: 'must be a port number (1-65535)' })
    .max(65535, { error: 'must be a port number (1-65535)' })
    .default(22),
  /** private key file; absent = the SSH agent at SSH_AUTH_SOCK */
  identity: nonEmpty('a key file path').optional(),
  /** the NAME of an environment variable holding the key's passphrase; the passphrase itself never sits in a file */
  passphraseEnv: z
    .string({ error: 'must be the name of an environment variable' })
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be the name of an environment variable, such as LB_BENCH_KEY_PASSPHRASE' })
    .optional(),
  /** OpenSSH known_hosts file; absent = ~/.ssh/known_hosts, as ssh does */
  knownHosts: nonEmpty('a known_hosts file path').optional(),
  /** bound on setting the host up (connect, handshake, login shell, first read); e.g. 30s */
  timeout: positiveDuration.default(DEFAULT_SSH_TIMEOUT_MS),
});

export const hostSchema = z
  .strictObject({
    /** required unless the host's transport needs no SSH */
    address: nonEmpty('a host name or IP address', 255).optional(),
    ssh: sshSchema.optional(),
    /** on a generator host (`load.generators`): the command that runs lb-bench there, e.g. `npx --yes lb-bench@0.1.0`; default `lb-bench` */
    lbBench: nonEmpty('the command that runs lb-bench on the host', 1000).optional(),
    /** on a generator host: how lb-bench reaches its workers; absent: over SSH */
    transport: transportSchema.optional(),
    ...cpuInventoryFields,
  })
  .superRefine((host, ctx) => {
    // reached over SSH (the default transport): it needs where and how; a command transport needs neither
    if (!transportOf(host.transport).transport.ssh) return;
    for (const field of ['address', 'ssh'] as const)
      if (host[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'is required', input: undefined });
  });

export const inventorySchema = z.strictObject({
  hosts: z.record(z.string().regex(HOST_NAME, { error: 'host names must be letters, digits, ".", "_" or "-", at most 64' }), hostSchema, {
    error: 'must be a mapping of host names to hosts',
  }),
});

export type InventoryHost = z.output<typeof hostSchema>;
export type SshSettings = z.output<typeof sshSchema>;

/** A loaded inventory: every path in it is absolute (resolved against the inventory file). */
export interface Inventory {
  file: string;
  /** the hosts lb-bench may reach over SSH (backends, and generators over SSH) */
  hosts: Record<string, InventoryHost & { name: string; address: string; ssh: SshSettings & { knownHosts: string } }>;
  /** the generator hosts without SSH, reached only by their transport (a command) */
  transportOnly: Record<string, GeneratorHost>;
}

/** A host as a generator: its name, transport and `lbBench`. */
export type GeneratorHost = InventoryHost & { name: string };
