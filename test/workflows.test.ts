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
import { parse } from 'yaml';
import { runCli } from './helpers/cli.js';
import { workspace } from './helpers/scenario.js';
import { sample, scenario, writeRun } from './report-fixtures.js';

interface Step {
  name?: string;
  if?: string;
  run?: string;
}

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

test('the workflow that init writes passes the validator, its Run-workflow input with it', async () => {
  const dir = join(ws.dir, 'repo');
  assert.equal((await runCli(['init', dir])).code, 0);
  const file = join(dir, '.github/workflows/lb-bench.yml');
  const r = await validate(file);
  assert.equal(r.code, 0, r.output);
  // the accept input is checked too: a type GitHub does not know fails
  const text = readFileSync(file, 'utf8');
  assert.match(text, /type: boolean/);
  const broken = await validate(ws.write('init-broken.yml', text.replace('type: boolean', 'type: yesno')));
  assert.notEqual(broken.code, 0);
  assert.match(broken.output, /workflow_dispatch\/inputs\/accept\/type/);
  // its steps, run night after night: test/init-workflow.test.ts
});

/** A step's shell command after `node bin/lb-bench.js`, its line continuations joined, split into words. */
function lbBenchArgs(script: string, subcommand: string): string[] {
  const line = script
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .find((l) => l.includes(`node bin/lb-bench.js ${subcommand}`))!;
  return line
    .slice(line.indexOf(`node bin/lb-bench.js ${subcommand}`) + 'node bin/lb-bench.js '.length)
    .split(/\s+/)
    .filter(Boolean);
}

test("the nightly's history steps run as written: judged by the history and the baseline, then appended, also after a failure", async () => {
  const steps = (parse(readFileSync(join(ROOT, '.github/workflows/nightly.yml'), 'utf8')) as { jobs: { reproduce: { steps: Step[] } } })
    .jobs.reproduce.steps;
  const named = (part: string) => steps.find((s) => s.name?.includes(part))!;
  for (const s of [named('Fetch the history'), named('Append tonight'), named('Upload the history')])
    assert.match(s.if ?? '', /always\(\)/, s.name);
  assert.ok(
    steps.indexOf(named('Judge tonight')) < steps.indexOf(named('Append tonight')),
    'tonight is judged before it joins the history',
  );

  // the commands themselves, on stored runs: the previous night, tonight, an empty history
  const load = { ...scenario('x').load, levels: [1000], repetitions: 5 };
  const night = (rps: number) => [1, 2, 3, 4, 5].map((rep) => sample(1000, rep, 1, { rps: rps + rep }));
  const previous = join(ws.dir, 'previous');
  const results = join(ws.dir, 'results');
  writeRun(previous, scenario('single', { load }), night(1000), {}, '2026-01-01T02:17:00.000Z');
  writeRun(results, scenario('single', { load }), night(1001), {}, '2026-01-02T02:17:00.000Z');
  const history = join(ws.dir, 'history.jsonl');
  const local = (a: string) =>
    ({
      'history.jsonl': history,
      results,
      '"${{': previous,
      'report/compare.md': join(ws.dir, 'compare.md'),
      'report/junit-compare.xml': join(ws.dir, 'junit.xml'),
    })[a] ?? a;
  const judge = lbBenchArgs(named('Judge tonight').run!, 'compare')
    .filter((a) => !['steps.baseline.outputs.dir', '}}"', '>'].includes(a))
    .map(local)
    .filter((a) => a !== join(ws.dir, 'compare.md'));
  const r = await runCli(judge);
  assert.equal(r.code, 0, `${judge.join(' ')}\n${r.err.join('\n')}`);
  assert.match(r.out.join('\n'), /^## single: baseline vs current$/m);
  assert.match(r.out.join('\n'), /^## history: single /m);
  const append = lbBenchArgs(named('Append tonight').run!, 'history').map(local);
  assert.equal((await runCli(append)).code, 0, append.join(' '));
  assert.equal(readFileSync(history, 'utf8').trim().split('\n').length, 1);
});
