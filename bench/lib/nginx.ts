/**
 * A private Nginx for the benchmarks: its own config in a temporary folder, serving a 1.5 KB page
 * (the thesis's page size) on 127.0.0.1 at a free port. Started as a child (`daemon off`), so its
 * pid is the master's, and stopped by that pid; the distribution's service is never touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findProgram } from './programs.js';

export const PAGE_BYTES = 1500;

export interface NginxOptions {
  /** worker processes; 1 leaves the other core of a 2-core machine to the generator */
  workers?: number;
  /** per worker */
  workerConnections?: number;
  /** one listening socket per worker (SO_REUSEPORT), so connections spread over the workers */
  reusePort?: boolean;
}

export interface LocalNginx {
  url: string;
  port: number;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function config(dir: string, port: number, o: Required<NginxOptions>): string {
  const t = (n: string) => path.join(dir, n);
  return `worker_processes ${o.workers};
worker_rlimit_nofile ${o.workerConnections + 64};
pid ${t('nginx.pid')};
error_log ${t('error.log')} warn;
events {
    worker_connections ${o.workerConnections};
    multi_accept on;
}
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path ${t('body')};
    proxy_temp_path ${t('proxy')};
    fastcgi_temp_path ${t('fastcgi')};
    uwsgi_temp_path ${t('uwsgi')};
    scgi_temp_path ${t('scgi')};
    server {
        listen 127.0.0.1:${port} backlog=65535${o.reusePort ? ' reuseport' : ''};
        root ${t('www')};
        location / { }
    }
}
`;
}

export async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startNginx(opts: NginxOptions = {}): Promise<LocalNginx> {
  const bin = findProgram('nginx');
  if (!bin) throw new Error('nginx is not installed (scripts/setup.sh installs it)');
  const o: Required<NginxOptions> = { workers: 1, workerConnections: 4096, reusePort: false, ...opts };
  const dir = mkdtempSync(path.join(tmpdir(), 'lb-bench-nginx-'));
  // the workers run as nobody: the page must be readable by them
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, 'www'), { mode: 0o755 });
  writeFileSync(path.join(dir, 'www', 'index.html'), 'x'.repeat(PAGE_BYTES - 1) + '\n', { mode: 0o644 });
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, config(dir, port, o));
  const args = ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'];
  return startServerChild({ name: 'nginx', bin, args, port, dir, errorLog: path.join(dir, 'error.log'), version: versionOf(bin) });
}

/**
 * A server in the foreground as this process's child, its files in dir: ready once it listens on
 * port (at most 5 s), else killed, dir removed, and an error with the last lines of its stderr and
 * error log; stopped by its pid (stopChild), dir removed after.
 */
export async function startServerChild(o: {
  name: string;
  bin: string;
  args: string[];
  port: number;
  dir: string;
  errorLog: string;
  version: string;
}): Promise<LocalNginx> {
  const child: ChildProcess = spawn(o.bin, o.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const cleanup = () => rmSync(o.dir, { recursive: true, force: true });
  const deadline = Date.now() + 5000;
  while (!(await listening(o.port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      if (child.exitCode === null) child.kill('SIGKILL');
      let log = '';
      try {
        log = readFileSync(o.errorLog, 'utf8');
      } catch {}
      cleanup();
      throw new Error(`${o.name} did not start on 127.0.0.1:${o.port}: ${(stderr + log).trim().split('\n').slice(-3).join(' | ')}`);
    }
    await sleep(20);
  }
  return {
    url: `http://127.0.0.1:${o.port}/`,
    port: o.port,
    pid: child.pid!,
    version: o.version,
    async stop() {
      await stopChild(child, exited);
      cleanup();
    },
  };
}

/** A server started by its pid: TERM (the servers' own fast stop of their children too), KILL after 5 s, then its exit. */
export async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  process.kill(child.pid!, 'SIGTERM');
  const ended = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  if (!ended) process.kill(child.pid!, 'SIGKILL');
  await exited;
}

function versionOf(bin: string): string {
  const r = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  return (`${r.stdout ?? ''}${r.stderr ?? ''}`.match(/nginx\/[\d.]+/) ?? ['nginx'])[0];
}
