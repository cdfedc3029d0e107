/**
 * More hostile and careless scenario input (issue 15, part 4), found by trying the CLI as a
 * careless user: each case is exit 2 naming the file and field, before anything is sent or
 * written — never an out-of-memory crash, an internal error (exit 70) or a raw control character
 * on the terminal.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, type CliResult } from './helpers/cli.js';
import { fileServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';

const ws = workspace();
after(() => ws.remove());
const server = fileServer();

const text = (r: CliResult) => [...r.out, ...r.err].join('\n');

/** `validate FILE` and `run FILE`: exit 2 with the expected line, nothing sent, no run folder. */
async function refused(file: string, expected: RegExp, extra: string[] = []): Promise<void> {
  const v = await runCli(['validate', file]);
  assert.equal(v.code, 2, `validate: ${text(v)}`);
  assert.match(v.err.join('\n'), expected);
  const sent = server.received;
  const r = await runCli(['run', file, '--out', ws.results, ...extra]);
  assert.equal(r.code, 2, `run: ${text(r)}`);
  assert.match(r.err.join('\n'), expected);
  assert.equal(server.received, sent, 'no request was sent');
  assert.deepEqual(ws.runFolders(), [], 'no run folder');
}

const failover = (probe: string, fault = '{ host: lb1, inject: { local: "true" }, recover: { local: "true" } }') =>
  `name: f\nkind: failover\ntarget: ${server.url}\nprobe: ${probe}\nfault: ${fault}\nrepetitions: 1\n`;

describe('sizes of a plan', () => {
  test('repetitions are at most 1000 (1e9 passed validate, then run ran out of memory building its plan)', async () => {
    await refused(
      ws.write('reps.yaml', loadScenarioYaml(server.url, { repetitions: 1_000_000_000 })),
      /reps\.yaml: load\.repetitions: must be at most 1000/,
    );
    await refused(
      ws.write('f-reps.yaml', failover('{ type: tcp }').replace('repetitions: 1', 'repetitions: 1000000000000')),
      /f-reps\.yaml: repetitions: must be at most 1000/,
    );
  });

  test('a level is at most 10 000 000 requests (4e12 was exit 70 with a `failed` run folder)', async () => {
    await refused(
      ws.write('level.yaml', loadScenarioYaml(server.url, { levels: [4_000_000_000_000] })),
      /level\.yaml: load\.levels\[0\]: must be at most 10000000 requests/,
    );
    const cli = ws.write('cli-level.yaml', loadScenarioYaml(server.url));
    const r = await runCli(['run', cli, '--levels', '4000000000000', '--out', ws.results]);
    assert.equal(r.code, 2, text(r));
    assert.match(r.err.join('\n'), /load\.levels\[0\]: must be at most 10000000 requests.*\(from the command line\)/);
  });
});

describe('profiles', () => {
  test('--profile names a profile of the file, never an inherited property (__proto__ ran, constructor gave nonsense)', async () => {
    const file = ws.write('profiles.yaml', loadScenarioYaml(server.url, { more: 'profiles: { quick: { load: { repetitions: 1 } } }' }));
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const r = await runCli(['run', file, '--profile', name, '--out', ws.results]);
      assert.equal(r.code, 2, text(r));
      assert.match(r.err.join('\n'), new RegExp(`profiles: no profile named "${name}" \\(the file has: quick\\)`));
    }
    assert.deepEqual(ws.runFolders(), []);
  });
});

describe('host names in scenarios', () => {
  test('a backend or fault host is a host name: escape sequences never reach the terminal', async () => {
    ws.write('inv.yaml', 'hosts:\n  web1: { address: 127.0.0.1, ssh: { user: bench } }\n');
    const esc = ws.write(
      'esc.yaml',
      loadScenarioYaml(server.url, { more: 'inventory: inv.yaml\nbackends: [{ host: "\\e[2J\\e[31mOWNED" }]' }),
    );
    await refused(esc, /esc\.yaml: backends\[0\]\.host: must be a host name of the inventory/);
    const v = await runCli(['validate', esc]);
    assert.ok(!text(v).includes('\u001b'), 'no raw ESC printed');
    const fault = ws.write(
      'esc-fault.yaml',
      failover('{ type: tcp }', '{ host: "\\e[31mX", backup: "lb\\u0007", inject: "true" }') + 'inventory: inv.yaml\n',
    );
    await refused(fault, /esc-fault\.yaml: fault\.host: must be a host name of the inventory/);
    assert.match((await runCli(['validate', fault])).err.join('\n'), /fault\.backup: must be a host name of the inventory/);
    const gen = ws.write('esc-gen.yaml', loadScenarioYaml(server.url, { more: '  generators: ["\\e[2JX"]\ninventory: inv.yaml' }));
    await refused(gen, /esc-gen\.yaml: load\.generators\[0\]: must be a host name of the inventory/);
  });

  test('a host named like a property of every object (constructor, toString) is no host of the inventory (exit 70 before)', async () => {
    ws.write('inv.yaml', 'hosts:\n  web1: { address: 127.0.0.1, ssh: { user: bench } }\n');
    const load = ws.write('ctor.yaml', loadScenarioYaml(server.url, { more: 'inventory: inv.yaml\nbackends: [{ host: constructor }]' }));
    await refused(load, /ctor\.yaml: backends\[0\]\.host: no host "constructor" in .*inv\.yaml \(it has: web1\)/);
    const fault = ws.write(
      'ctor-fault.yaml',
      failover('{ type: tcp }', '{ host: toString, inject: "true", recover: "true" }') + 'inventory: inv.yaml\n',
    );
    await refused(fault, /ctor-fault\.yaml: fault\.host: no host "toString" in .*inv\.yaml \(it has: web1\)/);
  });

  test('a scenario naming thousands of unknown hosts gets a bounded list, not a line for each', async () => {
    ws.write('inv.yaml', 'hosts:\n  web1: { address: 127.0.0.1, ssh: { user: bench } }\n');
    const backends = Array.from({ length: 500 }, (_, i) => `{ host: w${i} }`).join(', ');
    const file = ws.write('many.yaml', loadScenarioYaml(server.url, { more: `inventory: inv.yaml\nbackends: [${backends}]` }));
    const v = await runCli(['validate', file]);
    assert.equal(v.code, 2);
    assert.match(v.err[0], /many\.yaml: backends\[0\]\.host: no host "w0"/);
    assert.ok(v.err.length <= 52, `${v.err.length} lines`);
    assert.match(v.err.join('\n'), /and 450 more problems/);
  });
});

describe('failover probe targets', () => {
  test('each is checked for its type by validate (an http probe with a bad URL, a tcp port of 99999 were exit 70)', async () => {
    await refused(
      ws.write('p-url.yaml', failover('{ type: http, target: "http://u:pw/x@127.0.0.1:1/" }')),
      /p-url\.yaml: probe\[0\]\.target: must be an http:\/\/ or https:\/\/ URL/,
    );
    await refused(
      ws.write('p-port.yaml', failover('{ type: tcp, target: "127.0.0.1:99999" }')),
      /p-port\.yaml: probe\[0\]\.target: must be HOST or HOST:PORT \(port 1-65535\)/,
    );
    // an icmp target is an argument of ping: one that starts with `-` would be an option
    await refused(
      ws.write('p-opt.yaml', failover('{ type: icmp, target: "-f" }')),
      /p-opt\.yaml: probe\[0\]\.target: must be a host name or address/,
    );
    const ok = await runCli([
      'validate',
      ws.write(
        'p-ok.yaml',
        failover(
          '[{ type: tcp, target: "[::1]:80" }, { type: icmp, target: "127.0.0.1" }, { type: http, target: "http://127.0.0.1:9/x" }]',
        ),
      ),
    ]);
    assert.equal(ok.code, 0, text(ok));
  });
});

describe('passwords in URLs that do not parse', () => {
  test('a password holding / ? or # is not printed in the error either', async () => {
    for (const [i, pw] of ['s3cret/PW', 's3cret?PW', 's3cret#PW'].entries()) {
      const file = ws.write(`pw${i}.yaml`, loadScenarioYaml(`"http://user:${pw}@127.0.0.1:1/"`, { name: `pw${i}` }));
      const r = await runCli(['validate', file]);
      assert.equal(r.code, 2, text(r));
      assert.match(r.err.join('\n'), /target: must be an http:\/\/ or https:\/\/ URL, got "http:\/\/user:\*\*\*@127\.0\.0\.1:1\/"/);
      assert.ok(!text(r).includes('s3cret'), text(r));
    }
  });
});

describe('credentials beside Authorization', () => {
  const TOKEN = 'tok3n-VALUE';
  test('a URL with a username only (a token) is stored and printed as ***@host', async () => {
    const down = ws.write('user-only.yaml', loadScenarioYaml(`http://${TOKEN}@127.0.0.1:1/`, { name: 'user-only' }));
    const r = await runCli(['run', down, '--out', ws.results]);
    assert.equal(r.code, 3, text(r));
    assert.match(r.err[0], /target http:\/\/\*\*\*@127\.0\.0\.1:1\/ is unreachable/);
    assert.ok(!text(r).includes(TOKEN), text(r));
    const bad = ws.write('user-only-bad.yaml', loadScenarioYaml(`"ftp://${TOKEN}@127.0.0.1/"`, { name: 'user-only-bad' }));
    const v = await runCli(['validate', bad]);
    assert.equal(v.code, 2, text(v));
    assert.match(v.err.join('\n'), /target: must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/\*\*\*@127\.0\.0\.1\/"/);
    assert.ok(!text(v).includes(TOKEN), text(v));
  });

  test('X-Api-Key, X-Auth-Token and any header named with token, secret, key or auth are stored as ***', async () => {
    const headers = {
      'X-Api-Key': `${TOKEN}-1`,
      'X-Auth-Token': `${TOKEN}-2`,
      'x-session-TOKEN': `${TOKEN}-3`,
      'Client-Secret': `${TOKEN}-4`,
      'Ocp-Apim-Subscription-Key': `${TOKEN}-5`,
      'X-Custom-AUTH': `${TOKEN}-6`,
      Authorization: `Bearer ${TOKEN}-7`,
      Accept: 'text/plain',
    };
    const yaml = loadScenarioYaml(`http://bench:${TOKEN}@${server.url.slice('http://'.length)}`, {
      levels: [3],
      repetitions: 1,
      name: 'secret-headers',
      more: `  headers: ${JSON.stringify(headers)}`,
    });
    const results = `${ws.dir}/results-secret-headers`;
    const r = await runCli(['run', ws.write('secret-headers.yaml', yaml), '--out', results]);
    assert.equal(r.code, 0, text(r));
    assert.ok(!text(r).includes(TOKEN), text(r));
    const m = ws.manifest(r.last);
    assert.ok(!JSON.stringify(m).includes(TOKEN), JSON.stringify(m.scenario));
    assert.deepEqual(m.scenario.load.headers, { ...Object.fromEntries(Object.keys(headers).map((k) => [k, '***'])), Accept: 'text/plain' });
  });

  test('a secret header whose value is refused is named, its value not quoted', async () => {
    const file = ws.write(
      'secret-ctl.yaml',
      loadScenarioYaml(server.url, { name: 'secret-ctl', more: `  headers: { X-Api-Key: "${TOKEN}\\u0001" }` }),
    );
    const v = await runCli(['validate', file]);
    assert.equal(v.code, 2, text(v));
    assert.match(v.err.join('\n'), /load\.headers\.X-Api-Key: must not hold control characters/);
    assert.ok(!text(v).includes(TOKEN), text(v));
  });
});

describe('--out naming a file', () => {
  test('run, report, compare and reproduce: exit 2 "--out: X is a file; name a folder", before anything is sent', async () => {
    const file = ws.write('out-file.yaml', loadScenarioYaml(server.url, { levels: [3], repetitions: 1, name: 'out-file' }));
    const notFolder = ws.write('not-a-folder', 'a file\n');
    const sent = server.received;
    const r = await runCli(['run', file, '--out', notFolder]);
    assert.equal(r.code, 2, text(r));
    assert.equal(r.err[0], `lb-bench: --out: ${notFolder} is a file; name a folder`);
    assert.equal(server.received, sent, 'nothing sent');
    // a folder below a file is refused the same, naming the file
    const below = await runCli(['run', file, '--out', `${notFolder}/results`]);
    assert.equal(below.code, 2, text(below));
    assert.equal(below.err[0], `lb-bench: --out: ${notFolder} is a file; name a folder`);

    const results = `${ws.dir}/results-out-file`;
    const done = await runCli(['run', file, '--out', results]);
    assert.equal(done.code, 0, text(done));
    for (const args of [
      ['report', done.last, '--out', notFolder],
      ['compare', done.last, done.last, '--out', notFolder],
      ['reproduce', '--out', notFolder, '--alpha', '5'], // the --out line comes first: nothing of the lab is touched
    ]) {
      const c = await runCli(args);
      assert.equal(c.code, 2, `${args[0]}: ${text(c)}`);
      assert.equal(c.err[0], `lb-bench: --out: ${notFolder} is a file; name a folder`, args[0]);
    }
  });
});

describe('headers lb-bench frames itself', () => {
  test('Content-Length, Transfer-Encoding and Connection are refused, named (exit 2); Host is allowed', async () => {
    const headers = '{ Content-Length: "5", transfer-encoding: chunked, CONNECTION: close, Host: example.test }';
    const file = ws.write('framing.yaml', loadScenarioYaml(server.url, { name: 'framing', more: `  headers: ${headers}` }));
    await refused(file, /framing\.yaml: load\.headers\.Content-Length: lb-bench frames the requests itself/);
    const v = (await runCli(['validate', file])).err.join('\n');
    for (const name of ['Content-Length', 'transfer-encoding', 'CONNECTION'])
      assert.match(v, new RegExp(`load\\.headers\\.${name}: lb-bench frames the requests itself; leave ${name} out`));
    assert.ok(!/load\.headers\.Host/.test(v), v);

    const host = ws.write(
      'host.yaml',
      loadScenarioYaml(server.url, { levels: [3], repetitions: 1, name: 'host', more: '  headers: { Host: example.test }' }),
    );
    const r = await runCli(['run', host, '--out', `${ws.dir}/results-host`]);
    assert.equal(r.code, 0, text(r));
    assert.equal(ws.samples(r.last)[0].completed, 3);
  });

  test('a DEL byte in a header name or value is printed escaped, never raw', async () => {
    const file = ws.write('del.yaml', loadScenarioYaml(server.url, { name: 'del', more: '  headers: { "X-A\\x7f": ok, X-B: "a\\x7fb" }' }));
    const v = await runCli(['validate', file]);
    assert.equal(v.code, 2, text(v));
    assert.ok(!text(v).includes('\u007f'), 'no raw DEL printed');
    assert.match(v.err.join('\n'), /load\.headers\.X-B: must not hold control characters.*got "a\\u007fb"/);
    assert.match(v.err.join('\n'), /load\.headers\."X-A\\u007f"/);
  });
});
