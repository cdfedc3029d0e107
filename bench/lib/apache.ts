/**
 * A private Apache for the benchmarks, configured as the lab's web servers are (the lab's own
 * config writer and lab.yaml's mpm_event limits: StartServers 2, MaxRequestWorkers 150, …), its
 * files in a temporary folder, serving the lab's page on 127.0.0.1 at a free port. Started as a
 * child in the foreground, so its pid is the parent's, and stopped by that pid; the distribution's
 * service is never touched.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { apacheConfig, webPage } from '../../src/lab/configs/apache.js';
import { loadSettings } from '../../src/lab/settings.js';
import { labPaths, WEBS } from '../../src/lab/topology.js';
import { findProgram } from './programs.js';
import { freePort, startServerChild, type LocalNginx } from './nginx.js';

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
  const version = (spawnSync(bin, ['-v'], { encoding: 'utf8' }).stdout.match(/Apache\/[\d.]+/) ?? ['apache2'])[0];
  const errorLog = path.join(p.logs, 'web1-apache-error.log');
  return startServerChild({ name: 'apache2', bin, args: ['-DFOREGROUND', '-f', conf], port, dir, errorLog, version });
}
