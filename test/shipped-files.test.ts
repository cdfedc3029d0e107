/**
 * Files that ship with lb-bench are found beside the package, not in the working folder:
 * reproduce's thesis scenarios when ./scenarios does not hold them.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/cli.js';
import { workspace } from './helpers/scenario.js';
import { holdsScenarios, packagePath, packageRoot } from '../src/package-files.js';
import { defaultScenariosDir } from '../src/reproduce/plan.js';
import { FAILOVER_SCENARIO, THESIS_SCENARIOS } from '../src/reproduce/thesis.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ws = workspace();
after(() => ws.remove());

test('the package root is the folder of package.json, wherever the process runs', () => {
  assert.equal(packageRoot(), ROOT);
  assert.ok(holdsScenarios(packagePath('scenarios'), [...THESIS_SCENARIOS, FAILOVER_SCENARIO]));
});

test("reproduce's scenarios: ./scenarios when it holds every thesis scenario, else the shipped ones", () => {
  assert.deepEqual(defaultScenariosDir(ROOT), { dir: relative(process.cwd(), join(ROOT, 'scenarios')), shipped: false });
  assert.deepEqual(defaultScenariosDir(ws.dir), { dir: join(ROOT, 'scenarios'), shipped: true }, 'no ./scenarios');
  mkdirSync(join(ws.dir, 'scenarios'));
  writeFileSync(join(ws.dir, 'scenarios', 'single.yaml'), 'name: single\n');
  assert.equal(defaultScenariosDir(ws.dir).shipped, true, 'one of four is not the thesis');
  for (const n of THESIS_SCENARIOS) writeFileSync(join(ws.dir, 'scenarios', `${n}.yaml`), `name: ${n}\n`);
  assert.equal(resolve(defaultScenariosDir(ws.dir).dir), join(ws.dir, 'scenarios'));
});

test('reproduce from a folder without scenarios reads the shipped ones (and says so)', async () => {
  const empty = join(ws.dir, 'elsewhere');
  mkdirSync(empty);
  const cwd = process.cwd();
  process.chdir(empty);
  try {
    // an unknown profile stops reproduce at its plan, before the lab is looked at
    const r = await runCli(['reproduce', '--profile', 'no-such-profile', '--results', join(empty, 'results')]);
    assert.equal(r.code, 2);
    const err = r.err.join('\n');
    assert.ok(err.includes(`reproduce: the thesis's scenarios shipped with lb-bench, from ${join(ROOT, 'scenarios')}`), err);
    assert.ok(err.includes(`${join(ROOT, 'scenarios', 'single.yaml')}`), err);
    assert.match(err, /no profile named "no-such-profile"/);
  } finally {
    process.chdir(cwd);
  }
});
