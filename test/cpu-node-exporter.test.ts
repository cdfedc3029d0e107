/**
 * The node_exporter CPU source against a fixture HTTP server on 127.0.0.1 that serves
 * node_exporter's page with CPU counters this test sets, so that every figure has a known truth.
 * The page is written in node_exporter's text format as it prints it (HELP and TYPE lines, one
 * node_cpu_seconds_total per CPU and mode, node_cpu_guest_seconds_total apart, other metrics
 * around); node_exporter itself is not installed here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CpuMonitor } from '../src/kinds/load/cpu-monitor.js';
import { parseNodeCpu } from '../src/cpu/node-exporter.js';
import { parseInventoryText } from '../src/inventory/load.js';
import type { Inventory } from '../src/inventory/inventory-schema.js';
import { runCli } from './helpers/cli.js';
import { closedPort, startServer, type TestServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';

const MODES = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'] as const;
type Cpu = Record<(typeof MODES)[number], number>;

/** node_exporter's /metrics with these CPUs' counters (seconds), and guest time that must not count. */
function page(cpus: Cpu[], guestSeconds = 1000): string {
  const lines = [
    '# HELP node_boot_time_seconds Node boot time, in unixtime.',
    '# TYPE node_boot_time_seconds gauge',
    'node_boot_time_seconds 1.695759541e+09',
    '# HELP node_context_switches_total Total number of context switches.',
    '# TYPE node_context_switches_total counter',
    'node_context_switches_total 4.846728311e+10',
    '# HELP node_cpu_guest_seconds_total Seconds the CPUs spent in guests (VMs) for each mode.',
    '# TYPE node_cpu_guest_seconds_total counter',
    ...cpus.flatMap((_, i) => [
      `node_cpu_guest_seconds_total{cpu="${i}",mode="nice"} 0`,
      `node_cpu_guest_seconds_total{cpu="${i}",mode="user"} ${guestSeconds}`,
    ]),
    '# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.',
    '# TYPE node_cpu_seconds_total counter',
    ...cpus.flatMap((c, i) => MODES.map((m) => `node_cpu_seconds_total{cpu="${i}",mode="${m}"} ${c[m]}`)),
    '# HELP node_load1 1m load average.',
    '# TYPE node_load1 gauge',
    'node_load1 0.42',
  ];
  return lines.join('\n') + '\n';
}

const cpu = (c: Partial<Cpu>): Cpu => ({ idle: 0, iowait: 0, irq: 0, nice: 0, softirq: 0, steal: 0, system: 0, user: 0, ...c });

/** Two CPUs, as a host that has run a while. */
const base = [
  cpu({ idle: 5.48760586e6, iowait: 2863.37, irq: 0, nice: 12.5, softirq: 310.2, steal: 0, system: 8040.93, user: 40211.06 }),
  cpu({ idle: 5.4871e6, iowait: 1500.11, irq: 0, nice: 3.25, softirq: 290.8, steal: 1.5, system: 7950.4, user: 39880.0 }),
];
/** 10 s later, on each CPU: 2.5 s busy (user 1.5, system 0.75, softirq 0.25), 7.5 s idle or waiting (idle 7, iowait 0.5): 25 %. */
const tenSecondsLater = (cs: Cpu[]) =>
  cs.map((c) => ({
    ...c,
    user: c.user + 1.5,
    system: c.system + 0.75,
    softirq: c.softirq + 0.25,
    idle: c.idle + 7,
    iowait: c.iowait + 0.5,
  }));
const later = tenSecondsLater(base);

test('parseNodeCpu sums every CPU; busy = total − idle − iowait; guest time and other metrics are left out', () => {
  const c = parseNodeCpu(page(base));
  const total = base.reduce((n, x) => n + MODES.reduce((m, k) => m + x[k], 0), 0);
  const busy = total - base.reduce((n, x) => n + x.idle + x.iowait, 0);
  assert.ok(Math.abs(c.total - total) < 1e-6, `${c.total} vs ${total}`);
  assert.ok(Math.abs(c.busy - busy) < 1e-6, `${c.busy} vs ${busy}`);
  assert.throws(() => parseNodeCpu('# HELP node_load1 1m load average.\nnode_load1 0.42\n'), /no node_cpu_seconds_total/);
  assert.throws(() => parseNodeCpu('node_cpu_seconds_total{cpu="0",mode="idle"} NaN\n'), /unexpected value/);
});

describe('node_exporter as a CPU source', () => {
  let counters = base;
  let served = 0;
  /** each page served advances the counters by this, when set: every interval then has the same truth */
  let step: ((c: Cpu[]) => Cpu[]) | null = null;
  const exporter = http.createServer((req, res) => {
    served++;
    if (req.url !== '/metrics') return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(page(counters));
    if (step) counters = step(counters);
  });
  let url = '';
  let target: TestServer;
  const ws = workspace();

  before(async () => {
    await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(exporter.address() as AddressInfo).port}/metrics`;
    target = await startServer('ok', { delayMs: 50 });
  });
  after(async () => {
    await new Promise<void>((r) => exporter.close(() => r()));
    await target.close();
    ws.remove();
  });

  const inventoryText = async (exporterUrl: string) =>
    `hosts:\n  web1:\n    address: 127.0.0.1\n    ssh: { user: nobody, port: ${await closedPort()} }\n    node_exporter: ${exporterUrl}\n`;
  async function inventory(exporterUrl: string): Promise<Inventory> {
    const parsed = parseInventoryText(join(ws.dir, 'inventory.yaml'), await inventoryText(exporterUrl));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    return parsed.value;
  }

  test('the window from its first read to its last: exactly the known 25 %, without SSH', async () => {
    counters = base;
    step = null;
    const monitor = new CpuMonitor(null, await inventory(url), [{ host: 'web1', cpu: 'node_exporter' }], { intervalMs: 60_000 });
    await monitor.check();
    await monitor.begin({ level: 100, repetition: 1 });
    counters = later;
    const w = await monitor.end();
    assert.deepEqual(w.warnings, []);
    assert.deepEqual(w.cpu, { web1: { mean: 25, peak: 25 } });
  });

  test('an exporter that does not answer is exit 3 before any traffic, naming the host and the URL', async () => {
    const gone = `http://127.0.0.1:${await closedPort()}/metrics`;
    const monitor = new CpuMonitor(null, await inventory(gone), [{ host: 'web1', cpu: 'node_exporter' }]);
    await assert.rejects(
      monitor.check(),
      (e: Error & { code?: number }) => e.code === 3 && e.message.includes(`web1: node_exporter ${gone}: ECONNREFUSED`),
    );
  });

  test('lb-bench run with cpu: node_exporter: every run has the figure the counters give, and cpu.jsonl its intervals', async () => {
    counters = base;
    // every page is 10 s later on both CPUs, 25 % busy: each interval and the window read 25 %
    step = tenSecondsLater;
    ws.write('inventory.yaml', await inventoryText(url));
    const file = ws.write(
      'ne.yaml',
      loadScenarioYaml(target.url, {
        levels: [20],
        repetitions: 2,
        cooldown: '600ms',
        name: 'ne',
        more: 'inventory: inventory.yaml\nbackends: [{ host: web1, cpu: node_exporter }]',
      }),
    );
    const before = served;
    const r = await runCli(['run', file, '--out', ws.results]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const samples = ws.samples(r.last);
    assert.equal(samples.length, 2);
    for (const s of samples) assert.deepEqual(s.cpu, { web1: { mean: 25, peak: 25 } });
    assert.ok(served - before >= 5, `${served - before} pages read: the check, and each window's first and last`);
    assert.deepEqual(ws.manifest(r.last).servers, {}, 'no host was logged into');
  });

  test('bad input is one line, exit 2: a URL that is not one, a host without node_exporter', async () => {
    ws.write('bad-inventory.yaml', `hosts:\n  web1:\n    address: 127.0.0.1\n    ssh: { user: nobody }\n    node_exporter: 9100\n`);
    const bad = ws.write(
      'bad.yaml',
      loadScenarioYaml(target.url, { name: 'bad', more: 'inventory: bad-inventory.yaml\nbackends: [{ host: web1, cpu: node_exporter }]' }),
    );
    const r = await runCli(['run', bad, '--out', ws.results]);
    assert.equal(r.code, 2);
    assert.match(r.err.join('\n'), /bad-inventory\.yaml: hosts\.web1\.node_exporter: must be the URL of its metrics/);

    ws.write('plain-inventory.yaml', `hosts:\n  web1:\n    address: 127.0.0.1\n    ssh: { user: nobody }\n`);
    const plain = ws.write(
      'plain.yaml',
      loadScenarioYaml(target.url, {
        name: 'plain',
        more: 'inventory: plain-inventory.yaml\nbackends: [{ host: web1, cpu: node_exporter }]',
      }),
    );
    const p = await runCli(['run', plain, '--out', ws.results]);
    assert.equal(p.code, 2);
    assert.match(
      p.err[0],
      /plain\.yaml: backends\[0\]\.cpu: node_exporter mode needs hosts\.web1\.node_exporter \(the URL of its metrics, e\.g\. http:\/\/127\.0\.0\.1:9100\/metrics\) in .*plain-inventory\.yaml; or use cpu: procstat/,
    );
  });

  test('the lab guard: an exporter in 198.18.0.0/15 that is not on this machine is exit 3, and nothing is sent', async () => {
    const results = join(ws.dir, 'guarded');
    ws.write(
      'far-inventory.yaml',
      `hosts:\n  web1:\n    address: 127.0.0.1\n    ssh: { user: nobody }\n    node_exporter: http://198.19.7.7:9100/metrics\n`,
    );
    const far = ws.write(
      'far.yaml',
      loadScenarioYaml(target.url, { name: 'far', more: 'inventory: far-inventory.yaml\nbackends: [{ host: web1, cpu: node_exporter }]' }),
    );
    const received = target.received;
    const r = await runCli(['run', far, '--out', results]);
    assert.equal(r.code, 3, r.err.join('\n'));
    assert.match(r.err[0], /far-inventory\.yaml: hosts\.web1\.node_exporter: 198\.19\.7\.7 is in the benchmarking range 198\.18\.0\.0\/15/);
    assert.equal(target.received, received, 'no request reached the target');
    assert.deepEqual(
      ws.runFolders().filter((d) => d.startsWith(results)),
      [],
    );
  });
});
