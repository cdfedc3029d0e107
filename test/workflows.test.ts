/**
 * GitHub workflows checked against GitHub's workflow schema by action-validator (an npm
 * devDependency, WebAssembly: nothing downloaded at run time): the project's own nightly, and the
 * one `lb-bench init` writes into a user's repository.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/cli.js';
import { workspace } from './helpers/scenario.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const VALIDATOR = join(dirname(createRequire(import.meta.url).resolve('@action-validator/cli/package.json')), 'cli.mjs');
const ws = workspace();
after(() => ws.remove());

function validate(file: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [VALIDATOR, file], { cwd: dirname(file), timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, output: stdout + stderr });
    });
  });
}

test('the validator rejects a broken workflow (so that its passes mean something)', async () => {
  const nightly = readFileSync(join(ROOT, '.github/workflows/nightly.yml'), 'utf8');
  const broken = ws.write('broken.yml', nightly.replace('runs-on:', 'runs_on:'));
  const r = await validate(broken);
  assert.notEqual(r.code, 0);
  assert.match(r.output, /runs_on/);
});

test("the project's nightly workflow passes the validator", async () => {
  const r = await validate(join(ROOT, '.github/workflows/nightly.yml'));
  assert.equal(r.code, 0, r.output);
});

test('the workflow that init writes passes the validator', async () => {
  const dir = join(ws.dir, 'repo');
  assert.equal((await runCli(['init', dir])).code, 0);
  const r = await validate(join(dir, '.github/workflows/lb-bench.yml'));
  assert.equal(r.code, 0, r.output);
});
