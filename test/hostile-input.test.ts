/**
 * Hostile and careless input (issue 15, part 4), as a user meets it through the CLI: every case
 * is exit 2 naming the file and the field, sends nothing and writes no run folder; credentials
 * are used but never stored or printed; other files' contents are never quoted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCli, type CliResult } from './helpers/cli.js';
import { closedPort, fileServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { sample, scenario, writeRun } from './report-fixtures.js';
import { ensureKeys } from '../src/lab/keys.js';
import { loadSettings } from '../src/lab/settings.js';
import { labPaths } from '../src/lab/topology.js';
import { parseInventoryText } from '../src/inventory/load.js';
import { SshPool } from '../src/ssh/pool.js';
import { inventoryYaml, keygen, requireSshd, skipUnlessSshd, startSshd, type TestSshd } from './helpers/sshd.js';
import { newManifest } from '../src/results/manifest.js';
import { resolveScenarioText } from '../src/kinds/scenario-file.js';
import { describeValue } from '../src/util/issues.js';
import { childPath } from '../src/util/paths.js';
import { redactText, redactUrl } from '../src/util/redact.js';

const ws = workspace();
after(() => ws.remove());
const server = fileServer();

const text = (r: CliResult) => [...r.out, ...r.err].join('\n');

/** `run FILE`: exit 2, the expected line, nothing sent and no run folder. */
async function refusedByRun(file: string, expected: RegExp, extra: string[] = []): Promise<CliResult> {
  const sent = server.received;
  const r = await runCli(['run', file, '--out', ws.results, ...extra]);
  assert.equal(r.code, 2, text(r));
  assert.match(r.err.join('\n'), expected);
  assert.equal(server.received, sent, 'no request was sent');
  assert.deepEqual(ws.runFolders(), [], 'no run folder');
  return r;
}

/** A YAML file that expands to 9^9 strings through nested aliases. */
const BILLION_LAUGHS = ['lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  .concat('bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`))
  .join('\n');

describe('YAML', () => {
  test('a billion-laughs file is exit 2, not an out-of-memory crash (exit 70 before)', async () => {
    const file = ws.write('laughs.yaml', BILLION_LAUGHS + '\n');
    await refusedByRun(file, /laughs\.yaml: not valid YAML: its aliases expand too far \(more than 100\)/);
    const v = await runCli(['validate', file]);
    assert.equal(v.code, 2, text(v));
  });

  test('a syntax error names its real line and column (always line 0 before)', async () => {
    const file = ws.write('dup.yaml', loadScenarioYaml(server.url) + '\nname: again\n');
    const line = readFileSync(file, 'utf8').split('\n').indexOf('name: again') + 1;
    await refusedByRun(file, new RegExp(`dup\\.yaml: line ${line}, column 1: not valid YAML: Map keys must be unique`));
  });

  test('deep nesting and binary files are exit 2 too', async () => {
    await refusedByRun(ws.write('deep.yaml', '['.repeat(300_000)), /deep\.yaml: not valid YAML: nested more than 100 levels deep/);
    writeFileSync(join(ws.dir, 'bin.yaml'), Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a]));
    await refusedByRun(join(ws.dir, 'bin.yaml'), /bin\.yaml: not a text file \(not UTF-8\)/);
  });
});

describe('sizes', () => {
  const big = (name: string, yaml: string) => ws.write(name, `${yaml}\n# ${'x'.repeat(1024 * 1024)}\n`);

  test('a scenario file over 1 MiB is refused before it is parsed', async () => {
    await refusedByRun(
      big('big.yaml', loadScenarioYaml(server.url)),
      /big\.yaml: too large \(1,04\d,\d{3} bytes\); a scenario file may be at most 1 MiB/,
    );
  });

  test('an inventory over 1 MiB is refused, by run and by validate', async () => {
    big('big-inventory.yaml', 'hosts: {}');
    const file = ws.write('uses-big.yaml', loadScenarioYaml(server.url, { more: 'inventory: big-inventory.yaml' }));
    await refusedByRun(file, /big-inventory\.yaml: too large \(1,04\d,\d{3} bytes\); an inventory file may be at most 1 MiB/);
    assert.equal((await runCli(['validate', file])).code, 2);
  });

  test('a lab settings file over 1 MiB is refused, by lab up and by validate (which said ok before)', async () => {
    const file = big('big-lab.yaml', 'web: { cpus: 0.5 }');
    assert.throws(
      () => loadSettings(file),
      (e: any) =>
        e.code === 2 && /big-lab\.yaml: too large \(1,04\d,\d{3} bytes\); a lab settings file may be at most 1 MiB/.test(e.message),
    );
    const failover = (name: string, labConfig: string) =>
      ws.write(
        name,
        `name: f\nkind: failover\ntarget: ${server.url}\nprobe: [{ type: http }]\nlab_config: ${labConfig}\n` +
          'fault: { host: lb1, inject: { local: "true" }, recover: { local: "true" } }\nrepetitions: 1\n',
      );
    const r = await runCli(['validate', failover('uses-big-lab.yaml', 'big-lab.yaml')]);
    assert.equal(r.code, 2, r.out.join('\n'));
    assert.match(r.err[0]!, /uses-big-lab\.yaml: lab_config: .*big-lab\.yaml: too large \(1,04\d,\d{3} bytes\)/);
    const missing = await runCli(['validate', failover('uses-no-lab.yaml', 'no-such-lab.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err[0]!, /uses-no-lab\.yaml: lab_config: /);
    ws.write('small-lab.yaml', 'keepalived: { advertInt: 0.37 }\n');
    const ok = await runCli(['validate', failover('uses-small-lab.yaml', 'small-lab.yaml')]);
    assert.equal(ok.code, 0, ok.err.join('\n'));
    assert.match(ok.out[0]!, /; lab_config small-lab\.yaml: ok\)$/);
  });

  test('text fields are bounded, so nothing huge lands in manifest.json', async () => {
    const file = ws.write('title.yaml', loadScenarioYaml(server.url, { more: `title: ${'t'.repeat(300)}\nnotes: ${'n'.repeat(5000)}` }));
    const r = await refusedByRun(file, /title\.yaml: title: must be at most 200 characters/);
    assert.match(r.err.join('\n'), /title\.yaml: notes: must be at most 4000 characters/);
  });
});

describe('levels, names, durations', () => {
  test('a level given twice is refused, in the file and on the command line', async () => {
    await refusedByRun(
      ws.write('dup-levels.yaml', loadScenarioYaml(server.url, { levels: [10, 20, 10] })),
      /dup-levels\.yaml: load\.levels\[2\]: a level given twice \(also \[0\]\); give each level once, load\.repetitions repeats it, got 10$/m,
    );
    await refusedByRun(
      ws.write('cli-levels.yaml', loadScenarioYaml(server.url)),
      /load\.levels\[1\]: a level given twice \(also \[0\]\).*, got 5 \(from the command line\)/,
      ['--levels', '5,5'],
    );
  });

  test('name: a slug of at most 64 characters (240 passed validate, then failed with exit 3)', async () => {
    const file = ws.write('long-name.yaml', loadScenarioYaml(server.url, { name: 'a'.repeat(240) }));
    const v = await runCli(['validate', file]);
    assert.equal(v.code, 2);
    assert.match(v.err.join('\n'), /long-name\.yaml: name: must be at most 64 characters \(it names the run folder\)/);
    await refusedByRun(file, /name: must be at most 64 characters/);
    const ok = await runCli(['validate', ws.write('name-64.yaml', loadScenarioYaml(server.url, { name: 'a'.repeat(64) }))]);
    assert.equal(ok.code, 0, text(ok));
  });

  test("durations are at most 1h (1000h overflowed Node's timers: every request a timeout, exit 0)", async () => {
    await refusedByRun(
      ws.write('forever.yaml', loadScenarioYaml(server.url, { timeout: '1000h' })),
      /forever\.yaml: load\.timeout: must be at most 1h, got "1000h"/,
    );
    await refusedByRun(
      ws.write('cool.yaml', loadScenarioYaml(server.url, { cooldown: '3600001' })),
      /load\.cooldown: must be at most 1h, got 3600001/,
    );
    const failover = `name: f\nkind: failover\ntarget: http://127.0.0.1:9/\nprobe: { type: http, interval: 2h }\nfault: { host: web, inject: "true", bound: 25h }\n`;
    const r = resolveScenarioText('f.yaml', failover);
    assert.ok(!r.ok);
    assert.ok(r.problems.includes('probe[0].interval: must be at most 1h, got "2h"'), r.problems.join('\n'));
    assert.ok(r.problems.includes('fault.bound: must be at most 1h, got "25h"'), r.problems.join('\n'));
  });
});

describe('headers', () => {
  test('a value with CR LF (it smuggled a second request) and a name that is no token are refused', async () => {
    const smuggle = ws.write(
      'smuggle.yaml',
      loadScenarioYaml(server.url, { more: '  headers: { X-A: "a\\r\\nGET /smuggled HTTP/1.1\\r\\nHost: x" }' }),
    );
    await refusedByRun(smuggle, /smuggle\.yaml: load\.headers\.X-A: must not hold control characters \(CR, LF, NUL, …\)/);
    const nul = ws.write('nul.yaml', loadScenarioYaml(server.url, { more: '  headers: { X-A: "a\\0b" }' }));
    await refusedByRun(nul, /load\.headers\.X-A: must not hold control characters/);
    const name = ws.write('name.yaml', loadScenarioYaml(server.url, { more: '  headers: { "X A:": b }' }));
    await refusedByRun(name, /name\.yaml: load\.headers\."X A:": header names must be HTTP tokens/);
  });

  test('a tab inside a value, and the token characters in a name, are fine', async () => {
    const r = await runCli([
      'validate',
      ws.write('tab.yaml', loadScenarioYaml(server.url, { more: '  headers: { "X-Odd_name.v1!~": "a\\tb" }' })),
    ]);
    assert.equal(r.code, 0, text(r));
  });
});

describe('credentials in a URL', () => {
  const SECRET = 's3cret-Pa55';
  let seen: (string | undefined)[] = [];
  let auth: http.Server;
  let port = 0;
  before(async () => {
    auth = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.end('ok');
    });
    await new Promise<void>((r) => auth.listen(0, '127.0.0.1', r));
    port = (auth.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => auth.close(() => r())));

  test('are used for the requests (Basic), and never reach manifest.json or the output', async () => {
    seen = [];
    const out = join(ws.dir, 'cred-results');
    const file = ws.write(
      'cred.yaml',
      loadScenarioYaml(`http://bench:${SECRET}@127.0.0.1:${port}/`, {
        levels: [5],
        repetitions: 1,
        name: 'cred',
        more: '  headers: { Authorization: "Bearer tok-' + SECRET + '" }',
      }),
    );
    const r = await runCli(['run', file, '--out', out]);
    assert.equal(r.code, 0, text(r));
    assert.ok(seen.length >= 6, `the preflight and 5 requests reached the server: ${seen.length}`);
    // the URL's userinfo becomes Basic auth (Node for the preflight, autocannon for the load), over a header of the same name
    assert.ok(
      seen.every((a) => a === `Bearer tok-${SECRET}` || a === `Basic ${Buffer.from(`bench:${SECRET}`).toString('base64')}`),
      JSON.stringify(seen),
    );
    const [dir] = readdirSync(out);
    const manifest = readFileSync(join(out, dir, 'manifest.json'), 'utf8');
    assert.ok(!manifest.includes(SECRET) && !manifest.includes('tok-'), 'manifest.json holds no credential');
    const m = JSON.parse(manifest);
    assert.equal(m.scenario.target, `http://bench:***@127.0.0.1:${port}/`);
    assert.deepEqual(m.scenario.load.headers, { Authorization: '***' });
    assert.ok(!text(r).includes(SECRET));
  });

  test('are used without headers too: the URL alone authenticates', async () => {
    seen = [];
    const out = join(ws.dir, 'cred2-results');
    const r = await runCli([
      'run',
      ws.write('cred2.yaml', loadScenarioYaml(`http://bench:${SECRET}@127.0.0.1:${port}/`, { levels: [3], repetitions: 1, name: 'cred2' })),
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, text(r));
    assert.deepEqual([...new Set(seen)], [`Basic ${Buffer.from(`bench:${SECRET}`).toString('base64')}`]);
  });

  test('an unreachable target and a bad URL print the user, never the password', async () => {
    const down = await closedPort();
    const r = await runCli([
      'run',
      ws.write('cred-down.yaml', loadScenarioYaml(`http://bench:${SECRET}@127.0.0.1:${down}/`)),
      '--out',
      ws.results,
    ]);
    assert.equal(r.code, 3, text(r));
    assert.match(r.err[0], new RegExp(`target http://bench:\\*\\*\\*@127\\.0\\.0\\.1:${down}/ is unreachable`));
    assert.ok(!text(r).includes(SECRET));
    const v = await runCli(['validate', ws.write('cred-ftp.yaml', loadScenarioYaml(`ftp://bench:${SECRET}@127.0.0.1/`))]);
    assert.equal(v.code, 2);
    assert.match(v.err.join('\n'), /target: must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/bench:\*\*\*@127\.0\.0\.1\/"/);
    assert.ok(!text(v).includes(SECRET));
  });

  test("a failover scenario's target and probes are stored redacted", () => {
    const yaml = `name: f\nkind: failover\ntarget: http://u:${SECRET}@127.0.0.1:9/\nprobe: [{ type: http, target: "http://p:${SECRET}@127.0.0.1:10/" }, { type: tcp, target: "127.0.0.1:11" }]\nfault: { host: web, inject: "true" }\n`;
    const r = resolveScenarioText('f.yaml', yaml);
    assert.ok(r.ok);
    const m = JSON.stringify(newManifest(r.value, 1));
    assert.ok(!m.includes(SECRET), m);
    assert.match(m, /"target":"http:\/\/u:\*\*\*@127\.0\.0\.1:9\/"/);
    assert.match(m, /"target":"http:\/\/p:\*\*\*@127\.0\.0\.1:10\/"/);
    assert.match(m, /"target":"127\.0\.0\.1:11"/);
    if (r.value.scenario.kind === 'failover')
      assert.equal(r.value.scenario.probe[0].target, `http://p:${SECRET}@127.0.0.1:10/`, 'the probes themselves keep them');
  });
});

describe("other files' contents", () => {
  const SHADOW = 'root:$6$Zq9.secret.hash$AbCdEf:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n';

  test('`inventory: /etc/shadow` says "not an inventory file" and prints none of its lines', async () => {
    ws.write('shadow', SHADOW);
    const file = ws.write('shadow-inv.yaml', loadScenarioYaml(server.url, { more: `inventory: ${join(ws.dir, 'shadow')}` }));
    for (const r of [
      await refusedByRun(file, /shadow: not an inventory file \(expected a mapping with `hosts`\)/),
      await runCli(['validate', file]),
    ]) {
      assert.equal(r.code, 2);
      assert.ok(!/secret\.hash|daemon|19000/.test(text(r)), text(r));
      assert.match(text(r), /hint: the inventory named by `inventory` in .*shadow-inv\.yaml/);
    }
  });

  test('a scenario path that is another file, a FIFO-like special file or a folder is exit 2 without its contents', async () => {
    await refusedByRun(
      ws.write('shadow.yaml', SHADOW),
      /shadow\.yaml: not a scenario file \(expected a mapping of scenario fields such as `name`, `target` and `load`\)/,
    );
    const dev = await runCli(['validate', '/dev/zero']);
    assert.equal(dev.code, 2);
    assert.match(dev.err.join('\n'), /\/dev\/zero: not a regular file/);
    const folder = await runCli(['validate', ws.dir]);
    assert.match(folder.err.join('\n'), /cannot read the scenario file \(a folder, not a file\)/);
  });

  test('many unknown keys in the right kind of file are counted, not all listed', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `typo${i}: 1`).join('\n');
    const r = resolveScenarioText('k.yaml', loadScenarioYaml(server.url) + '\n' + keys + '\n');
    assert.ok(!r.ok);
    assert.equal(r.problems.filter((p) => /: unknown field;/.test(p)).length, 10);
    assert.ok(r.problems.includes('(top level): 30 more unknown fields'), r.problems.join('\n'));
  });

  test('a key with control characters is quoted, never printed raw', () => {
    const r = resolveScenarioText('c.yaml', loadScenarioYaml(server.url) + '\n"\\e[31mred\\e[0m": 1\n');
    assert.ok(!r.ok);
    assert.ok(
      r.problems.includes('"\\u001b[31mred\\u001b[0m": unknown field; check its spelling (see lb-bench schema)'),
      r.problems.join('\n'),
    );
  });
});

describe('validate checks the inventory', () => {
  test('a bad inventory is exit 2 naming its file and field (validate said ok before)', async () => {
    const inv = ws.write('bad-inv.yaml', 'hosts:\n  web1: { address: a, ssh: { user: root, port: 0 } }\n');
    const file = ws.write('with-inv.yaml', loadScenarioYaml(server.url, { more: 'inventory: bad-inv.yaml\nbackends: [{ host: web1 }]' }));
    const r = await runCli(['validate', file]);
    assert.equal(r.code, 2, text(r));
    assert.ok(r.err.includes(`${inv}: hosts.web1.ssh.port: must be a port number (1-65535), got 0`), text(r));
  });

  test('a backend that is not in the inventory is exit 2; a good one is ok and counted', async () => {
    ws.write('good-inv.yaml', 'hosts:\n  web1: { address: 127.0.0.1, ssh: { user: root } }\n');
    const missing = ws.write(
      'missing-host.yaml',
      loadScenarioYaml(server.url, { more: 'inventory: good-inv.yaml\nbackends: [{ host: web9 }]' }),
    );
    const r = await runCli(['validate', missing]);
    assert.equal(r.code, 2);
    assert.match(r.err.join('\n'), /missing-host\.yaml: backends\[0\]\.host: no host "web9"/);
    const good = ws.write('good-host.yaml', loadScenarioYaml(server.url, { more: 'inventory: good-inv.yaml\nbackends: [{ host: web1 }]' }));
    const ok = await runCli(['validate', good]);
    assert.equal(ok.code, 0, text(ok));
    assert.match(ok.out[0], /ok \(load scenario "local-test", 2 levels × 2 repetitions; inventory .*good-inv\.yaml: 1 host\)/);
  });

  test("`inventory: lab` while the lab is down is named as the lab's, not checked", async () => {
    const saved = process.env.LB_BENCH_LAB_DIR;
    process.env.LB_BENCH_LAB_DIR = join(ws.dir, 'no-lab');
    try {
      const r = await runCli([
        'validate',
        ws.write('lab-inv.yaml', loadScenarioYaml('http://198.18.0.10:80/', { more: 'inventory: lab' })),
      ]);
      assert.equal(r.code, 0, text(r));
      assert.match(r.out[0], /inventory: the lab's, written by lb-bench lab up \(the lab is not up, so it is not checked\)/);
    } finally {
      if (saved === undefined) delete process.env.LB_BENCH_LAB_DIR;
      else process.env.LB_BENCH_LAB_DIR = saved;
    }
  });
});

describe('names from stored runs are data, never paths', () => {
  const load = { ...scenario('x').load, levels: [1000], repetitions: 3 };
  /** three repetitions; a factor apart, so that base and current differ and are compared */
  const runs = (factor = 1) => [sample(1000, 1, factor), sample(1000, 2, factor), sample(1000, 3, factor)];

  /** A run folder whose manifest's scenario name was changed by hand afterwards. */
  function forged(dir: string, name: string, factor: number): void {
    const run = writeRun(dir, scenario('placeholder', { load }), runs(factor));
    const file = join(run.dir, 'manifest.json');
    const m = JSON.parse(readFileSync(file, 'utf8'));
    m.scenario.name = name;
    writeFileSync(file, JSON.stringify(m));
  }

  test('compare --baseline --out: a `../` name in a manifest is exit 2, and no chart is written anywhere', async () => {
    const root = join(ws.dir, 'escape', 'a', 'b');
    const [base, current, out] = [join(root, 'base'), join(root, 'current'), join(root, 'out')];
    const evil = 'z/../../../escaped';
    for (const [dir, factor] of [
      [base, 1],
      [current, 1.5],
    ] as const) {
      writeRun(dir, scenario('alpha', { load }), runs(factor));
      forged(dir, evil, factor);
    }
    const r = await runCli(['compare', '--baseline', base, '--results', current, '--out', out]);
    assert.equal(r.code, 2, text(r));
    assert.match(
      r.err.join('\n'),
      /manifest\.json: scenario\.name: not a scenario name, got "z\/\.\.\/\.\.\/\.\.\/escaped"; a name read from a run folder is never used as a path/,
    );
    assert.ok(!existsSync(join(dirname(root), 'escaped.png')), 'nothing written outside --out');
    assert.ok(!existsSync(out), 'nothing written at all');
  });

  test('compare --baseline X --results X is refused, however X is spelled', async () => {
    const dir = join(ws.dir, 'same');
    writeRun(dir, scenario('alpha', { load }), runs());
    symlinkSync(dir, join(ws.dir, 'same-link'));
    for (const other of [dir, `${dir}/.`, join(ws.dir, 'same-link')]) {
      const r = await runCli(['compare', '--baseline', other, '--results', dir]);
      assert.equal(r.code, 2, text(r));
      assert.match(r.err[0], /--baseline .*: the same folder as --results .*; every run would be compared with itself/);
      assert.deepEqual(r.out, []);
    }
  });
});

describe('summary.md escapes what runs hold', () => {
  test('a title with |, a line break and HTML stays one cell of one row', async () => {
    const results = join(ws.dir, 'md-results');
    const out = join(ws.dir, 'md-report');
    mkdirSync(results, { recursive: true });
    const title = 'evil | cell <img src=x onerror=alert(1)>\n| injected | row | a | b | c |';
    writeRun(results, scenario('evil', { title }), [sample(1000, 1), sample(2000, 1)]);
    const r = await runCli(['report', '--results', results, '--out', out]);
    assert.equal(r.code, 0, text(r));
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    assert.ok(!md.includes('<img'), 'no raw HTML');
    const runsSection = md.slice(md.indexOf('## Runs'), md.indexOf('Cells are'));
    const rows = runsSection.split('\n').filter((l) => l.startsWith('|'));
    assert.equal(rows.length, 3, `header, separator and one run:\n${runsSection}`);
    assert.ok(rows[2].includes('evil \\| cell &lt;img src=x onerror=alert(1)&gt; \\| injected \\| row'), rows[2]);
  });
});

describe('private keys that others can read', skipUnlessSshd(), () => {
  let s: TestSshd;
  before(async () => {
    requireSshd();
    s = await startSshd();
  });
  after(async () => s?.dispose());

  async function connectLogging(): Promise<string[]> {
    const parsed = parseInventoryText(join(s.dir, 'inventory.yaml'), inventoryYaml(s, 'web1'));
    assert.ok(parsed.ok);
    const lines: string[] = [];
    const pool = await SshPool.open(parsed.value, ['web1'], { log: (l) => lines.push(l) });
    try {
      assert.equal((await pool.exec('web1', 'echo up')).stdout, 'up\n', 'the key is still used');
    } finally {
      pool.close();
    }
    return lines;
  }

  test('a key readable by group or others: one warning naming the host and the file, and it connects', async () => {
    chmodSync(s.identity, 0o644);
    try {
      assert.deepEqual(await connectLogging(), [
        `warning: web1: the private key ${s.identity} (ssh.identity) is readable by group or others (mode 0644); OpenSSH refuses such keys — chmod 600 ${s.identity}`,
      ]);
    } finally {
      chmodSync(s.identity, 0o600);
    }
    assert.deepEqual(await connectLogging(), [], 'a private key: no warning');
  });
});

test("the lab's user and host keys are mode 0600, also when kept from before", async () => {
  const p = labPaths(join(ws.dir, 'lab-state'));
  mkdirSync(dirname(p.userKey), { recursive: true });
  keygen(p.userKey);
  chmodSync(p.userKey, 0o644);
  await ensureKeys(p, []);
  assert.equal(statSync(p.userKey).mode & 0o777, 0o600);
});

describe('units', () => {
  test('childPath: one segment inside the folder, or null', () => {
    assert.equal(childPath('/r/out', 'compare-a.png'), '/r/out/compare-a.png');
    for (const bad of ['', '.', '..', '../x', 'a/../../x', 'a/b', '/etc/passwd', 'a\\b', 'a\0b'])
      assert.equal(childPath('/r/out', bad), null, bad);
  });

  test('redaction: the password goes, the rest of the URL stays', () => {
    assert.equal(redactUrl('http://u:p@h:8/x?y=1'), 'http://u:***@h:8/x?y=1');
    assert.equal(redactUrl('http://h/'), 'http://h/');
    assert.equal(redactUrl('http://u@h/'), 'http://***@h/', 'a user alone may be a token');
    assert.equal(redactText('see ftp://u:p@ss@h/ and https://a:b@c'), 'see ftp://u:***@h/ and https://a:***@c');
    assert.equal(redactText('see https://TOKEN@h/x'), 'see https://***@h/x');
  });

  test('describeValue: short, whatever the size of the value', () => {
    assert.equal(describeValue(-5), '-5');
    assert.equal(describeValue('ten seconds'), '"ten seconds"');
    assert.equal(describeValue(Array.from({ length: 1e6 }, (_, i) => i)), '[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,1...');
    assert.equal(describeValue(`http://u:${'p'.repeat(100)}@h/`), '"http://u:***@h/"');
  });
});
