/**
 * Secret hygiene: with a passphrase-protected key, nothing lb-bench returns, logs, throws or
 * writes holds the passphrase or any part of the private key's text.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadInventory } from '../src/inventory/load.js';
import { CpuMonitor } from '../src/kinds/load/cpu-monitor.js';
import { SshPool } from '../src/ssh/pool.js';
import { serverVersions } from '../src/ssh/versions.js';
import { inventoryYaml, requireSshd, skipUnlessSshd, startSshd, type TestSshd } from './helpers/sshd.js';

const ENV = `LB_BENCH_TEST_PASSPHRASE_${process.pid}`;
const PASSPHRASE = `pp-${randomBytes(9).toString('base64url')}`;
/** a wrong passphrase is a secret too: it is often a near miss of the right one */
const WRONG = `wrong-${randomBytes(9).toString('base64url')}`;

describe('no private key or passphrase in any output', skipUnlessSshd(), () => {
  let s: TestSshd;
  before(async () => {
    requireSshd();
    s = await startSshd({ userKeyPassphrase: PASSPHRASE });
  });
  after(async () => {
    delete process.env[ENV];
    await s?.dispose();
  });

  test('errors, logs, returned objects and written files are free of the key and its passphrase', async () => {
    const keyText = readFileSync(s.identity, 'utf8');
    // every base64 line of the key's body, so that a partial leak is found too
    const secrets = [PASSPHRASE, WRONG, keyText.trim(), ...keyText.split('\n').filter((l) => l.length >= 20 && !l.startsWith('-----'))];
    const seen: string[] = [];
    const collect = (label: string, text: string) => seen.push(`${label}: ${text}`);
    const fail = async (label: string, p: Promise<unknown>) => {
      const e = await p.then(
        () => assert.fail(`${label}: expected a failure`),
        (err: Error & { hint?: string }) => err,
      );
      collect(label, `${e.message}\n${e.hint ?? ''}\n${inspect(e)}`);
      return e;
    };
    const writeInventory = (name: string, extra: Parameters<typeof inventoryYaml>[2]) => {
      const file = join(s.dir, name);
      writeFileSync(file, inventoryYaml(s, 'web1', extra));
      return loadInventory(file);
    };

    const withEnv = await writeInventory('inventory.yaml', { passphraseEnv: ENV });
    const noEnv = await writeInventory('inventory-noenv.yaml', {});
    const newKeys = join(s.dir, 'known_hosts_new');
    writeFileSync(newKeys, '');
    const unknownKey = await writeInventory('inventory-unknown.yaml', { passphraseEnv: ENV, knownHosts: newKeys });
    for (const file of ['inventory.yaml', 'inventory-noenv.yaml']) collect(file, readFileSync(join(s.dir, file), 'utf8'));

    delete process.env[ENV];
    assert.match(
      (await fail('env unset', SshPool.open(withEnv, ['web1']))).message,
      new RegExp(`${ENV} \\(ssh.passphraseEnv\\) is not set`),
    );
    process.env[ENV] = WRONG;
    assert.match(
      (await fail('wrong passphrase', SshPool.open(withEnv, ['web1']))).message,
      /cannot use the key .*the passphrase is missing or wrong/,
    );
    assert.equal((await fail('no passphraseEnv', SshPool.open(noEnv, ['web1']))).message.includes('passphrase is missing or wrong'), true);
    process.env[ENV] = PASSPHRASE;
    await fail('unknown host key', SshPool.open(unknownKey, ['web1']));

    const logs: string[] = [];
    const pool = await SshPool.open(unknownKey, ['web1'], { acceptNewHostKeys: true, log: (l) => logs.push(l) });
    try {
      const monitor = new CpuMonitor(pool, unknownKey, [{ host: 'web1', cpu: 'procstat' }]);
      await monitor.begin({ level: 1, repetition: 1 });
      await new Promise((r) => setTimeout(r, 700));
      const window = await monitor.end();
      assert.equal(typeof window.cpu.web1.mean, 'number');
      collect('cpu window', JSON.stringify(window));
      collect('versions', JSON.stringify(await serverVersions(pool)));
      collect('inspect pool', inspect(pool, { depth: null, showHidden: true }));
      collect('inspect host', inspect(pool.host('web1'), { depth: null, showHidden: true }));
      collect('inspect monitor', inspect(monitor, { depth: null, showHidden: true }));
      collect('inventory object', JSON.stringify(unknownKey));
    } finally {
      pool.close();
    }
    collect('log', logs.join('\n'));
    collect('known_hosts written', readFileSync(newKeys, 'utf8'));
    assert.equal(logs.length, 1);

    const all = seen.join('\n');
    assert.ok(all.includes('SHA256:'), 'the collected text is real output');
    secrets.forEach((secret, i) => {
      const where = seen.filter((t) => t.includes(secret)).map((t) => t.split(':')[0]);
      assert.deepEqual(where, [], `secret #${i} (0 passphrase, 1 wrong passphrase, 2+ key text) leaked in`);
    });
  });
});
