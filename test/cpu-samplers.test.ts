/**
 * CPU samplers over a real sshd against known loads: a busy loop held to 0.25 CPU by a cgroup
 * quota must read ~100 % of its share (v1 cpuacct and v2 cpu.stat), and procstat must agree with
 * /proc/stat read here over the same window, for one and for two busy loops on this machine.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseInventoryText } from '../src/inventory/load.js';
import type { Inventory } from '../src/inventory/inventory-schema.js';
import { CpuMonitor } from '../src/kinds/load/cpu-monitor.js';
import { parseProcStat } from '../src/cpu/procstat.js';
import { utilisation } from '../src/cpu/source.js';
import { SshPool } from '../src/ssh/pool.js';
import { countingShell, type CountingShell } from './helpers/counting-shell.js';
import { requireSshd, skipUnlessSshd, startSshd, type TestSshd } from './helpers/sshd.js';
import { sleep, waitFor } from './helpers/wait.js';

const NAME = `lb-bench-test-${process.pid}`;
const V1_CPU = `/sys/fs/cgroup/cpu/${NAME}`;
const V1_ACCT = `/sys/fs/cgroup/cpuacct/${NAME}`;
const V2 = existsSync('/sys/fs/cgroup/unified/cgroup.procs')
  ? `/sys/fs/cgroup/unified/${NAME}`
  : existsSync('/sys/fs/cgroup/cgroup.controllers')
    ? `/sys/fs/cgroup/${NAME}`
    : null;
const hasV1 = existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') && existsSync('/sys/fs/cgroup/cpuacct/cpuacct.usage');

const busyLoop = () => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
const kill = (p: ChildProcess) => p.exitCode === null && p.kill('SIGKILL');
const localProcStat = () => parseProcStat(readFileSync('/proc/stat', 'utf8'));
/** CPU time a process has had so far (utime + stime, clock ticks): above 0 once it has run */
const ranTicks = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [utime, stime] = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 13)
    .map(Number);
  return utime! + stime!;
};
/** times the cgroup (v1 cpu) has been held to its quota */
const throttled = (dir: string) => Number(/^nr_throttled (\d+)$/m.exec(readFileSync(join(dir, 'cpu.stat'), 'utf8'))?.[1] ?? 0);

/**
 * The load window: open until the sampler has read each of `hosts` `intervals` times after begin()
 * (an interval is 500 ms; a slow read on a busy machine skips one, so a fixed sleep could hold fewer).
 */
function holdWindow(shell: CountingShell, hosts: string[], intervals: number): Promise<void> {
  return shell.moreReads(hosts, intervals, { timeout: 30_000, what: `${intervals} interval reads of ${hosts.join(', ')}` });
}

function inventory(s: TestSshd, hosts: Record<string, string>): Inventory {
  const ssh = `{ user: ${s.user}, port: ${s.port}, identity: ${s.identity}, knownHosts: ${s.knownHosts} }`;
  const yaml = [
    'hosts:',
    ...Object.entries(hosts).flatMap(([n, cg]) => [
      `  ${n}:`,
      `    address: 127.0.0.1`,
      `    ssh: ${ssh}`,
      ...(cg ? [`    cgroup: ${cg}`] : []),
    ]),
  ].join('\n');
  const parsed = parseInventoryText(join(s.dir, 'inventory.yaml'), yaml);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.value;
}

describe('CPU samplers against known loads', skipUnlessSshd(), () => {
  let s: TestSshd;
  let pool: SshPool | undefined;
  before(async () => {
    requireSshd();
    s = await startSshd();
  });
  after(async () => {
    pool?.close();
    await s?.dispose();
  });

  test(
    'cgroup mode: a busy loop under a 0.25 CPU quota reads ~100 % of its share (v1 cpuacct, v2 cpu.stat)',
    { skip: !hasV1 && process.env.CI !== 'true' ? 'no cgroup v1 cpu/cpuacct hierarchies here' : false },
    async () => {
      const made: string[] = [];
      let loop: ChildProcess | null = null;
      try {
        for (const dir of [V1_CPU, V1_ACCT, ...(V2 ? [V2] : [])]) (mkdirSync(dir), made.push(dir));
        writeFileSync(join(V1_CPU, 'cpu.cfs_period_us'), '100000');
        writeFileSync(join(V1_CPU, 'cpu.cfs_quota_us'), '25000');
        loop = busyLoop();
        for (const dir of made) writeFileSync(join(dir, 'cgroup.procs'), String(loop.pid));
        // the quota has taken hold before the window opens: the loop has been throttled
        await waitFor(() => throttled(V1_CPU) > 0, { timeout: 10_000, what: 'the quota to throttle the loop' });

        const hosts: Record<string, string> = { v1: `{ path: ${V1_ACCT}, cpus: 0.25 }` };
        if (V2) hosts.v2 = `{ path: ${V2}, cpus: 0.25 }`;
        const inv = inventory(s, hosts);
        pool = await SshPool.open(inv, Object.keys(hosts));
        const shell = countingShell(pool);
        const monitor = new CpuMonitor(
          shell,
          inv,
          Object.keys(hosts).map((host) => ({ host, cpu: 'cgroup' as const })),
        );
        await monitor.check();
        await monitor.begin({ level: 1000, repetition: 1 });
        await holdWindow(shell, Object.keys(hosts), 5);
        const w = await monitor.end();
        console.log('cgroup 0.25 CPU busy:', JSON.stringify(w.cpu), `${w.records.length} interval records`);
        assert.deepEqual(w.warnings, []);
        for (const host of Object.keys(hosts)) {
          const { mean, peak } = w.cpu[host];
          assert.ok(mean !== null && Math.abs(mean - 100) <= 10, `${host}: mean ${mean}, expected 100 ± 10`);
          // CFS grants the quota per 100 ms period, so a 500 ms interval can hold 6 periods' runs
          // instead of 5: interval figures of a throttled cgroup honestly range to ~120 %; each read's
          // clock is a forked `date`, whose delay on a busy machine moves an interval by some 10 % more
          assert.ok(peak !== null && peak >= mean - 0.01 && peak <= 135, `${host}: peak ${peak}, expected between the mean and 135`);
          const recs = w.records.filter((r) => r.host === host);
          assert.ok(recs.length >= 4, `${host}: ${recs.length} interval records in a window of 5 interval reads`);
          assert.deepEqual(Object.keys(recs[0]).sort(), ['busy_pct', 'host', 'level', 'repetition', 't']);
        }
      } finally {
        if (loop) kill(loop);
        pool?.close();
        pool = undefined;
        // a cgroup can be removed once its killed loop has left its task list: wait for that
        const deadline = Date.now() + 10_000;
        while (made.some((dir) => readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim()) && Date.now() < deadline) await sleep(10);
        for (const dir of made.reverse()) rmdirSync(dir);
      }
    },
  );

  for (const loops of [1, 2]) {
    test(`procstat mode: ${loops} busy loop(s) on ${cpus().length} cores agree with /proc/stat read here`, async () => {
      const procs = Array.from({ length: loops }, busyLoop);
      try {
        const inv = inventory(s, { web1: '' });
        pool = await SshPool.open(inv, ['web1']);
        const shell = countingShell(pool);
        const monitor = new CpuMonitor(shell, inv, [{ host: 'web1', cpu: 'procstat' }]);
        // every loop has been scheduled before the window opens
        await waitFor(() => procs.every((p) => ranTicks(p.pid!) > 0), { timeout: 10_000, what: 'the busy loops to run' });
        // the truth is read inside the sampler's window (after its first read, before its last),
        // so that nothing outside that window — SSH set-up, other work — can tell them apart
        await monitor.begin();
        const before = localProcStat();
        await holdWindow(shell, ['web1'], 5);
        const truth = utilisation(before, localProcStat())!;
        const w = await monitor.end();
        // the loops alone keep `loops` of the cores busy; anything else running only adds
        const floor = (Math.min(loops, cpus().length) / cpus().length) * 100;
        console.log(`procstat, ${loops} loop(s):`, JSON.stringify(w.cpu.web1), `local /proc/stat ${truth.toFixed(1)} %, floor ${floor} %`);
        const { mean, peak } = w.cpu.web1;
        assert.ok(mean !== null && Math.abs(mean - truth) <= 10, `mean ${mean} vs /proc/stat ${truth}`);
        assert.ok(mean >= floor - 10 && mean <= 100, `mean ${mean}, at least ${floor} - 10 expected`);
        assert.ok(peak !== null && peak >= mean - 0.01 && peak <= 100.01, `peak ${peak}`);
      } finally {
        procs.forEach(kill);
        pool?.close();
        pool = undefined;
      }
    });
  }
});
