/**
 * A real OpenSSH server for tests: /usr/sbin/sshd -D -e on 127.0.0.1 and a free port, with a
 * host key and a user key generated here by ssh-keygen in a temporary folder. stop() ends only
 * this sshd and the sshd connection processes it forked (found by parent pid), nothing else.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export interface TestSshd {
  dir: string;
  address: string;
  port: number;
  user: string;
  /** the user's private key (its .pub beside it is authorised) */
  identity: string;
  /** the server's public host key line: `ssh-ed25519 AAAA…` */
  hostKey: string;
  /** a known_hosts file that holds the server's key */
  knownHosts: string;
  /** the pid of the running sshd, or null when stopped */
  pid(): number | null;
  stop(): Promise<void>;
  /** start again on the same port with the same keys */
  start(): Promise<void>;
  /** stop, and remove the temporary folder */
  dispose(): Promise<void>;
}

/** Why these tests cannot run here, or null. Under CI=true a reason is a failure, not a skip. */
export function sshdUnavailable(): string | null {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (sshd, cgroups)';
  if (!existsSync(SSHD)) return `${SSHD} is missing (Debian: apt-get install openssh-server)`;
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export function keygen(file: string, passphrase = ''): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'lb-bench-test', '-f', file], { stdio: 'ignore' });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}

/** The sshd processes forked by `root` (per-connection and privilege-separation children). */
function sshdChildren(root: number): number[] {
  const procs: { pid: number; ppid: number; comm: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces, so split after the last ")"
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      procs.push({ pid: Number(name), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), comm });
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const p of procs) if (p.ppid === pid && p.comm === 'sshd') (out.push(p.pid), walk(p.pid));
  };
  walk(root);
  return out;
}

export async function startSshd(
  options: { userKeyPassphrase?: string; /** more sshd_config lines */ config?: string[] } = {},
): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'lb-bench-sshd-'));
  keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'id_ed25519'), options.userKeyPassphrase ?? '');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_ed25519.pub')));
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'StrictModes no',
      'UsePAM no',
      'MaxStartups 50',
      'LogLevel VERBOSE',
      ...(options.config ?? []),
    ].join('\n') + '\n',
  );
  const hostKey = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKey}\n`);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation folder

  let child: ChildProcess | null = null;
  let log = '';
  const start = async () => {
    const proc = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(port))) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`sshd did not start on 127.0.0.1:${port}: ${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const proc = child;
    child = null;
    if (!proc?.pid || proc.exitCode !== null) return;
    // Freeze the listener so it forks nothing new, then end its connection processes (they
    // outlive it otherwise) and it. Shells the sessions started are left to finish on their own:
    // killing one inside the user's rc files can leave a stale lock behind (pyenv's does).
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGSTOP');
    for (const pid of sshdChildren(proc.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    proc.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    dir,
    address: '127.0.0.1',
    port,
    user: userInfo().username,
    identity: join(dir, 'id_ed25519'),
    hostKey,
    knownHosts,
    pid: () => child?.pid ?? null,
    stop,
    start,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An inventory YAML for one test sshd, as the lab will write one. */
export function inventoryYaml(
  s: TestSshd,
  name: string,
  extra: { knownHosts?: string; cgroup?: { path: string; cpus: number }; passphraseEnv?: string; timeout?: string } = {},
): string {
  const ssh = [`user: ${s.user}`, `port: ${s.port}`, `identity: ${s.identity}`, `knownHosts: ${extra.knownHosts ?? s.knownHosts}`];
  if (extra.passphraseEnv) ssh.push(`passphraseEnv: ${extra.passphraseEnv}`);
  if (extra.timeout) ssh.push(`timeout: ${extra.timeout}`);
  const lines = ['hosts:', `  ${name}:`, `    address: ${s.address}`, `    ssh: { ${ssh.join(', ')} }`];
  if (extra.cgroup) lines.push(`    cgroup: { path: ${extra.cgroup.path}, cpus: ${extra.cgroup.cpus} }`);
  return lines.join('\n') + '\n';
}

/** node:test's skip option: skip with the reason, except under CI=true where the test must run (and fails). */
export function skipUnlessSshd(): { skip: string | false } {
  const reason = sshdUnavailable();
  return { skip: reason && process.env.CI !== 'true' ? reason : false };
}

/** Throws (failing the test) when the machine cannot run it, which only happens under CI=true. */
export function requireSshd(): void {
  const reason = sshdUnavailable();
  if (reason) throw new Error(`cannot run under CI=true: ${reason}`);
}
