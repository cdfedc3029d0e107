/**
 * A private Apache for the benchmarks, configured as the lab's web servers are (the lab's own
 * config writer and lab.yaml's mpm_event limits: StartServers 2, MaxRequestWorkers 150, …), its
 * files in a temporary folder, serving the lab's page on 127.0.0.1 at a free port. Started as a
 * child in the foreground, so its pid is the parent's, and stopped by that pid; the distribution's
 * service is never touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { apacheConfig, webPage } from '../../src/lab/configs/apache.js';
import { loadSettings } from '../../src/lab/settings.js';
import { labPaths, WEBS } from '../../src/lab/topology.js';
import { findProgram } from './programs.js';
import { freePort, listening, stopChild, type LocalNginx } from './nginx.js';

export type LocalServer = LocalNginx;

export async function startApache(): Promise<LocalServer> {
  const bin = findProgram('apache2');
  if (!bin) throw new Error('apache2 is not installed (scripts/setup.sh installs it)');
  const dir = mkdtempSync(path.join(tmpdir(), 'lb-bench-apache-'));
  // Apache's workers run as www-data: the page must be readable by them
  chmodSync(dir, 0o755);
  const p = labPaths(dir);
  for (const d of [p.logs, p.run, path.join(p.www, 'web1')]) mkdirSync(d, { recursive: true, mode: 0o755 });
  const s = loadSettings();
  const host = { ...WEBS[0]!, address: '127.0.0.1' };
  writeFileSync(path.join(p.www, 'web1', 'index.html'), webPage(host, s.web.pageBytes), { mode: 0o644 });
  const port = await freePort();
  const conf = path.join(dir, 'apache2.conf');
  writeFileSync(conf, apacheConfig(s, host, p).replace(/^Listen .*$/m, `Listen 127.0.0.1:${port}`));
  const child: ChildProcess = spawn(bin, ['-DFOREGROUND', '-f', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const deadline = Date.now() + 5000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      if (child.exitCode === null) child.kill('SIGKILL');
      let log = '';
      try {
        log = readFileSync(path.join(p.logs, 'web1-apache-error.log'), 'utf8');
      } catch {}
      cleanup();
      throw new Error(`apache2 did not start on 127.0.0.1:${port}: ${(stderr + log).trim().split('\n').slice(-3).join(' | ')}`);
    }
    await sleep(20);
  }
  const version = (spawnSync(bin, ['-v'], { encoding: 'utf8' }).stdout.match(/Apache\/[\d.]+/) ?? ['apache2'])[0];
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    pid: child.pid!,
    version,
    async stop() {
      // TERM: Apache's immediate stop of the parent and its children
      await stopChild(child, exited);
      cleanup();
    },
  };
}
