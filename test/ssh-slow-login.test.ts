/**
 * A host whose login shell is slow to start (its rc files do slow work: here, BASH_ENV set by the
 * test's sshd sleeps 4 s; on a busy CI runner, root's ~/.bashrc running `pyenv init` took 0.5–3 s).
 * Starting the shell is set-up and gets the host's generous ssh.timeout; the CPU reads of a load
 * window then come from the running shell, well inside their short bound. With a set-up bound too
 * short for that shell, the error says what really happened, and what to do.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInventoryText } from '../src/inventory/load.js';
import { CpuMonitor } from '../src/kinds/load/cpu-monitor.js';
import { SshPool } from '../src/ssh/pool.js';
import { inventoryYaml, requireSshd, skipUnlessSshd, startSshd, type TestSshd } from './helpers/sshd.js';

const SLOW_SHELL_S = 4;
const BOUND_MS = 1500;

describe('a host whose login shell takes seconds to start', skipUnlessSshd(), () => {
  let sshd: TestSshd;
  let pool: SshPool | undefined;
  before(async () => {
    requireSshd();
    sshd = await startSshd({ config: ['SetEnv BASH_ENV=/dev/null'] });
    const rc = join(sshd.dir, 'slow-rc');
    // unset first: bash scripts the rc files run (pyenv's) would read it again, each
    writeFileSync(rc, `unset BASH_ENV\nsleep ${SLOW_SHELL_S}\n`);
    // bash, the login shell here, reads $BASH_ENV before it runs a command (`bash -c …`, as sshd starts it)
    await sshd.stop();
    writeFileSync(
      join(sshd.dir, 'sshd_config'),
      (await import('node:fs')).readFileSync(join(sshd.dir, 'sshd_config'), 'utf8').replace('BASH_ENV=/dev/null', `BASH_ENV=${rc}`),
    );
    await sshd.start();
  });
  after(async () => {
    pool?.close();
    await sshd?.dispose();
  });

  const inventory = (timeout?: string) => {
    const parsed = parseInventoryText(join(sshd.dir, 'inventory.yaml'), inventoryYaml(sshd, 'web1', { timeout }));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    return parsed.value;
  };

  test("set-up waits for the shell; the window's reads stay within their short bound", async () => {
    const inv = inventory();
    const t0 = performance.now();
    pool = await SshPool.open(inv, ['web1']);
    const monitor = new CpuMonitor(pool, inv, [{ host: 'web1', cpu: 'procstat' }], { boundMs: BOUND_MS });
    await monitor.check();
    const setupMs = performance.now() - t0;
    assert.ok(setupMs >= SLOW_SHELL_S * 1000, `set-up took ${setupMs.toFixed(0)} ms: the slow shell was really started`);
    for (const repetition of [1, 2]) {
      const b0 = performance.now();
      await monitor.begin({ level: 1, repetition });
      const beginMs = performance.now() - b0;
      await new Promise((r) => setTimeout(r, 600));
      const e0 = performance.now();
      const w = await monitor.end();
      const endMs = performance.now() - e0;
      console.log(`set-up ${setupMs.toFixed(0)} ms; begin ${beginMs.toFixed(0)} ms, end ${endMs.toFixed(0)} ms`, JSON.stringify(w.cpu));
      assert.deepEqual(w.warnings, []);
      assert.equal(typeof w.cpu.web1!.mean, 'number');
      // no login shell is started inside the window: each read is one command in the running shell.
      // A read past its bound is a warning (none above); the timing itself is judged against the
      // slow login, with a second's slack for this test's own stalls on a busy machine
      const loginMs = SLOW_SHELL_S * 1000;
      assert.ok(beginMs < loginMs - 1000 && endMs < loginMs - 1000, `begin ${beginMs} ms, end ${endMs} ms, a login ${loginMs} ms`);
    }
    pool.close();
    pool = undefined;
  });

  test("a set-up bound shorter than the shell's start: exit 3 naming the shell, with the field to raise", async () => {
    const inv = inventory('2s');
    await assert.rejects(
      async () => {
        pool = await SshPool.open(inv, ['web1']);
      },
      (e: Error & { code?: number; hint?: string }) => {
        assert.equal(e.code, 3);
        assert.match(
          e.message,
          /^web1 \(.*\): logged in, but the remote shell did not answer within 2000 ms \(the user's login shell runs its rc files/,
        );
        assert.match(e.hint ?? '', /hosts\.web1\.ssh\.timeout/);
        assert.doesNotMatch(`${e.message} ${e.hint}`, /cgroup/, 'no hint about cgroup paths: they are not the cause');
        return true;
      },
    );
  });
});
