/**
 * `lb-bench init`: a starter for the user's own repository. What it writes validates, names hosts
 * that its inventory has, points its scenarios at the schema it writes, pins this version in the
 * workflow, and never overwrites a file without --force.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { runCli } from './helpers/cli.js';
import { workspace } from './helpers/scenario.js';
import { checkBackends, loadInventory } from '../src/inventory/load.js';
import { knownKeyTypes } from '../src/ssh/known-hosts.js';
import { jsonSchema } from '../src/kinds/json-schema.js';
import { VERSION } from '../src/version.js';

const ws = workspace();
after(() => ws.remove());

const SCENARIOS = ['scenarios/staging.yaml', 'scenarios/staging-failover.yaml', 'scenarios/examples/local.yaml'];
const FILES = [
  ...SCENARIOS,
  'scenarios/examples/server.mjs',
  'inventory.yaml',
  'known_hosts',
  '.github/workflows/lb-bench.yml',
  'scenario.schema.json',
];

test('init writes scenarios, an inventory, known_hosts, a workflow and the schema; each scenario validates', async () => {
  const dir = join(ws.dir, 'repo');
  const r = await runCli(['init', dir]);
  assert.equal(r.code, 0, r.err.join('\n'));
  for (const f of FILES) assert.ok(existsSync(join(dir, f)), `${f} written`);
  assert.equal(r.out.length, FILES.length, 'one line per file written');
  assert.match(r.err.join('\n'), /LB_BENCH_SSH_KEY/, 'next steps on stderr');

  const v = await runCli(['validate', ...SCENARIOS.map((s) => join(dir, s))]);
  assert.equal(v.code, 0, v.err.join('\n'));
  assert.equal(v.out.filter((l) => l.includes(': ok (')).length, 3);
  const kinds = v.out.map((l) => /\((\w+) scenario/.exec(l)?.[1]);
  assert.deepEqual(kinds.sort(), ['failover', 'load', 'load']);
});

test("init's scenarios name the schema it wrote, and the hosts of its inventory", async () => {
  const dir = join(ws.dir, 'hosts');
  assert.equal((await runCli(['init', dir])).code, 0);
  const written = JSON.parse(readFileSync(join(dir, 'scenario.schema.json'), 'utf8'));
  assert.deepEqual(written, jsonSchema(), 'the schema of this version');

  const inventory = await loadInventory(join(dir, 'inventory.yaml'));
  for (const rel of SCENARIOS) {
    const file = join(dir, rel);
    const text = readFileSync(file, 'utf8');
    const line = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text.split('\n')[0]);
    assert.ok(line, `${rel}: first line names the schema`);
    assert.equal(resolve(dirname(file), line[1]), join(dir, 'scenario.schema.json'), `${rel}: the schema init wrote`);
    const s = parse(text);
    if (s.inventory === undefined) continue;
    assert.equal(resolve(dirname(file), s.inventory), inventory.file, `${rel}: the inventory init wrote`);
    checkBackends(file, s.backends ?? [], inventory);
    for (const h of [s.fault?.host, s.fault?.backup].filter(Boolean)) assert.ok(inventory.hosts[h], `${rel}: ${h} is in the inventory`);
  }
  for (const host of Object.values(inventory.hosts)) {
    assert.equal(host.ssh.knownHosts, join(dir, 'known_hosts'), 'known_hosts beside the inventory');
    assert.deepEqual(knownKeyTypes(host.ssh.knownHosts, host.address, host.ssh.port), [], 'no key until the user collects them');
  }
  const known = readFileSync(join(dir, 'known_hosts'), 'utf8').split('\n').filter(Boolean);
  assert.ok(known.length && known.every((l) => l.startsWith('#')), 'known_hosts: comments only, to be filled');
  const steps = readFileSync(join(dir, 'inventory.yaml'), 'utf8');
  assert.match(steps, /^# .*ssh-keyscan -t ed25519/m, 'the host-key steps, as comments');
  assert.match(steps, /^# +ssh-keygen -lf known_hosts$/m);
});

test('the workflow runs this version with npx, gates on run and the history, prunes it, writes JUnit, keeps history, report and results', async () => {
  const dir = join(ws.dir, 'wf');
  assert.equal((await runCli(['init', dir])).code, 0);
  const text = readFileSync(join(dir, '.github/workflows/lb-bench.yml'), 'utf8');
  assert.doesNotMatch(text, /\{\{version\}\}/, 'every placeholder filled in');
  const wf = parse(text);
  assert.equal(wf.env.LB_BENCH_VERSION, VERSION);
  const runs = wf.jobs.nightly.steps.map((s: any) => s.run ?? '').join('\n');
  assert.match(runs, /npx --yes "lb-bench@\$LB_BENCH_VERSION" run \$SCENARIOS --out results --junit report\/junit-run\.xml/);
  assert.match(runs, /compare --history history\.jsonl "\$\{baseline\[@\]\}" --results results/);
  assert.match(runs, /--nights "\$NIGHTS" --confirm-nights "\$CONFIRM_NIGHTS" --fail-on-regression "\$FAIL_ON_REGRESSION"/);
  assert.match(runs, /--junit report\/junit-compare\.xml/);
  assert.match(
    runs,
    /history append history\.jsonl --results results \\\n\s+--keep-nights "\$KEEP_NIGHTS" --max-bytes "\$HISTORY_MAX_BYTES"/,
  );
  assert.match(runs, /history accept history\.jsonl --results results/);
  assert.equal(wf.on.workflow_dispatch.inputs.accept.type, 'boolean');
  assert.deepEqual([wf.env.NIGHTS, wf.env.CONFIRM_NIGHTS, wf.env.KEEP_NIGHTS], ['14', '2', '30']);
  for (const s of wf.env.SCENARIOS.split(' ')) assert.ok(existsSync(join(dir, s)), `${s}: a scenario init wrote`);
  const uploads = wf.jobs.nightly.steps
    .filter((s: any) => String(s.uses).startsWith('actions/upload-artifact'))
    .map((s: any) => s.with.path);
  assert.deepEqual(uploads.sort(), ['history.jsonl', 'report/', 'results/']);
  // its steps run as written on nights in a row: test/init-workflow.test.ts
});

test('init refuses to overwrite: every file in the way named, nothing written, exit 2; --force overwrites', async () => {
  const dir = join(ws.dir, 'twice');
  assert.equal((await runCli(['init', dir])).code, 0);
  writeFileSync(join(dir, 'inventory.yaml'), 'hosts: {}\n');
  const again = await runCli(['init', dir]);
  assert.equal(again.code, 2);
  const text = again.err.join('\n');
  for (const f of FILES) assert.match(text, new RegExp(`${f.replace(/[.]/g, '\\.')}: exists; init does not overwrite it`));
  assert.match(text, /--force/);
  assert.equal(readFileSync(join(dir, 'inventory.yaml'), 'utf8'), 'hosts: {}\n', 'left as it was');

  const forced = await runCli(['init', dir, '--force']);
  assert.equal(forced.code, 0, forced.err.join('\n'));
  assert.match(readFileSync(join(dir, 'inventory.yaml'), 'utf8'), /^hosts:$/m, 'the template again');
});

test('init: one existing file is enough to write nothing', async () => {
  const dir = join(ws.dir, 'one');
  mkdirSync(join(dir, '.github/workflows'), { recursive: true });
  writeFileSync(join(dir, '.github/workflows/lb-bench.yml'), 'mine\n');
  const r = await runCli(['init', dir]);
  assert.equal(r.code, 2);
  assert.match(r.err[0], /\.github\/workflows\/lb-bench\.yml: exists; init does not overwrite it/);
  assert.equal(r.err.filter((l) => l.includes('exists')).length, 1);
  assert.ok(!existsSync(join(dir, 'inventory.yaml')), 'nothing written');
});

test('init never replaces a folder, nor writes through a file where a folder goes, even with --force; a file as DIR is refused', async () => {
  const dir = join(ws.dir, 'folder');
  mkdirSync(join(dir, 'known_hosts'), { recursive: true });
  const r = await runCli(['init', dir, '--force']);
  assert.equal(r.code, 2);
  assert.match(r.err[0], /known_hosts: exists and is not a plain file/);
  assert.ok(!existsSync(join(dir, 'inventory.yaml')));

  const blocked = join(ws.dir, 'blocked');
  mkdirSync(blocked);
  writeFileSync(join(blocked, 'scenarios'), 'a file, not a folder\n');
  const b = await runCli(['init', blocked, '--force']);
  assert.equal(b.code, 2, 'a file where a folder goes is bad input, not the environment');
  assert.match(b.err[0], /scenarios: is not a folder; init writes scenarios\/staging\.yaml there/);
  assert.ok(!existsSync(join(blocked, 'inventory.yaml')));

  const file = ws.write('plain-file', 'x');
  const f = await runCli(['init', file]);
  assert.equal(f.code, 2);
  assert.match(f.err[0], /plain-file: is a file; init writes into a folder/);
});
