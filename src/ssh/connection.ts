/**
 * One SSH connection to one inventory host (ssh2), opened once and reused. The host key is always
 * checked against known_hosts: there is deliberately no option that skips it. A lost connection
 * is reopened on the next exec() that allows it. Key material is read at connect time and kept
 * only inside ssh2's client, which sits in a private field, so it cannot leak into logs or JSON.
 */
import { readFileSync } from 'node:fs';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { envError, inputError, type LbError } from '../errors.js';
import type { Inventory } from '../inventory/schema.js';
import { looseKeyWarning } from './key-mode.js';
import { RemoteShell } from './shell.js';
import { addHostKey, checkHostKey, fingerprint, hostField, keyFromBlob, knownKeyTypes } from './known-hosts.js';

export type Host = Inventory['hosts'][string];

export interface SshOptions {
  /** record unknown host keys (StrictHostKeyChecking accept-new); a changed key is never accepted */
  acceptNewHostKeys?: boolean;
  connectTimeoutMs?: number;
  /** one line per notable event (a recorded host key); never holds secrets */
  log?: (line: string) => void;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
  /** with keepOpen: the channel, still open */
  channel?: ClientChannel;
}

/** known_hosts key type → the handshake algorithms that produce it */
const ALGORITHMS_FOR: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

export class SshHost {
  #client: Client | null = null;
  #opening: Promise<Client> | null = null;
  #shell: { client: Client; shell: Promise<RemoteShell> } | null = null;
  /** the key file's mode is warned about once, not at every reconnection */
  #keyModeChecked = false;
  readonly where: string;

  constructor(
    readonly host: Host,
    private readonly options: SshOptions = {},
  ) {
    this.where = `${host.name} (${host.ssh.user}@${hostField(host.address, host.ssh.port)})`;
  }

  get connected(): boolean {
    return this.#client !== null;
  }

  /** Open the connection if it is not open; concurrent callers share one attempt. */
  async connect(timeoutMs = this.options.connectTimeoutMs ?? 10_000): Promise<void> {
    await this.#ensure(timeoutMs);
  }

  #ensure(timeoutMs: number): Promise<Client> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#opening ??= this.#open(timeoutMs).finally(() => (this.#opening = null));
    return this.#opening;
  }

  /** Key or agent, read now: nothing secret is kept on this object. */
  #auth(): Pick<ConnectConfig, 'privateKey' | 'passphrase' | 'agent'> {
    const { identity, passphraseEnv } = this.host.ssh;
    if (identity === undefined) {
      const agent = process.env.SSH_AUTH_SOCK;
      if (!agent) throw envError(`${this.where}: the inventory gives no ssh.identity and no SSH agent is running (SSH_AUTH_SOCK is not set)`, 'start ssh-agent and ssh-add the key, or set hosts.NAME.ssh.identity');
      return { agent };
    }
    if (!this.#keyModeChecked) {
      this.#keyModeChecked = true;
      const loose = looseKeyWarning(this.host.name, identity);
      if (loose) this.options.log?.(loose);
    }
    let privateKey: Buffer;
    try {
      privateKey = readFileSync(identity);
    } catch (e) {
      throw inputError(`${this.host.name}: ssh.identity: cannot read the key file ${identity} (${(e as NodeJS.ErrnoException).code})`);
    }
    if (passphraseEnv === undefined) return { privateKey };
    const passphrase = process.env[passphraseEnv];
    if (passphrase === undefined) throw envError(`${this.where}: the environment variable ${passphraseEnv} (ssh.passphraseEnv) is not set`, 'export it with the key\'s passphrase');
    return { privateKey, passphrase };
  }

  /** Decide on the server's key; a refusal is remembered so the error names the fingerprint. */
  #verifier(refuse: (e: LbError) => void) {
    const { address, ssh } = this.host;
    return (blob: Buffer): boolean => {
      const key = keyFromBlob(blob);
      const fp = `${fingerprint(blob)} (${key.type})`;
      const check = checkHostKey(ssh.knownHosts, address, ssh.port, key);
      if (check.status === 'known') return true;
      if (check.status === 'unknown' && this.options.acceptNewHostKeys) {
        addHostKey(ssh.knownHosts, address, ssh.port, key);
        this.options.log?.(`${this.host.name}: recorded new host key ${fp} in ${ssh.knownHosts}`);
        return true;
      }
      const field = hostField(address, ssh.port);
      if (check.status === 'unknown') {
        refuse(envError(`${this.where}: unknown SSH host key ${fp}; it is not in ${ssh.knownHosts}`, `compare it with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_${key.type.replace(/^ssh-|-.*$/g, '')}_key.pub on it), then add it (ssh-keyscan -p ${ssh.port} ${address} >> ${ssh.knownHosts}) or run with --accept-new-host-keys`));
      } else {
        const what = check.status === 'revoked' ? 'is REVOKED' : 'has CHANGED';
        refuse(envError(`${this.where}: the SSH host key ${what}: the server offers ${fp}, ${ssh.knownHosts} line ${check.line} says otherwise; refusing to connect`, `if the host was really reinstalled, remove the old key with: ssh-keygen -R '${field}' -f ${ssh.knownHosts}`));
      }
      return false;
    };
  }

  #describe(e: Error & { level?: string; code?: string }, timeoutMs: number): LbError {
    if (e.level === 'client-authentication') return envError(`${this.where}: the server refused the SSH login (publickey)`, 'check that the public key is in the user\'s authorized_keys on the host');
    if (e.level === 'client-timeout') return envError(`${this.where}: no SSH handshake within ${timeoutMs} ms`);
    if (e.code) return envError(`${this.where}: cannot reach the SSH server (${e.code})`, 'check the address and port in the inventory, and that sshd runs');
    return envError(`${this.where}: SSH failed: ${e.message}`);
  }

  #open(timeoutMs: number): Promise<Client> {
    const auth = this.#auth();
    const { address, ssh } = this.host;
    const preferred = knownKeyTypes(ssh.knownHosts, address, ssh.port).flatMap((t) => ALGORITHMS_FOR[t] ?? []);
    return new Promise((resolve, reject) => {
      const client = new Client();
      let refusal: LbError | null = null;
      let settled = false;
      const fail = (err: LbError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end();
        reject(err);
      };
      const timer = setTimeout(() => fail(envError(`${this.where}: no SSH connection within ${timeoutMs} ms`)), timeoutMs);
      client.on('error', (e) => fail(refusal ?? this.#describe(e, timeoutMs)));
      client.on('close', () => {
        if (this.#client === client) this.#client = null;
        fail(refusal ?? envError(`${this.where}: the SSH server closed the connection`));
      });
      client.once('ready', () => {
        if (settled) return void client.end();
        settled = true;
        clearTimeout(timer);
        this.#client = client;
        resolve(client);
      });
      try {
        client.connect({
          host: address,
          port: ssh.port,
          username: ssh.user,
          ...auth,
          readyTimeout: timeoutMs,
          // notice a dead peer within ~10 s even when nothing is sent
          keepaliveInterval: 5_000,
          keepaliveCountMax: 2,
          hostVerifier: this.#verifier((e) => (refusal = e)),
          algorithms: preferred.length ? { serverHostKey: { remove: preferred, prepend: preferred } as never } : undefined,
        });
      } catch (e) {
        // ssh2 parses the key synchronously; its messages name the problem, never the key or passphrase
        const reason = /passphrase/i.test((e as Error).message) ? 'the passphrase is missing or wrong' : 'it is not a usable private key';
        fail(envError(`${this.where}: cannot use the key ${ssh.identity}: ${reason}`, ssh.passphraseEnv ? `check the environment variable ${ssh.passphraseEnv}` : 'an encrypted key needs ssh.passphraseEnv in the inventory'));
      }
    });
  }

  /** Run one command. Without `reconnect`, a lost connection fails at once instead of reopening. */
  async exec(command: string, { timeoutMs = 10_000, reconnect = true, keepOpen = false } = {}): Promise<ExecResult> {
    if (!this.#client && !reconnect) throw envError(`${this.where}: the SSH connection is lost`);
    const client = await this.#ensure(timeoutMs);
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      let code: number | null | undefined;
      let stream: { close(): void } | null = null;
      const finish = (err: LbError | null) => {
        clearTimeout(timer);
        if (err) {
          stream?.close();
          reject(err);
        } else resolve({ stdout, stderr, code: code ?? null });
      };
      const timer = setTimeout(() => finish(envError(`${this.where}: a remote command took longer than ${timeoutMs} ms`)), timeoutMs);
      const lost = () => envError(`${this.where}: the SSH connection was lost`);
      try {
        client.exec(command, (err, channel) => {
          if (err) return finish(this.#client === client ? envError(`${this.where}: cannot run a remote command: ${err.message}`) : lost());
          stream = channel;
          if (keepOpen) {
            clearTimeout(timer);
            return resolve({ stdout, stderr, code: null, channel });
          }
          channel.on('data', (d: Buffer) => (stdout += d.toString()));
          channel.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          channel.on('exit', (c: number | null) => (code = c));
          // a channel closed without an exit status was cut off with its connection
          channel.on('close', () => finish(code === undefined && this.#client !== client ? lost() : null));
        });
      } catch {
        this.#client = null;
        finish(lost());
      }
    });
  }

  /** The connection's persistent shell, opened on first use and again after it broke. */
  #shellFor(client: Client, timeoutMs: number): Promise<RemoteShell> {
    if (this.#shell?.client === client) {
      const current = this.#shell.shell;
      return current.then((sh) => (sh.closed ? ((this.#shell = null), this.#shellFor(client, timeoutMs)) : sh));
    }
    const shell = this.exec('exec /bin/sh', { timeoutMs, reconnect: false, keepOpen: true }).then((r) => new RemoteShell(r.channel!));
    this.#shell = { client, shell };
    shell.catch(() => this.#shell?.shell === shell && (this.#shell = null));
    return shell;
  }

  /**
   * A short command in the host's persistent shell (see shell.ts): for frequent reads such as
   * CPU counters. stdout and stderr come back merged, in `stdout`.
   */
  async query(script: string, { timeoutMs = 10_000, reconnect = true } = {}): Promise<ExecResult> {
    if (!this.#client && !reconnect) throw envError(`${this.where}: the SSH connection is lost`);
    const client = await this.#ensure(timeoutMs);
    const shell = await this.#shellFor(client, timeoutMs);
    try {
      const r = await shell.run(script, timeoutMs);
      return { stdout: r.output, stderr: '', code: r.code };
    } catch (e) {
      throw envError(this.#client === client ? `${this.where}: ${(e as Error).message}` : `${this.where}: the SSH connection was lost`);
    }
  }

  close(): void {
    this.#shell = null;
    this.#client?.end();
    this.#client = null;
  }
}
