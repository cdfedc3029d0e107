/**
 * An sshd stopped mid-window: that host's CPU is null with a warning, end() and begin() stay
 * quick, and the next begin() reconnects once sshd is back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseInventoryText } from '../src/inventory/load.js';
import { CpuMonitor } from '../src/kinds/load/cpu-monitor.js';
import { SshPool } from '../src/ssh/pool.js';
import { countingShell } from './helpers/counting-shell.js';
import { inventoryYaml, requireSshd, skipUnlessSshd, startSshd, type TestSshd } from './helpers/sshd.js';
import { waitFor } from './helpers/wait.js';

const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const v = await f();
  return [v, performance.now() - t0];
};

describe('CPU sampling when a host goes away', skipUnlessSshd(), () => {
  let a: TestSshd;
  let b: TestSshd;
  let pool: SshPool | undefined;
  before(async () => {
    requireSshd();
    [a, b] = await Promise.all([startSshd(), startSshd()]);
  });
  after(async () => {
    pool?.close();
    await Promise.all([a?.dispose(), b?.dispose()]);
  });

  test('a stopped sshd gives null CPU with a warning; the other host is measured; begin() reconnects later', async () => {
    const yaml = inventoryYaml(a, 'web1') + inventoryYaml(b, 'web2').replace('hosts:\n', '');
    const parsed = parseInventoryText(join(a.dir, 'inventory.yaml'), yaml);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    const inv = parsed.value;
    pool = await SshPool.open(inv, ['web1', 'web2']);
    const shell = countingShell(pool);
    const more = (host: string, what: string) => shell.moreReads([host], 1, { timeout: 15_000, what });
    const monitor = new CpuMonitor(
      shell,
      inv,
      [
        { host: 'web1', cpu: 'procstat' },
        { host: 'web2', cpu: 'procstat' },
      ],
      { boundMs: 1500 },
    );

    await monitor.begin({ level: 100, repetition: 1 });
    // an interval of each host sampled (a read after begin's), then web1's sshd stops mid-window
    await Promise.all([more('web1', 'an interval of web1'), more('web2', 'an interval of web2')]);
    await a.stop(); // mid-window: web1's connection dies with its sshd
    await waitFor(() => !pool!.host('web1').connected, { timeout: 15_000, what: "web1's connection to go" });
    await more('web2', 'an interval of web2 without web1'); // the window goes on a while without web1
    const [lost, endMs] = await timed(() => monitor.end());
    console.log('web1 stopped mid-window:', JSON.stringify(lost.cpu), lost.warnings, `end() ${endMs.toFixed(0)} ms`);
    assert.deepEqual(lost.cpu.web1, { mean: null, peak: null });
    assert.equal(typeof lost.cpu.web2.mean, 'number');
    assert.equal(lost.warnings.length, 1);
    assert.match(lost.warnings[0], /^no CPU figure for web1 in this run: web1 \(.*\): .*(lost|closed)/);
    assert.ok(endMs < 1500 + 1000, `end() took ${endMs} ms, bound 1500`); // the bound, plus slack for a busy machine
    assert.ok(
      lost.records.some((r) => r.host === 'web1'),
      'web1 was sampled before it went away',
    );

    // still down: begin() gives up on it within its bound, and the run goes on
    const [, beginMs] = await timed(() => monitor.begin({ level: 100, repetition: 2 }));
    assert.ok(beginMs < 1500 + 1000, `begin() took ${beginMs} ms, bound 1500`);
    const down = await monitor.end();
    assert.equal(down.cpu.web1.mean, null);
    assert.match(down.warnings.join('\n'), /web1 .*cannot reach the SSH server: connection refused on port \d+ \(ECONNREFUSED\)/);

    await a.start();
    await monitor.begin({ level: 100, repetition: 3 });
    await more('web1', 'an interval of web1 once it is back');
    const back = await monitor.end();
    console.log('web1 back:', JSON.stringify(back.cpu), back.warnings);
    assert.deepEqual(back.warnings, []);
    assert.equal(typeof back.cpu.web1.mean, 'number');
    assert.ok(pool.host('web1').connected);
  });
});
