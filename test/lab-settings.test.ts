/** The lab's knobs and generated configs: pure, no root needed. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSettings } from '../src/lab/settings.js';
import { webPage } from '../src/lab/configs/apache.js';
import { haproxyConfig } from '../src/lab/configs/haproxy.js';
import { nginxConfig } from '../src/lab/configs/nginx.js';
import { keepalivedConfig } from '../src/lab/configs/keepalived.js';
import { inventoryText } from '../src/lab/inventory.js';
import { HOSTS, labPaths } from '../src/lab/topology.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lb-bench-lab-settings-'));
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};
const [lb1, lb2, web1] = [HOSTS[0]!, HOSTS[1]!, HOSTS[2]!];
after(() => rmSync(dir, { recursive: true, force: true }));

describe('lab settings', () => {
  it("lab.yaml holds the defaults: Debian's nginx worker_connections, keepalived's advert_int", () => {
    const s = loadSettings();
    assert.equal(s.nginx.workerConnections, 768);
    assert.equal(s.keepalived.advertInt, 1);
    assert.ok(s.web.cpus > 0 && s.web.cpus <= 1);
  });

  it('--config changes only what it names', () => {
    const s = loadSettings(file('half.yaml', 'web: { cpus: 0.5 }\nnginx: { workerConnections: 4096 }\n'));
    assert.equal(s.web.cpus, 0.5);
    assert.equal(s.nginx.workerConnections, 4096);
    assert.equal(s.web.pageBytes, loadSettings().web.pageBytes);
  });

  it('bad settings: exit 2, every problem with the file and the field', () => {
    const f = file('bad.yaml', 'web: { cpus: -1, bogus: 1 }\nhaproxy: { timeoutClient: soon }\n');
    assert.throws(
      () => loadSettings(f),
      (e: any) => {
        assert.equal(e.code, 2);
        assert.match(e.message, new RegExp(`${f}: web.cpus: `));
        assert.match(e.message, /bogus/);
        assert.match(e.message, /haproxy.timeoutClient: must be a time/);
        return true;
      },
    );
    assert.throws(
      () => loadSettings(path.join(dir, 'missing.yaml')),
      (e: any) => e.code === 2 && /missing\.yaml: not found/.test(e.message),
    );
  });
});

describe('lab configs', () => {
  const s = loadSettings();
  const p = labPaths('/run/lb-bench/lab');

  it('the page has the configured size and names its server', () => {
    const page = webPage(web1, 1500);
    assert.equal(Buffer.byteLength(page), 1500);
    assert.match(page, /<h1>web1<\/h1>/);
  });

  it('HAProxy: :80 roundrobin and :81 leastconn on every address, to the three web servers', () => {
    const c = haproxyConfig(s, lb1);
    assert.match(c, /bind 0\.0\.0\.0:80\n    default_backend web_rr/);
    assert.match(c, /bind 0\.0\.0\.0:81\n    default_backend web_lc/);
    assert.match(
      c,
      /backend web_rr\n    balance roundrobin\n    server web1 198\.18\.0\.11:80\n    server web2 198\.18\.0\.12:80\n    server web3 198\.18\.0\.13:80/,
    );
    assert.match(c, /balance leastconn/);
  });

  it('HAProxy: server-side close by default; haproxy.serverClose: false keeps server connections alive', () => {
    assert.match(haproxyConfig(s, lb1), /^    option http-server-close$/m);
    const kept = haproxyConfig(loadSettings(file('keep-alive.yaml', 'haproxy: { serverClose: false }\n')), lb1);
    assert.doesNotMatch(kept, /option http-server-close|option httpclose|option forceclose/);
    assert.match(kept, /server-side connections kept alive for reuse \(lab\.yaml haproxy\.serverClose: false\)/);
  });

  it("Nginx: :8080 with Debian's worker_connections", () => {
    const c = nginxConfig(s, lb1, p);
    assert.match(c, /worker_connections 768;/);
    assert.match(c, /listen 0\.0\.0\.0:8080/);
    assert.equal(c.match(/server 198\.18\.0\.1[123]:80;/g)?.length, 3);
  });

  it('keepalived: lb1 MASTER, lb2 BACKUP, each advertising to the other', () => {
    const a = keepalivedConfig(s, lb1);
    const b = keepalivedConfig(s, lb2);
    assert.match(a, /state MASTER[\s\S]*priority 150[\s\S]*advert_int 1[\s\S]*unicast_peer \{\n        198\.18\.0\.3\n/);
    assert.match(b, /state BACKUP[\s\S]*priority 100[\s\S]*unicast_peer \{\n        198\.18\.0\.2\n/);
    assert.match(a, /198\.18\.0\.10\/24 dev eth0/);
  });

  it("the inventory is in the loader's format, with relative key paths", () => {
    const text = inventoryText(p, HOSTS, (h) =>
      h.role === 'web'
        ? { cgroup: { path: `/sys/fs/cgroup/cpuacct/lb-bench/${h.name}`, cpus: 0.25 } }
        : h.role === 'client'
          ? { lbBench: '/usr/bin/node /opt/lb-bench/bin/lb-bench.js' }
          : {},
    );
    assert.match(
      text,
      /\nhosts:\n  lb1:\n    address: 198\.18\.0\.2\n    ssh: \{ user: root, port: 22, identity: keys\/id_ed25519, knownHosts: known_hosts \}\n  lb2:/,
    );
    assert.match(
      text,
      /  web3:\n    address: 198\.18\.0\.13\n    ssh: .*\n    cgroup: \{ path: \/sys\/fs\/cgroup\/cpuacct\/lb-bench\/web3, cpus: 0\.25 \}\n  gen1:/,
    );
    // the generator hosts: how lb-bench runs there (the same program, over SSH)
    assert.match(
      text,
      /  gen2:\n    address: 198\.18\.0\.22\n    ssh: .*\n    lbBench: \/usr\/bin\/node \/opt\/lb-bench\/bin\/lb-bench\.js\n$/,
    );
  });
});
