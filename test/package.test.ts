/**
 * The package as a user gets it: `npm pack` (its prepare script builds), the tarball installed with
 * `npm install -g --prefix TMP`, and the installed lb-bench run from a folder outside the
 * repository. Needs the npm registry or npm's cache for the dependencies; about 40-60 s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './helpers/http-server.js';
import { jsonSchema } from '../src/kinds/json-schema.js';
import { VERSION } from '../src/version.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Done {
  code: number;
  out: string;
  err: string;
}

/** The environment of a user's shell: none of the npm_* variables of the `npm test` running us. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !/^npm_config_(cache|registry|userconfig)$/i.test(k)) continue;
    env[k] = v;
  }
  env.PATH = [dirname(process.execPath), process.env.PATH].join(delimiter); // the node that runs the tests
  return env;
}

function sh(cmd: string, args: string[], cwd: string, timeout = 180_000): Promise<Done> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, env: userEnv(), timeout, maxBuffer: 64 * 2 ** 20 }, (err, out, errOut) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out, err: errOut });
    });
  });
}

const NOT_SHIPPED = /^package\/(test|bench|src|results|reports|baselines|dist\/test|dist\/bench|\.github|\.ci|scripts|node_modules)\//;

test('npm pack, npm install -g of the tarball, and the installed lb-bench from outside the repository', { timeout: 600_000 }, async (t) => {
  const started = Date.now();
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'lb-bench-package-')));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const [packDir, prefix, work] = ['pack', 'prefix', 'work'].map((d) => join(tmp, d));
  for (const d of [packDir, prefix, work]) mkdirSync(d);

  // 1. the tarball: prepare builds; the listing is npm's own (--json)
  const pack = await sh('npm', ['pack', '--json', '--pack-destination', packDir], ROOT);
  assert.equal(pack.code, 0, pack.err);
  const [info] = JSON.parse(pack.out);
  const paths: string[] = info.files.map((f: { path: string }) => `package/${f.path}`);
  const notShipped = paths.filter((p) => NOT_SHIPPED.test(p) || p.endsWith('.map'));
  assert.deepEqual(notShipped, [], 'no tests, sources, results, baselines or source maps in the tarball');
  for (const p of [
    'bin/lb-bench.js',
    'dist/src/cli/main.js',
    'dist/src/build-info.json',
    'lab.yaml',
    'scenario.schema.json',
    'scenarios/haproxy-rr.yaml',
    'scenarios/examples/server.mjs',
    'templates/init/lb-bench.yml',
    'LICENSE',
    'README.md',
  ]) {
    assert.ok(paths.includes(`package/${p}`), `${p} is in the tarball`);
  }
  t.diagnostic(`tarball ${info.filename}: ${info.size} bytes, ${info.entryCount} files, ${info.unpackedSize} bytes unpacked`);

  // 2. installed as a user installs it, into a prefix of its own
  const tarball = join(packDir, info.filename);
  const install = await sh(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
    work,
    300_000,
  );
  assert.equal(install.code, 0, install.err);
  const bin = join(prefix, 'bin', 'lb-bench');
  const pkg = join(prefix, 'lib', 'node_modules', 'lb-bench');
  assert.ok(existsSync(bin) && existsSync(join(pkg, 'package.json')));
  const lb = (args: string[], cwd = work) => sh(bin, args, cwd, 120_000);

  // 3. from a folder outside the repository
  const version = await lb(['--version']);
  assert.equal(version.code, 0, version.err);
  assert.match(version.out, new RegExp(`^lb-bench ${VERSION.replace(/\./g, '\\.')} \\(.*Node ${process.version}\\)\\n$`));
  if (existsSync(join(ROOT, '.git'))) assert.match(version.out, /\(commit [0-9a-f]{12}[ ,]/, 'built from a checkout: the commit is known');

  const schema = await lb(['schema']);
  assert.equal(schema.code, 0, schema.err);
  assert.deepEqual(JSON.parse(schema.out), jsonSchema());
  assert.deepEqual(
    JSON.parse(readFileSync(join(pkg, 'scenario.schema.json'), 'utf8')),
    jsonSchema(),
    'the schema the shipped scenarios name',
  );

  const shipped = join(pkg, 'scenarios', 'haproxy-rr.yaml');
  const validShipped = await lb(['validate', shipped]);
  assert.equal(validShipped.code, 0, validShipped.err);
  assert.match(validShipped.out, /: ok \(load scenario "haproxy-rr"/);

  // reproduce finds the shipped scenarios; an unknown profile stops it at its plan, before any lab
  const reproduce = await lb(['reproduce', '--profile', 'no-such-profile', '--results', join(work, 'none')]);
  assert.equal(reproduce.code, 2, reproduce.err);
  assert.ok(
    reproduce.err.includes(`${join(pkg, 'scenarios', 'single.yaml')}: profiles: no profile named "no-such-profile"`),
    reproduce.err,
  );

  // 4. init in an empty folder, then what it wrote
  const repo = join(work, 'repo');
  mkdirSync(repo);
  const init = await lb(['init'], repo);
  assert.equal(init.code, 0, init.err);
  const scenarios = ['scenarios/staging.yaml', 'scenarios/staging-failover.yaml', 'scenarios/examples/local.yaml'];
  const valid = await lb(['validate', ...scenarios], repo);
  assert.equal(valid.code, 0, valid.err);
  assert.equal(valid.out.trim().split('\n').length, 3);

  // 5. the local example against a server on this machine: its target, pointed at the server's port
  const server = await startServer('ok');
  t.after(() => server.close());
  const local = join(repo, 'scenarios/examples/local.yaml');
  const text = readFileSync(local, 'utf8');
  assert.equal(text.split('target: http://127.0.0.1:8000/').length, 2, 'one target line, as the comments say');
  writeFileSync(local, text.replace('target: http://127.0.0.1:8000/', `target: ${server.url}`));
  const run = await lb(['run', 'scenarios/examples/local.yaml', '--profile', 'quick', '--out', 'results'], repo);
  assert.equal(run.code, 0, run.err);
  const runDir = resolve(repo, run.out.trim().split('\n').at(-1)!);
  const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.status, 'complete');
  assert.equal(manifest.tool.version, VERSION);
  const samples = readFileSync(join(runDir, 'samples.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(samples.length, 3, 'quick: one level × 3 repetitions');
  for (const s of samples) assert.deepEqual([s.requested, s.completed, s.loss], [100, 100, 0]);
  assert.ok(server.received >= 300, `the server saw the requests (${server.received})`);
  t.diagnostic(`pack, install and the commands took ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
