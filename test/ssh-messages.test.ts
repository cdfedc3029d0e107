/**
 * SSH failures name what really happened, with a hint only where it fits (issue 15, part 1):
 * a port where another server answers, and an identity file that is no key at all.
 * Neither needs an sshd: the first is an HTTP server, the second fails before connecting
 * (ssh-keygen makes the first one's key).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, type CliResult } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { keygen } from './helpers/sshd.js';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';

const ws = workspace();
let web: TestServer;
before(async () => {
  web = await startServer('ok');
});
after(async () => {
  await web.close();
  ws.remove();
});

const text = (r: CliResult) => [...r.out, ...r.err].join('\n');

/** `run` of a scenario with one procstat backend, whose inventory entry is `ssh`. */
async function runWithHost(name: string, ssh: string): Promise<CliResult> {
  ws.write('known_hosts', '');
  ws.write(`${name}.inv.yaml`, `hosts:\n  web1:\n    address: 127.0.0.1\n    ssh: ${ssh}\n`);
  const file = ws.write(
    `${name}.yaml`,
    loadScenarioYaml(web.url, { name, more: `inventory: ${name}.inv.yaml\nbackends: [{ host: web1, cpu: procstat }]` }),
  );
  return runCli(['run', file, '--out', ws.results]);
}

test('a port where another server answers is named as such (was ssh2\'s bare "Connection lost before handshake")', async () => {
  const key = join(ws.dir, 'id_test');
  keygen(key);
  const r = await runWithHost('http-port', `{ user: bench, port: ${web.port}, identity: ${key}, knownHosts: known_hosts, timeout: 10s }`);
  assert.equal(r.code, 3, text(r));
  assert.match(
    r.err[0],
    new RegExp(
      `web1 \\(bench@\\[127\\.0\\.0\\.1\\]:${web.port}\\): the server closed the connection before the SSH handshake; is port ${web.port} an SSH server\\?`,
    ),
  );
  assert.match(r.err[1], /hint: check hosts\.web1\.ssh\.port in the inventory/);
});

test('an identity that is no private key says so, without the hint about passphrases that only fits an encrypted key', async () => {
  const notKey = ws.write('id_ed25519.pub', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBOgus+Vb6ROAWkgc8PtJXeyhwdQ6hEUcuvB0LFmYEjg someone\n');
  chmodSync(notKey, 0o600); // a loose mode is a warning of its own
  const r = await runWithHost('pub-key', `{ user: bench, port: 1, identity: ${notKey}, knownHosts: known_hosts }`);
  assert.equal(r.code, 3, text(r));
  assert.match(r.err[0], /web1 .*: cannot use the key .*id_ed25519\.pub: it is not a usable private key/);
  assert.match(r.err[1], /hint: ssh\.identity must be a private key file \(OpenSSH, PEM or PuTTY format\), not its \.pub/);
  assert.ok(!/passphrase/.test(text(r)), text(r));
});
