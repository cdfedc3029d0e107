/**
 * A real SIGINT to a real `lb-bench run` process: every finished run is kept, the status is
 * `interrupted`, exit 130, and `--resume` completes exactly what is missing. The load goes to the
 * fake engine (test/helpers/fake-engine.ts): what is tested is the run's bookkeeping around the
 * engine, not its sockets; the target is a real server for the reachability check alone.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, spawnNode } from './helpers/cli.js';
import { fakeEngineCli, loggedShares, useFakeEngine, type FakeScript } from './helpers/fake-engine.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { linesIn, waitFor } from './helpers/wait.js';

const ws = workspace();
const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
  ws.remove();
});

test('SIGINT mid-run keeps finished runs, marks the folder interrupted, exits 130; --resume completes the rest', async () => {
  // each run takes ≥ 100 ms (every request is answered after 100 ms), so the signal lands mid-run; with
  // a cooldown of 500 ms, seconds of work are left after the third run, so a stalled test still lands it
  const script: FakeScript = { outcomes: [{ status: 200, latencyMs: 100, bytes: 1500 }] };
  const server = await startServer('ok');
  servers.push(server);
  const file = ws.write(
    'sigint.yaml',
    loadScenarioYaml(server.url, { levels: [10, 20, 30], repetitions: 4, cooldown: '500ms', name: 'sigint' }),
  );
  const log = join(ws.dir, 'shares.jsonl');
  const { child, exited, stderr } = spawnNode(fakeEngineCli(script, log, ['run', file, '--out', ws.results]));

  // the third run finished and the fourth in flight (the warm-up and four runs given to the engine): interrupt it
  let dir = '';
  await waitFor(
    () => {
      dir = ws.runFolders()[0] ?? '';
      return dir !== '' && linesIn(join(dir, 'samples.jsonl')).length >= 3 && linesIn(log).length >= 1 + 4;
    },
    { timeout: 20_000, what: 'a run folder with three runs, and the fourth started' },
  );
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 130, stderr());
  assert.match(stderr(), /interrupted: \d+ of 12 runs are kept in .*; finish them with: lb-bench run .* --resume/);

  const kept = ws.samples(dir);
  assert.ok(kept.length >= 3 && kept.length < 12, `kept ${kept.length}`);
  assert.equal(ws.manifest(dir).status, 'interrupted');
  for (const s of kept) assert.equal(s.requested, s.completed, 'a kept run is whole, never the one in flight');
  // the warm-up, each kept run, and at most the one in flight: no run was measured and then lost
  const started = loggedShares(readFileSync(log, 'utf8')).length - 1;
  assert.ok(started === kept.length || started === kept.length + 1, `${started} runs started, ${kept.length} kept`);
  assert.equal(server.received, 1, 'no load over sockets: the reachability check alone');

  const fake = useFakeEngine(script);
  try {
    const r = await runCli(['run', file, '--out', ws.results, '--resume', dir]);
    assert.equal(r.code, 0, r.err.join('\n'));
    // a warm-up of the smallest level, then exactly what was missing, in the planned order (repetition by repetition)
    const missing = [1, 2, 3, 4].flatMap((rep) =>
      [10, 20, 30].filter((level) => !kept.some((s) => s.level === level && s.repetition === rep)),
    );
    assert.deepEqual(
      fake.shares.map((s) => s.requests),
      [10, ...missing],
    );
  } finally {
    fake.restore();
  }
  const all = ws.samples(dir);
  assert.equal(all.length, 12);
  assert.deepEqual(all.slice(0, kept.length), kept, 'the kept runs are untouched');
  const pairs = all.map((s) => `${s.level}/${s.repetition}`);
  assert.equal(new Set(pairs).size, 12, 'no pair twice');
  for (const level of [10, 20, 30]) for (let rep = 1; rep <= 4; rep++) assert.ok(pairs.includes(`${level}/${rep}`));
  assert.equal(ws.manifest(dir).status, 'complete');
  assert.equal(ws.runFolders().length, 1, 'resume writes into the same folder');
});

test('--resume refuses a scenario that changed since the run started', async () => {
  const server = await startServer('ok');
  servers.push(server);
  const file = ws.write('changed.yaml', loadScenarioYaml(server.url, { levels: [5], repetitions: 1, name: 'changed' }));
  const fake = useFakeEngine({ outcomes: [{ status: 200, latencyMs: 1 }] });
  const first = await runCli(['run', file, '--out', ws.results]).finally(() => fake.restore());
  assert.equal(first.code, 0);
  assert.equal(fake.requestsTo(server.url), 5 + 5, 'the warm-up and the run');
  ws.write('changed.yaml', loadScenarioYaml(server.url, { levels: [5, 6], repetitions: 1, name: 'changed' }));
  const r = await runCli(['run', file, '--out', ws.results, '--resume', first.last]);
  assert.equal(r.code, 2);
  assert.match(r.err[0], /changed\.yaml has changed since .* was started/);
});

test('a forced quit marks every run folder still open as interrupted', async () => {
  const { RunWriter, interruptOpenRuns } = await import('../src/results/store.js');
  const { newManifest } = await import('../src/results/manifest.js');
  const { resolveScenarioText } = await import('../src/kinds/scenario-file.js');
  const r = resolveScenarioText('q.yaml', loadScenarioYaml('http://127.0.0.1:9/', { name: 'quit' }));
  assert.ok(r.ok);
  const w = RunWriter.create(join(ws.dir, 'quit-results'), newManifest(r.value as never, 4));
  assert.equal(JSON.parse(readFileSync(join(w.dir, 'manifest.json'), 'utf8')).status, 'running');
  interruptOpenRuns(); // what the second Ctrl-C does right before process.exit(130)
  const m = JSON.parse(readFileSync(join(w.dir, 'manifest.json'), 'utf8'));
  assert.equal(m.status, 'interrupted');
  assert.ok(m.ended_at);
});
