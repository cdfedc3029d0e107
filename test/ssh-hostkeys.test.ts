/** Host keys against a real sshd: known (plain and hashed), unknown, accept-new, changed, unreachable. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LbError } from '../src/errors.js';
import { parseInventoryText } from '../src/inventory/load.js';
import type { Inventory } from '../src/inventory/inventory-schema.js';
import { SshPool } from '../src/ssh/pool.js';
import { serverVersions } from '../src/ssh/versions.js';
import { release } from 'node:os';
import { freePort, inventoryYaml, keygen, requireSshd, skipUnlessSshd, startSshd, type TestSshd } from './helpers/sshd.js';

function inventory(s: TestSshd, knownHosts: string, port = s.port): Inventory {
  const parsed = parseInventoryText(join(s.dir, 'inventory.yaml'), inventoryYaml({ ...s, port }, 'web1', { knownHosts }));
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.value;
}

/** OpenSSH's own fingerprint of the server's key: the independent truth. */
const opensshFingerprint = (s: TestSshd) =>
  execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(s.dir, 'host_ed25519.pub')], { encoding: 'utf8' }).split(' ')[1];

async function refusal(p: Promise<unknown>): Promise<LbError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof LbError, String(e));
    return e;
  }
  assert.fail('expected the connection to be refused');
}

describe('SSH host keys', skipUnlessSshd(), () => {
  let s: TestSshd;
  before(async () => {
    requireSshd();
    s = await startSshd();
  });
  after(async () => s?.dispose());

  test('a known key connects, and the connection runs commands', async () => {
    const pool = await SshPool.open(inventory(s, s.knownHosts), ['web1']);
    try {
      assert.equal((await pool.exec('web1', 'echo hello; exit 3')).stdout, 'hello\n');
      assert.equal((await pool.exec('web1', 'exit 3')).code, 3);
    } finally {
      pool.close();
    }
  });

  test('server versions over SSH: the kernel, and only the programs this host has', async () => {
    const pool = await SshPool.open(inventory(s, s.knownHosts), ['web1']);
    try {
      const { servers, warnings } = await serverVersions(pool);
      assert.deepEqual(warnings, []);
      assert.equal(servers.web1.kernel, release());
      const sh = (p: string) =>
        execFileSync('sh', ['-c', `PATH="$PATH:/usr/sbin:/sbin"; command -v ${p} || true`], { encoding: 'utf8' }).trim();
      for (const p of ['haproxy', 'nginx', 'apache2', 'keepalived']) assert.equal(p in servers.web1, sh(p) !== '', p);
      console.log('server versions:', JSON.stringify(servers));
    } finally {
      pool.close();
    }
  });

  test('a hashed known_hosts entry (ssh-keygen -H) is recognised', async () => {
    const file = join(s.dir, 'known_hosts_hashed');
    writeFileSync(file, readFileSync(s.knownHosts));
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    assert.match(readFileSync(file, 'utf8'), /^\|1\|/);
    const pool = await SshPool.open(inventory(s, file), ['web1']);
    pool.close();
  });

  test('an unknown key: exit 3 with its SHA256 fingerprint and the host; accept-new records it', async () => {
    const file = join(s.dir, 'known_hosts_empty');
    writeFileSync(file, '# nothing yet\n');
    const e = await refusal(SshPool.open(inventory(s, file), ['web1']));
    assert.equal(e.code, 3);
    assert.ok(e.message.includes(opensshFingerprint(s)), e.message);
    assert.match(e.message, /^web1 \(.*127\.0\.0\.1.*\): unknown SSH host key SHA256:[A-Za-z0-9+/]{43} /);

    const logged: string[] = [];
    const pool = await SshPool.open(inventory(s, file), ['web1'], { acceptNewHostKeys: true, log: (l) => logged.push(l) });
    pool.close();
    assert.match(logged.join('\n'), /web1: recorded new host key SHA256:/);
    // OpenSSH itself finds the recorded key under the [host]:port name
    const found = execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${s.port}`, '-f', file], { encoding: 'utf8' });
    assert.ok(found.includes(s.hostKey.split(' ')[1]));
    (await SshPool.open(inventory(s, file), ['web1'])).close(); // now known without the option
  });

  test('a changed key is refused, even with acceptNewHostKeys, and known_hosts is left alone', async () => {
    const other = join(s.dir, 'other_key');
    keygen(other);
    const file = join(s.dir, 'known_hosts_changed');
    const before = `[127.0.0.1]:${s.port} ${readFileSync(other + '.pub', 'utf8')
      .split(' ')
      .slice(0, 2)
      .join(' ')}\n`;
    writeFileSync(file, before);
    const e = await refusal(SshPool.open(inventory(s, file), ['web1'], { acceptNewHostKeys: true }));
    assert.equal(e.code, 3);
    assert.match(e.message, /web1 .*host key has CHANGED/);
    assert.ok(e.message.includes(opensshFingerprint(s)), e.message);
    assert.match(e.hint ?? '', /ssh-keygen -R/);
    assert.equal(readFileSync(file, 'utf8'), before);
  });

  test('an unreachable host: exit 3 naming the host and address', async () => {
    const port = await freePort(); // nothing listens there
    const e = await refusal(SshPool.open(inventory(s, s.knownHosts, port), ['web1']));
    assert.equal(e.code, 3);
    assert.ok(e.message.includes(`web1 (${s.user}@[127.0.0.1]:${port})`), e.message);
    assert.match(e.message, /cannot reach the SSH server: connection refused on port \d+ \(ECONNREFUSED\)/);
  });
});
