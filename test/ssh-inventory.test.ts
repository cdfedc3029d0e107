/** The inventory format, its errors, the backend check, and known_hosts matching (no network). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LbError } from '../src/errors.js';
import { checkBackends, inventoryPathFor, loadInventory, parseInventoryText } from '../src/inventory/load.js';
import { fingerprint, hostMatches, keyFromBlob } from '../src/ssh/known-hosts.js';
import { parseVersions } from '../src/ssh/versions.js';

const ISSUE_EXAMPLE = `hosts:
  web1:
    address: 198.18.0.11
    ssh: { user: root, port: 22, identity: keys/id_ed25519, knownHosts: known_hosts }
    cgroup: { path: /sys/fs/cgroup/cpuacct/lb-bench/web1, cpus: 0.25 }
`;

function problems(text: string): string[] {
  const r = parseInventoryText('inv.yaml', text);
  assert.ok(!r.ok, 'expected problems');
  return r.problems;
}

test('the format of issue 3 parses as written; relative paths resolve against the inventory file', () => {
  const r = parseInventoryText('/srv/lab/inventory.yaml', ISSUE_EXAMPLE);
  assert.ok(r.ok, JSON.stringify(r));
  const web1 = r.value.hosts.web1;
  assert.equal(web1.ssh.identity, '/srv/lab/keys/id_ed25519');
  assert.equal(web1.ssh.knownHosts, '/srv/lab/known_hosts');
  assert.deepEqual(web1.cgroup, { path: '/sys/fs/cgroup/cpuacct/lb-bench/web1', cpus: 0.25 });
  const bare = parseInventoryText('/x/i.yaml', 'hosts:\n  a: { address: h, ssh: { user: u } }\n');
  assert.ok(bare.ok);
  assert.equal(bare.value.hosts.a.ssh.port, 22);
  assert.equal(bare.value.hosts.a.ssh.identity, undefined); // the agent
  assert.equal(bare.value.hosts.a.ssh.knownHosts, join(homedir(), '.ssh/known_hosts'));
});

test('every problem of an inventory is reported with its field path', () => {
  const p = problems(`hosts:
  web1:
    ssh: { user: root, port: 70000, pasphraseEnv: X }
  web2:
    address: b
    ssh: { user: root, passphraseEnv: "my secret" }
    cgroup: { path: relative/path, cpus: 0 }
`);
  assert.deepEqual(p.sort(), [
    'hosts.web1.address: is required',
    'hosts.web1.ssh.pasphraseEnv: unknown field; check its spelling (see lb-bench schema)',
    'hosts.web1.ssh.port: must be a port number (1-65535), got 70000',
    'hosts.web2.cgroup.cpus: must be a positive number of CPUs, e.g. 0.25, got 0',
    'hosts.web2.cgroup.path: must be an absolute path on the host, got "relative/path"',
    'hosts.web2.ssh.passphraseEnv: must be the name of an environment variable, such as LB_BENCH_KEY_PASSPHRASE, got "my secret"',
  ]);
  assert.match(problems('hosts: [1, 2]\n')[0], /^hosts: must be a mapping of host names to hosts/);
  assert.match(problems('hosts: {a: 1\n')[0], /^line \d+, column \d+: not valid YAML/);
});

test('loadInventory: exit 2 with FILE: field: reason, one line per problem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-bench-inv-'));
  try {
    const file = join(dir, 'inventory.yaml');
    writeFileSync(file, 'hosts:\n  web1: { address: a, ssh: { user: root, port: 0 } }\n');
    await assert.rejects(
      loadInventory(file),
      (e: LbError) => e.code === 2 && e.message === `${file}: hosts.web1.ssh.port: must be a port number (1-65535), got 0`,
    );
    await assert.rejects(
      loadInventory(join(dir, 'none.yaml')),
      (e: LbError) => e.code === 2 && /cannot read the inventory file \(no such file\)/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('checkBackends names the scenario field: an unknown host, a cgroup backend without a cgroup', () => {
  const r = parseInventoryText('/srv/inv.yaml', ISSUE_EXAMPLE + '  web2: { address: b, ssh: { user: root } }\n');
  assert.ok(r.ok);
  assert.doesNotThrow(() =>
    checkBackends(
      's.yaml',
      [
        { host: 'web1', cpu: 'cgroup' },
        { host: 'web2', cpu: 'procstat' },
      ],
      r.value,
    ),
  );
  assert.throws(
    () =>
      checkBackends(
        's.yaml',
        [
          { host: 'web2', cpu: 'cgroup' },
          { host: 'web4', cpu: 'procstat' },
        ],
        r.value,
      ),
    (e: LbError) =>
      e.code === 2 &&
      e.message ===
        's.yaml: backends[0].cpu: cgroup mode needs hosts.web2.cgroup ({ path, cpus }) in /srv/inv.yaml; or use cpu: procstat\n' +
          's.yaml: backends[1].host: no host "web4" in /srv/inv.yaml (it has: web1, web2)',
  );
  assert.equal(inventoryPathFor('/a/b/scenario.yaml', '../inv.yaml', '/lab/inv.yaml'), '/a/inv.yaml');
  assert.equal(inventoryPathFor('/a/b/scenario.yaml', 'lab', '/lab/inv.yaml'), '/lab/inv.yaml');
});

test('known_hosts matching: patterns, negation, [host]:port, and hashes made by ssh-keygen -H', () => {
  assert.ok(hostMatches('web1,198.18.0.11', '198.18.0.11'));
  assert.ok(hostMatches('198.18.0.*', '198.18.0.12'));
  assert.ok(!hostMatches('198.18.0.*,!198.18.0.12', '198.18.0.12'));
  assert.ok(hostMatches('[127.0.0.1]:2222', '[127.0.0.1]:2222'));
  assert.ok(!hostMatches('127.0.0.1', '[127.0.0.1]:2222'));
  const dir = mkdtempSync(join(tmpdir(), 'lb-bench-kh-'));
  try {
    const file = join(dir, 'known_hosts');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
    const pub = readFileSync(join(dir, 'k.pub'), 'utf8').split(' ');
    writeFileSync(file, `[10.0.0.5]:2222 ${pub[0]} ${pub[1]}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const hashed = readFileSync(file, 'utf8').split(' ')[0];
    assert.match(hashed, /^\|1\|/);
    assert.ok(hostMatches(hashed, '[10.0.0.5]:2222'));
    assert.ok(!hostMatches(hashed, '[10.0.0.5]:22'));
    // our fingerprint is OpenSSH's
    const blob = Buffer.from(pub[1], 'base64');
    const theirs = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'k.pub')], { encoding: 'utf8' }).split(' ')[1];
    assert.equal(fingerprint(blob), theirs);
    assert.equal(keyFromBlob(blob).type, 'ssh-ed25519');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('server versions: the version line of each program present', () => {
  const out = [
    '@@ haproxy',
    'HAProxy version 2.6.12-1+deb12u1 2023/12/16 - https://haproxy.org/',
    'Status: long-term supported branch',
    '@@ nginx',
    'nginx version: nginx/1.22.1',
    '@@ apache2',
    '[Thu Nov 26 02:00:00.000000 2026] [core:warn] [pid 1] AH00111: Config variable ${APACHE_RUN_DIR} is not defined',
    'Server version: Apache/2.4.62 (Debian)',
    '@@ keepalived',
    'Keepalived v2.2.7 (01/16,2022)',
    '',
    'Copyright(C) 2001-2022 Alexandre Cassen',
    '@@ kernel',
    '6.1.0-18-amd64',
    '',
  ].join('\n');
  assert.deepEqual(parseVersions(out), {
    haproxy: 'HAProxy version 2.6.12-1+deb12u1 2023/12/16 - https://haproxy.org/',
    nginx: 'nginx version: nginx/1.22.1',
    apache2: 'Server version: Apache/2.4.62 (Debian)',
    keepalived: 'Keepalived v2.2.7 (01/16,2022)',
    kernel: '6.1.0-18-amd64',
  });
});
