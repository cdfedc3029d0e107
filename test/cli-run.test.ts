/** `lb-bench run` and `validate` as a user meets them: bad input, no target, thresholds, the happy path. */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { runCli } from './helpers/cli.js';
import { closedPort, startServer, type TestServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { labProblems } from '../src/lab/index.js';

const ws = workspace();
let ok: TestServer;
let failing: TestServer;
before(async () => {
  ok = await startServer('ok');
  failing = await startServer('fail-every-10th');
});
after(async () => {
  await ok.close();
  await failing.close();
  ws.remove();
});

test('validate reports every problem of a file at once, naming the field, exit 2', async () => {
  const file = ws.write(
    'bad.yaml',
    [
      'name: Bad Name',
      'kind: load',
      'target: ftp://example/',
      'load:',
      '  levels: [1000, 2000, -5]',
      '  repetitions: 0',
      '  timeout: ten seconds',
      '  concurrensy: all',
      'profiles:',
      '  quick: { load: { levels: [0] } }',
    ].join('\n'),
  );
  const r = await runCli(['validate', file]);
  assert.equal(r.code, 2);
  const text = r.err.join('\n');
  for (const expected of [
    `${file}: name: must be a slug`,
    `${file}: target: must be an http:// or https:// URL`,
    `${file}: load.levels[2]: must be a positive integer, got -5`,
    `${file}: load.repetitions: must be a positive integer, got 0`,
    `${file}: load.timeout: must be a duration such as 10s, 500ms or 2m, got "ten seconds"`,
    `${file}: load.concurrensy: unknown field`,
  ]) {
    assert.ok(text.includes(expected), `expected "${expected}" in:\n${text}`);
  }
});

test('a broken profile is reported even when not selected; a good file validates', async () => {
  const bad = ws.write('badprofile.yaml', loadScenarioYaml(ok.url, { more: 'profiles:\n  quick: { load: { levels: [0] } }' }));
  let r = await runCli(['validate', bad]);
  assert.equal(r.code, 2);
  assert.match(r.err.join('\n'), /profiles\.quick\.load\.levels\[0\]: must be a positive integer, got 0/);
  const good = ws.write('good.yaml', loadScenarioYaml(ok.url));
  r = await runCli(['validate', good]);
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.match(r.out.join('\n'), /ok/);
});

test('run refuses bad input with exit 2 before any traffic and without a run folder', async () => {
  const before = ok.received;
  const cases: [string[], RegExp][] = [
    [[ws.write('neg.yaml', loadScenarioYaml(ok.url, { levels: [10, -5] }))], /load\.levels\[1\]: must be a positive integer, got -5/],
    [[ws.write('p.yaml', loadScenarioYaml(ok.url)), '--profile', 'nope'], /profiles: no profile named "nope"/],
    [[ws.write('l.yaml', loadScenarioYaml(ok.url)), '--levels', '10,abc'], /--levels: must be positive decimal integers/],
    [[ws.write('r.yaml', loadScenarioYaml(ok.url)), '--repetitions', '0'], /--repetitions: must be a positive decimal integer/],
    [[ws.dir + '/missing.yaml'], /missing\.yaml: cannot read the scenario file \(no such file\)/],
    [[ws.write('yaml.yaml', 'name: [unclosed\n')], /yaml\.yaml: line \d+, column \d+: not valid YAML/],
    [[ws.write('t0.yaml', loadScenarioYaml(ok.url, { timeout: '0s' }))], /load\.timeout: must be longer than 0, got "0s"/],
    [
      [ws.write('inv.yaml', loadScenarioYaml(ok.url, { more: 'backends: [{ host: web1, cpu: procstat }]' }))],
      /backends: sampling CPU needs an inventory/,
    ],
    [['--resume', 'no-such-run'], /--resume: no run folder "no-such-run"/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['run', ...args, '--out', ws.results]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err.join('\n')}`);
    assert.match(r.err.join('\n'), message);
    assert.equal(r.err.filter((l) => l.startsWith('lb-bench:')).length, 1, 'one error line (then the problems)');
  }
  assert.equal(ok.received, before, 'no request was sent');
  assert.deepEqual(ws.runFolders(), []);
});

test('an unreachable target gives exit 3 before the first run, and no run folder', async () => {
  const port = await closedPort();
  const file = ws.write('down.yaml', loadScenarioYaml(`http://127.0.0.1:${port}/`));
  const r = await runCli(['run', file, '--out', ws.results]);
  assert.equal(r.code, 3, r.err.join('\n'));
  assert.match(r.err[0], new RegExp(`target http://127.0.0.1:${port}/ is unreachable \\(ECONNREFUSED\\)`));
  assert.deepEqual(ws.runFolders(), []);
});

test(
  'a scenario aimed at the lab while the lab is down: exit 3, nothing sent',
  { skip: labProblems().length ? false : 'the lab is up on this machine; this test needs it down' },
  async () => {
    const file = ws.write('lab.yaml', loadScenarioYaml('http://198.18.0.10:80/', { more: 'inventory: lab' }));
    const r = await runCli(['run', file, '--out', ws.results]);
    assert.equal(r.code, 3);
    assert.match(r.err[0], /the lab is not up: run `lb-bench lab up`/);
    const direct = ws.write('lab2.yaml', loadScenarioYaml('http://198.18.0.11/'));
    assert.equal((await runCli(['run', direct, '--out', ws.results])).code, 3, 'a lab address without `inventory: lab` is guarded too');
    assert.deepEqual(ws.runFolders(), []);
  },
);

test('a target elsewhere in the benchmarking range, not attached here: exit 3, nothing sent', async () => {
  const file = ws.write('bench-net.yaml', loadScenarioYaml('http://198.18.7.7/'));
  const r = await runCli(['run', file, '--out', ws.results]);
  assert.equal(r.code, 3, r.err.join('\n'));
  assert.match(r.err[0], /198\.18\.7\.7 is in the benchmarking range 198\.18\.0\.0\/15 but not on a network attached to this machine/);
  assert.deepEqual(ws.runFolders(), []);
});

test('run stores every run, interleaved, and prints the folder last', async () => {
  const file = ws.write('happy.yaml', loadScenarioYaml(ok.url, { levels: [10, 30, 20], repetitions: 3, name: 'happy' }));
  const before = ok.received;
  const r = await runCli(['run', file, '--out', ws.results]);
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.ok(existsSync(r.last), `last line is the run folder: ${r.last}`);
  assert.match(r.last, /\d{8}-\d{6}-happy$/);
  const samples = ws.samples(r.last);
  assert.deepEqual(
    samples.map((s) => `${s.level}/${s.repetition}`),
    ['10/1', '30/1', '20/1', '10/2', '30/2', '20/2', '10/3', '30/3', '20/3'],
  );
  const m = ws.manifest(r.last);
  // the warm-up: one burst of the smallest level before the first run, in no sample
  assert.deepEqual([m.warmup.requested, m.warmup.completed], [10, 10]);
  assert.equal(ok.received - before, 3 * 60 + 1 + 10, 'the server saw every request, plus one reachability check and the warm-up');
  assert.equal(m.status, 'complete');
  assert.equal(m.scenario.name, 'happy');
  assert.ok(m.ended_at && m.host.cpus >= 1 && m.node === process.version);
  for (const s of samples) assert.equal(s.requested, s.completed + s.errors + s.timeouts + s.non2xx);
});

test('thresholds: a breach exits 1 after every run is stored, listing the breaches', async () => {
  const file = ws.write(
    'gate.yaml',
    loadScenarioYaml(failing.url, { levels: [20], repetitions: 2, name: 'gated', more: 'thresholds: { loss: 0 }' }),
  );
  const r = await runCli(['run', file, '--out', ws.results]);
  assert.equal(r.code, 1);
  assert.equal(r.err.filter((l) => l.startsWith('threshold breached: gated: level 20 rep')).length, 2);
  assert.match(r.err.join('\n'), /loss 2 > 0/);
  assert.equal(ws.samples(r.last).length, 2);
});

test('--json prints a summary instead of the path: the folder, the checks and the figures per level', async () => {
  const file = ws.write(
    'json.yaml',
    loadScenarioYaml(ok.url, { levels: [5, 10], repetitions: 2, name: 'json', more: 'thresholds: { loss: 0 }' }),
  );
  const r = await runCli(['run', file, '--out', ws.results, '--json']);
  assert.equal(r.code, 0);
  const summary = JSON.parse(r.out.join('\n'));
  assert.equal(summary.length, 1);
  const [s] = summary;
  assert.equal(s.scenario, 'json');
  assert.equal(s.runs, 4);
  assert.deepEqual(s.breaches, []);
  assert.deepEqual(s.checks, [{ threshold: 'loss ≤ 0', judged: '4 runs', breaches: [] }]);
  // the figures are the stored samples', described per level
  const stored = ws.samples(s.dir);
  assert.deepEqual(
    s.levels.map((l: any) => [l.level, l.runs]),
    [
      [5, 2],
      [10, 2],
    ],
  );
  for (const level of s.levels) {
    const rps = stored.filter((x) => x.level === level.level).map((x) => x.rps);
    const figure = level.metrics.rps;
    assert.equal(figure.n, 2);
    assert.ok(Math.abs(figure.mean - (rps[0] + rps[1]) / 2) < 1e-9, `${figure.mean} vs ${rps}`);
    assert.equal(figure.min, Math.min(...rps));
    assert.ok(figure.ci_low <= figure.mean && figure.mean <= figure.ci_high);
    assert.equal(level.metrics.loss.mean, 0);
    assert.equal(level.metrics['latency_ms.p99'].n, 2);
  }
});
