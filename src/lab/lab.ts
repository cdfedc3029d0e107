/**
 * `lab up` and `lab down`. Up checks before every step, so it may be run any number of times:
 * what exists and runs with the same config is left alone, a dead component is started again,
 * a changed config restarts its component. Down stops what the lab recorded and removes what
 * it made, whether the last `up` finished or not.
 */
import { assertLabUp } from './guard.js';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { envError } from '../errors.js';
import { detectCgroups, ensureGroup, groupQuota, existingGroups, removeGroups, accountingDir, type CgroupLayout } from './cgroup.js';
import { labComponents } from './components.js';
import { webPage } from './configs/apache.js';
import { inventoryText } from './inventory.js';
import { packagePath } from '../package-files.js';
import { ensureKeys } from './keys.js';
import { ensureBridge, ensureHostNetwork, namespacesHolding, pidsInNetns, removeNetwork } from './netns.js';
import { httpGet, tcpBanner, tcpOpen } from './probes.js';
import { logTail, pidFile, runningPid, start, stop, type Component } from './processes.js';
import { loadSettings, loadSettingsDetail, type LabSettings } from './settings.js';
import { chooseWebCpus, findCalibration, setLabCalibration, thisMachine, webCpusLine, type WebCpusSource } from './calibration.js';
import { readLabSettings, saveLabSettings, writeIfChanged } from './state.js';
import { reachableFileLimit, requirePrograms, requireRootLinux } from './system.js';
import { BALANCERS, HOSTS, VIP, WEBS, labPaths, type LabPaths } from './topology.js';

export interface UpReport {
  /** settings this machine could not honour, and what was used instead */
  warnings: string[];
  /** components that were not running (a fresh lab) */
  started: string[];
  /** components that had died, or whose config changed */
  restarted: string[];
  /** settings applied in place, without a restart (a web server's CPU quota) */
  changed: string[];
  unchanged: string[];
  /** the web servers' CPU share, and where it came from (a --config, this machine's calibration, lab.yaml) */
  webCpus: { cpus: number; source: WebCpusSource; line: string };
}

export interface UpOptions {
  /** this share for the web servers, whatever the settings say: for calibrating (the lab then counts as not calibrated) */
  webCpus?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function makeDirs(p: LabPaths): void {
  for (const d of [p.dir, p.conf, p.pids, p.logs, p.www, p.run, ...WEBS.map((w) => path.join(p.www, w.name))])
    mkdirSync(d, { recursive: true });
  // Apache and Nginx workers run as www-data and read the pages and configs: the folder must be
  // traversable (a mkdtemp folder is 0700); the keys folder stays private
  chmodSync(p.dir, 0o755);
  mkdirSync(p.keys, { recursive: true, mode: 0o700 });
  // sshd's privilege-separation directory (compiled in as /run/sshd): the distribution's sshd makes
  // it at start, and ours needs it too; it is left in place, as the package would leave it
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
}

/**
 * How long a component may take to answer after it starts: generous, since a busy machine is the
 * normal case and the wait ends as soon as it answers.
 */
const READY_MS = 60_000;

/** Ready means: answers as a client would see it. A component that died meanwhile fails with its log. */
async function waitReady(p: LabPaths, layout: CgroupLayout, c: Component, address: string, timeoutMs = READY_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ready = async () => {
    switch (c.service) {
      case 'apache':
        return (await httpGet(address, 80, 1000).catch(() => null))?.status === 200;
      case 'haproxy':
        return (await tcpOpen(address, 80)) && (await tcpOpen(address, 81));
      case 'nginx':
        return tcpOpen(address, 8080);
      case 'sshd':
        return (await tcpBanner(address, 22, 1000).catch(() => '')).startsWith('SSH-');
      case 'keepalived':
        return true; // alive after a moment; the VIP is waited for once both run
    }
  };
  await sleep(c.service === 'keepalived' ? 300 : 50);
  while (Date.now() < deadline) {
    if (!runningPid(p, layout, c))
      throw envError(`lab up: ${c.id} exited at start: ${logTail(p, c.id) || 'no output'}`, `its log: ${path.join(p.logs, c.id + '.log')}`);
    if (await ready()) return;
    await sleep(100);
  }
  throw envError(`lab up: ${c.id} did not answer within ${timeoutMs / 1000} s`, `its log: ${path.join(p.logs, c.id + '.log')}`);
}

async function waitForVip(timeoutMs = READY_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      (
        await namespacesHolding(
          VIP,
          BALANCERS.map((b) => b.name),
        )
      ).length === 1
    )
      return;
    await sleep(200);
  }
  throw envError(
    `lab up: no balancer took the VIP ${VIP} within ${timeoutMs / 1000} s`,
    "see the keepalived logs in the lab's logs folder",
  );
}

/**
 * HAProxy refuses to start when its maxconn needs more file descriptors (two per proxied
 * connection) than it may open; where the hard limit cannot be raised, lower the knobs to fit
 * and say so, rather than fail or let Nginx log setrlimit errors.
 */
async function fitFileLimit(s: LabSettings): Promise<string[]> {
  const limit = await reachableFileLimit(s.nofile);
  const warnings: string[] = [];
  if (limit >= s.nofile) return warnings;
  s.nofile = limit;
  const fit = Math.floor((limit - 64) / 2);
  if (s.haproxy.maxconn > fit) {
    warnings.push(
      `haproxy.maxconn ${s.haproxy.maxconn} lowered to ${fit}: the file limit here is ${limit} and cannot be raised (no CAP_SYS_RESOURCE)`,
    );
    s.haproxy.maxconn = fit;
  }
  if (s.nginx.workerRlimitNofile > limit) {
    warnings.push(`nginx.workerRlimitNofile ${s.nginx.workerRlimitNofile} lowered to ${limit}, the file limit here`);
    s.nginx.workerRlimitNofile = limit;
  }
  return warnings;
}

/** The settings `up` applies: lab.yaml, the user's file over it, and the web servers' share chosen by chooseWebCpus. */
async function upSettings(configFile: string | undefined, opts: UpOptions) {
  const { settings: s, userWebCpus } = loadSettingsDetail(configFile);
  const defaults = s.web.cpus;
  const config = configFile ? { file: configFile, cpus: userWebCpus ? s.web.cpus : undefined } : undefined;
  const calibration = opts.webCpus === undefined ? findCalibration(await thisMachine()) : null;
  const choice = chooseWebCpus({ defaults, config, calibration, forced: opts.webCpus });
  s.web.cpus = choice.cpus;
  return { s, calibration: calibration?.record ?? null, webCpus: { ...choice, line: webCpusLine(choice.cpus, choice.source) } };
}

export async function labUp(configFile?: string, opts: UpOptions = {}): Promise<UpReport> {
  requireRootLinux('up');
  requirePrograms();
  const { s, webCpus, calibration } = await upSettings(configFile, opts);
  const warnings = await fitFileLimit(s);
  const p = labPaths();
  makeDirs(p);

  await ensureBridge();
  const sysctlsOf = { web: s.net.webs, balancer: s.net.balancers, client: s.net.clients } as const;
  for (const host of HOSTS) await ensureHostNetwork(host, sysctlsOf[host.role]);
  // the readiness checks below talk to 198.18.0.x: only once the bridge holds that network
  await assertLabUp();
  const layout = detectCgroups();

  const keys = await ensureKeys(p, HOSTS);
  writeIfChanged(p.knownHosts, keys.knownHosts, 0o644);
  writeIfChanged(p.authorizedKeys, keys.authorizedKeys, 0o600);
  for (const w of WEBS) writeIfChanged(path.join(p.www, w.name, 'index.html'), webPage(w, s.web.pageBytes), 0o644);

  const report: UpReport = { warnings, started: [], restarted: [], changed: [], unchanged: [], webCpus };
  const launched: Component[] = [];
  for (const c of labComponents(s, p)) {
    const web = WEBS.find((w) => w.name === c.host && c.service === 'apache');
    const quotaBefore = web ? groupQuota(layout, c.group) : null;
    const procs = ensureGroup(layout, c.group, web ? { cpus: s.web.cpus, periodUs: s.web.cpuPeriodUs } : undefined);
    if (web && quotaBefore !== null && Math.abs(quotaBefore - s.web.cpus) > 1e-9)
      report.changed.push(`${c.group} CPU quota ${quotaBefore} → ${s.web.cpus}`);
    const changed = writeIfChanged(c.config.file, c.config.text, 0o644);
    const pid = runningPid(p, layout, c);
    const recorded = existsSync(pidFile(p, c.id)); // running before, or died since
    if (pid && !changed) {
      report.unchanged.push(c.id);
      continue;
    }
    // a dead component may have left children (Apache's, Nginx's workers) holding its port
    await stop(p, layout, c);
    start(p, c, procs, s.nofile);
    (recorded ? report.restarted : report.started).push(c.id);
    launched.push(c);
  }
  await Promise.all(launched.map((c) => waitReady(p, layout, c, HOSTS.find((h) => h.name === c.host)!.address)));
  await waitForVip();

  saveLabSettings(p, s);
  // every run on the lab copies this into its manifest: this machine's calibration, and the share
  // the lab runs when a --config named another (the fingerprint stays the machine's; the share is
  // part of what is measured)
  setLabCalibration(p.dir, calibration, s.web.cpus);
  writeIfChanged(
    p.inventory,
    inventoryText(p, HOSTS, (h) =>
      h.role === 'web'
        ? { cgroup: { path: accountingDir(layout, h.name), cpus: s.web.cpus } }
        : h.role === 'client'
          ? { lbBench: `${process.execPath} ${packagePath('bin', 'lb-bench.js')}` }
          : {},
    ),
  );
  return report;
}

export interface DownReport {
  stopped: string[];
  /** processes found in the lab's namespaces that the lab did not start: named, not killed */
  strangers: number[];
}

export async function labDown(): Promise<DownReport> {
  requireRootLinux('down');
  const p = labPaths();
  const layout = detectCgroups();
  // ids and cgroups do not depend on the settings; any settings will name them
  const s: LabSettings = existsSync(p.settings) ? readLabSettings(p) : loadSettings();
  const components = labComponents(s, p);
  const stopped = components.filter((c) => runningPid(p, layout, c)).map((c) => c.id);
  await Promise.all(components.map((c) => stop(p, layout, c)));
  const strangers = (await Promise.all(HOSTS.map((h) => pidsInNetns(h.name)))).flat();
  setLabCalibration(p.dir, null);
  const problems = [...removeGroups(layout), ...(await removeNetwork())];
  if (problems.length)
    throw envError(
      `lab down: could not remove everything: ${problems.join('; ')}`,
      strangers.length ? `processes the lab did not start are still in its namespaces: ${strangers.join(' ')}` : undefined,
    );
  return { stopped, strangers };
}

/** What of the lab is left on this machine (after `down`, nothing): for tests and for `status`. */
export async function labLeftovers(): Promise<string[]> {
  const left: string[] = [];
  for (const h of HOSTS) if (existsSync(`/run/netns/${h.name}`)) left.push(`namespace ${h.name}`);
  for (const l of ['lbb0', ...HOSTS.map((h) => h.hostVeth)]) if (existsSync(`/sys/class/net/${l}`)) left.push(`link ${l}`);
  try {
    left.push(...existingGroups(detectCgroups()).map((g) => `cgroup ${g}`));
  } catch {
    /* no cgroups, none left */
  }
  return left;
}
