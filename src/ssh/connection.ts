/**
 * One SSH connection to one inventory host (ssh2), opened once and reused. The host key is always
 * checked against known_hosts: there is deliberately no option that skips it. Commands run in one
 * persistent shell per connection (shell.ts). Two bounds: setting a host up (connect, handshake,
 * login, the login shell's rc files, the first answer) gets the inventory's generous ssh.timeout;
 * a read while load runs gets WINDOW_READ_MS and never reconnects. A lost connection is set up
 * again by the next query() that allows it. Key material is read at connect time and kept only
 * inside ssh2's client, which sits in a private field, so it cannot leak into logs or JSON.
 */
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { envError, inputError, type LbError } from '../errors.js';
import { readPlainFile, refusalText, type Refusal } from '../io/files.js';
import type { Inventory } from '../inventory/inventory-schema.js';
import { looseKeyWarning } from './key-mode.js';
import { RemoteShell, ShellTimeout } from './shell.js';
import { addHostKey, checkHostKey, fingerprint, hostField, keyFromBlob, knownKeyTypes } from './known-hosts.js';

export type Host = Inventory['hosts'][string];

export interface SshOptions {
  /** record unknown host keys (StrictHostKeyChecking accept-new); a changed key is never accepted */
  acceptNewHostKeys?: boolean;
  /** bound on setting a host up; default: the inventory's ssh.timeout */
  setupTimeoutMs?: number;
  /** one line per notable event (a recorded host key); never holds secrets */
  log?: (line: string) => void;
}

/**
 * The bound on a read made while load runs (CPU counters, who holds the address): short, so that a
 * slow host costs that read and never holds up the load. Setting a host up has its own, generous
 * bound (the inventory's ssh.timeout).
 */
export const WINDOW_READ_MS = 2_000;

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
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
  #shell: RemoteShell | null = null;
  #setup: Promise<RemoteShell> | null = null;
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

  /** The bound on connecting, logging in, starting the remote shell and its first answer. */
  get setupTimeoutMs(): number {
    return this.options.setupTimeoutMs ?? this.host.ssh.timeout;
  }

  /**
   * Set the host up if it is not: connection, login, the persistent shell, and its first answer,
   * all within the setup bound. Concurrent callers share one attempt.
   */
  async connect(): Promise<void> {
    await this.#ready();
  }

  #ready(): Promise<RemoteShell> {
    if (this.#client && this.#shell && !this.#shell.closed) return Promise.resolve(this.#shell);
    this.#setup ??= this.#setUp().finally(() => (this.#setup = null));
    return this.#setup;
  }

  async #setUp(): Promise<RemoteShell> {
    const bound = this.setupTimeoutMs;
    const started = Date.now();
    const client = await this.#ensure(bound);
    const left = () => bound - (Date.now() - started);
    const slowShell = () =>
      envError(
        `${this.where}: logged in, but the remote shell did not answer within ${bound} ms (the user's login shell runs its rc files, e.g. ~/.bashrc, before anything else)`,
        `raise hosts.${this.host.name}.ssh.timeout in the inventory, or make the login shell's rc files faster`,
      );
    if (left() <= 0) throw slowShell();
    const channel = await this.#openChannel(client, 'exec /bin/sh', left()).catch((e: Error) => {
      throw e instanceof ShellTimeout ? slowShell() : e;
    });
    const shell = new RemoteShell(channel, bound);
    try {
      await shell.run(':', Math.max(1, left()));
    } catch (e) {
      shell.close();
      if (e instanceof ShellTimeout) throw slowShell();
      throw this.#client === client
        ? envError(
            `${this.where}: the remote shell ended at once: ${(e as Error).message}`,
            'check that the user has a working login shell',
          )
        : this.#lost();
    }
    this.#shell = shell;
    return shell;
  }

  #lost(): LbError {
    return envError(`${this.where}: the SSH connection was lost`);
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
      if (!agent)
        throw envError(
          `${this.where}: the inventory gives no ssh.identity and no SSH agent is running (SSH_AUTH_SOCK is not set)`,
          'start ssh-agent and ssh-add the key, or set hosts.NAME.ssh.identity',
        );
      return { agent };
    }
    if (!this.#keyModeChecked) {
      this.#keyModeChecked = true;
      const loose = looseKeyWarning(this.host.name, identity);
      if (loose) this.options.log?.(loose);
    }
    // a plain file of at most 1 MiB (io/files.ts): a FIFO named as the key is refused, never waited on
    const refuse = (r: Refusal) => inputError(`${this.host.name}: ssh.identity: ${identity}: ${refusalText(r, '1 MiB')}`);
    const privateKey = readPlainFile(identity, 1024 * 1024, refuse);
    if (privateKey === null) throw inputError(`${this.host.name}: ssh.identity: cannot read the key file ${identity} (ENOENT)`);
    if (passphraseEnv === undefined) return { privateKey };
    const passphrase = process.env[passphraseEnv];
    if (passphrase === undefined)
      throw envError(
        `${this.where}: the environment variable ${passphraseEnv} (ssh.passphraseEnv) is not set`,
        "export it with the key's passphrase",
      );
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
        refuse(
          envError(
            `${this.where}: unknown SSH host key ${fp}; it is not in ${ssh.knownHosts}`,
            `compare it with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_${key.type.replace(/^ssh-|-.*$/g, '')}_key.pub on it), then add it (ssh-keyscan -p ${ssh.port} ${address} >> ${ssh.knownHosts}) or run with --accept-new-host-keys`,
          ),
        );
      } else {
        const what = check.status === 'revoked' ? 'is REVOKED' : 'has CHANGED';
        refuse(
          envError(
            `${this.where}: the SSH host key ${what}: the server offers ${fp}, ${ssh.knownHosts} line ${check.line} says otherwise; refusing to connect`,
            `if the host was really reinstalled, remove the old key with: ssh-keygen -R '${field}' -f ${ssh.knownHosts}`,
          ),
        );
      }
      return false;
    };
  }

  #describe(e: Error & { level?: string; code?: string }, timeoutMs: number): LbError {
    const port = this.host.ssh.port;
    if (e.level === 'client-authentication')
      return envError(
        `${this.where}: the server refused the SSH login (publickey)`,
        "check that the public key is in the user's authorized_keys on the host",
      );
    if (e.level === 'client-timeout')
      return envError(
        `${this.where}: no SSH handshake within ${timeoutMs} ms`,
        `the host answered TCP but not SSH in time; raise hosts.${this.host.name}.ssh.timeout if it is only slow`,
      );
    const why: Record<string, [string, string]> = {
      ECONNREFUSED: [`connection refused on port ${port}`, 'check that sshd runs there and the port in the inventory'],
      ETIMEDOUT: ['the TCP connection timed out', 'check the address, and that no firewall drops port ' + port],
      EHOSTUNREACH: ['no route to the host', 'check the address in the inventory'],
      ENETUNREACH: ['the network is unreachable', 'check the address in the inventory'],
      ENOTFOUND: ['no such host name', 'check the address in the inventory'],
      ECONNRESET: ['the connection was reset during the handshake', 'check the sshd logs on the host (MaxStartups, a firewall)'],
    };
    if (e.code && why[e.code]) return envError(`${this.where}: cannot reach the SSH server: ${why[e.code][0]} (${e.code})`, why[e.code][1]);
    if (e.code)
      return envError(
        `${this.where}: cannot reach the SSH server (${e.code})`,
        'check the address and port in the inventory, and that sshd runs',
      );
    // ssh2's words when the peer closes before the handshake: another server on that port, or sshd refusing (MaxStartups)
    if (e.level === 'protocol' && /before handshake/i.test(e.message)) {
      return envError(
        `${this.where}: the server closed the connection before the SSH handshake; is port ${port} an SSH server?`,
        `check hosts.${this.host.name}.ssh.port in the inventory, and the sshd logs on the host (MaxStartups, a firewall)`,
      );
    }
    return envError(`${this.where}: SSH failed: ${e.message}`);
  }

  /** How to connect: the host, its login (read now: a missing passphrase variable throws here), the bounds, the host key types known. */
  #connectConfig(timeoutMs: number): ConnectConfig {
    const auth = this.#auth();
    const { address, ssh } = this.host;
    const preferred = knownKeyTypes(ssh.knownHosts, address, ssh.port).flatMap((t) => ALGORITHMS_FOR[t] ?? []);
    return {
      host: address,
      port: ssh.port,
      username: ssh.user,
      ...auth,
      readyTimeout: timeoutMs,
      // notice a dead peer within ~10 s even when nothing is sent
      keepaliveInterval: 5_000,
      keepaliveCountMax: 2,
      algorithms: preferred.length ? { serverHostKey: { remove: preferred, prepend: preferred } as never } : undefined,
    };
  }

  /** ssh2 parses the key synchronously; its messages name the problem, never the key or passphrase. */
  #keyError(e: unknown): LbError {
    const { ssh } = this.host;
    // ssh2 parses the key synchronously; its messages name the problem, never the key or passphrase
    const encrypted = /passphrase/i.test((e as Error).message);
    const reason = encrypted ? 'the passphrase is missing or wrong' : 'it is not a usable private key';
    // the passphrase hints fit only an encrypted key; a .pub or another file needs the right path
    const hint = !encrypted
      ? 'ssh.identity must be a private key file (OpenSSH, PEM or PuTTY format), not its .pub'
      : ssh.passphraseEnv
        ? `check the environment variable ${ssh.passphraseEnv}`
        : 'an encrypted key needs ssh.passphraseEnv in the inventory';
    return envError(`${this.where}: cannot use the key ${ssh.identity}: ${reason}`, hint);
  }

  #open(timeoutMs: number): Promise<Client> {
    const config = this.#connectConfig(timeoutMs);
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
      const timer = setTimeout(
        () =>
          fail(
            envError(
              `${this.where}: no SSH connection within ${timeoutMs} ms (connect, handshake and login)`,
              `raise hosts.${this.host.name}.ssh.timeout in the inventory if the host is only slow`,
            ),
          ),
        timeoutMs,
      );
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
        // the host key is checked against known_hosts; a refusal is the error to report
        client.connect({ ...config, hostVerifier: this.#verifier((e) => (refusal = e)) });
      } catch (e) {
        fail(this.#keyError(e));
      }
    });
  }

  /** A session channel running `command` (through the user's login shell, as sshd runs every command). */
  #openChannel(client: Client, command: string, timeoutMs: number): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new ShellTimeout(timeoutMs)), timeoutMs);
      try {
        client.exec(command, (err, channel) => {
          clearTimeout(timer);
          if (err)
            return reject(
              this.#client === client
                ? envError(`${this.where}: cannot open an SSH session: ${err.message}`, "check MaxSessions in the host's sshd_config")
                : this.#lost(),
            );
          resolve(channel);
        });
      } catch {
        clearTimeout(timer);
        this.#client = null;
        reject(this.#lost());
      }
    });
  }

  /**
   * A command in the host's persistent shell (see shell.ts), bounded by `timeoutMs` from this call.
   * stdout and stderr come back merged, in `stdout`. With `reconnect` (the default) a host that is
   * not set up is set up first, within its own setup bound; without it, a lost connection fails at
   * once, as a read during a load window must.
   */
  async query(script: string, { timeoutMs = WINDOW_READ_MS, reconnect = true } = {}): Promise<ExecResult> {
    let shell: RemoteShell;
    if (reconnect) shell = await this.#ready();
    else if (this.#client && this.#shell && !this.#shell.closed) shell = this.#shell;
    else throw this.#client ? envError(`${this.where}: the remote shell is not open`) : this.#lost();
    const client = this.#client;
    try {
      const r = await shell.run(script, timeoutMs);
      return { stdout: r.output, stderr: '', code: r.code };
    } catch (e) {
      if (e instanceof ShellTimeout) throw envError(`${this.where}: no answer within ${timeoutMs} ms`);
      throw this.#client === client && client ? envError(`${this.where}: ${(e as Error).message}`) : this.#lost();
    }
  }

  /**
   * A long-lived command with its own channel (a remote load worker): the channel is its stdin,
   * stdout (`data`), `stderr` and `exit`. Opening it is set-up: the host's set-up bound.
   */
  async stream(command: string): Promise<ClientChannel> {
    const client = await this.#ensure(this.setupTimeoutMs);
    return this.#openChannel(client, command, this.setupTimeoutMs).catch((e: Error) => {
      throw e instanceof ShellTimeout ? envError(`${this.where}: no SSH session for \`${command}\` within ${this.setupTimeoutMs} ms`) : e;
    });
  }

  /** A command that may take a while (a fault step, the version report): bounded by the setup bound unless told. */
  exec(command: string, { timeoutMs = this.setupTimeoutMs, reconnect = true } = {}): Promise<ExecResult> {
    return this.query(command, { timeoutMs, reconnect });
  }

  close(): void {
    this.#shell?.close();
    this.#shell = null;
    this.#client?.end();
    this.#client = null;
  }
}
