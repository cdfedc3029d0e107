/**
 * Run folders under concurrent use and hostile files (issue 15, part 3): a folder in use is locked
 * (a real second process holds it), a stale lock is taken over, a torn last line is cut back before
 * appending, lines that do not parse and pairs stored twice are warnings, and a bad manifest.json
 * or sample is exit 2 naming the file and field.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, spawnCli } from './helpers/cli.js';
import { waitFor } from './helpers/wait.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { readRun } from '../src/kinds/run-folders.js';
import { onStoreWarning } from '../src/results/warnings.js';
import { runSampleSchema } from '../src/kinds/load/sample.js';
import { grid, sample, scenario, writeRun } from './report-fixtures.js';

const BASELINES = fileURLToPath(new URL('../../baselines/lab-quick', import.meta.url));
const ws = workspace();
const servers: TestServer[] = [];
let server: TestServer;
after(async () => {
  for (const s of servers) await s.close();
  ws.remove();
});

async function serve(delayMs?: number): Promise<TestServer> {
  const s = await startServer('ok', delayMs ? { delayMs } : {});
  servers.push(s);
  return s;
}

const lines = (dir: string) =>
  existsSync(join(dir, 'samples.jsonl')) ? readFileSync(join(dir, 'samples.jsonl'), 'utf8').split('\n').filter(Boolean) : [];
const lockOf = (dir: string) => {
  try {
    return JSON.parse(readFileSync(join(dir, 'lock'), 'utf8')) as { pid: number };
  } catch {
    return null;
  }
};

/** A finished run of `levels` × `reps` in its own results folder, made by the real CLI. */
async function finishedRun(name: string, levels: number[], reps: number): Promise<{ file: string; results: string; dir: string }> {
  server ??= await serve();
  const file = ws.write(`${name}.yaml`, loadScenarioYaml(server.url, { levels, repetitions: reps, name }));
  const results = join(ws.dir, `results-${name}`);
  const r = await runCli(['run', file, '--out', results]);
  assert.equal(r.code, 0, r.err.join('\n'));
  return { file, results, dir: readdirSync(results).map((n) => join(results, n))[0] };
}

test('a folder in use is locked: resuming a running run, or a running resume, is exit 3 naming the pid', async () => {
  const slow = await serve(100);
  // 30 runs of ≥ 100 ms with 200 ms between: the first is still running while the test tries its folder
  const file = ws.write('locked.yaml', loadScenarioYaml(slow.url, { levels: [5], repetitions: 30, cooldown: '200ms', name: 'locked' }));
  const results = join(ws.dir, 'results-locked');

  // a real `run` process writes the folder
  const a = spawnCli(['run', file, '--out', results]);
  const dir = await waitFor(
    () => {
      const d = ws.runFolders(results)[0];
      return d && lines(d).length >= 1 ? d : null;
    },
    { timeout: 30_000, what: 'the first run to be stored' },
  );
  let r = await runCli(['run', file, '--out', results, '--resume', dir]);
  assert.equal(r.code, 3, r.err.join('\n'));
  assert.match(
    r.err[0],
    new RegExp(`^lb-bench: .*${dir.split('/').pop()}: in use by lb-bench pid ${a.child.pid} \\(since .*\\); not resumed$`),
  );
  assert.equal(lockOf(dir)?.pid, a.child.pid, 'the running process holds the lock');
  a.child.kill('SIGINT');
  assert.equal(await a.exited, 130, a.stderr());
  assert.equal(existsSync(join(dir, 'lock')), false, 'released on interrupt');

  // a real `run --resume` process continues it; a second resume is refused while it runs
  const before = lines(dir).length;
  const b = spawnCli(['run', file, '--out', results, '--resume', dir]);
  await waitFor(() => lockOf(dir)?.pid === b.child.pid && lines(dir).length > before, {
    timeout: 30_000,
    what: 'the resume to store a run',
  });
  r = await runCli(['run', file, '--out', results, '--resume', dir]);
  assert.equal(r.code, 3, r.err.join('\n'));
  assert.match(r.err[0], new RegExp(`in use by lb-bench pid ${b.child.pid} `));
  b.child.kill('SIGINT');
  assert.equal(await b.exited, 130, b.stderr());
  assert.equal(existsSync(join(dir, 'lock')), false, 'released on interrupt');

  r = await runCli(['run', file, '--out', results, '--resume', dir]);
  assert.equal(r.code, 0, r.err.join('\n'));
  const pairs = lines(dir).map((l) => JSON.parse(l).repetition);
  assert.equal(pairs.length, 30);
  assert.equal(new Set(pairs).size, 30, 'no pair stored twice');
  assert.equal(existsSync(join(dir, 'lock')), false, 'released on finish');
});

test("a lock left by a process that has ended, or whose pid was reused, is taken over with a note; another host's is not", async () => {
  const { file, results, dir } = await finishedRun('stale', [5], 3);
  const dropLast = () => writeFileSync(join(dir, 'samples.jsonl'), lines(dir).slice(0, -1).join('\n') + '\n');
  const writeLock = (pid: number, host = hostname(), start = '1') =>
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid, host, start, since: '2026-01-01T00:00:00.000Z', token: 'old' }) + '\n');

  // a dead pid: a process that has exited
  const gone = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => gone.on('exit', r));
  dropLast();
  writeLock(gone.pid!);
  let r = await runCli(['run', file, '--out', results, '--resume', dir]);
  assert.equal(r.code, 0, r.err.join('\n'));
  const note = `took over the lock of lb-bench pid ${gone.pid} (since 2026-01-01T00:00:00.000Z), which is no longer running`;
  assert.ok(r.err.includes(`warning: ${dir}: ${note}`), r.err.join('\n'));
  assert.ok(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).warnings.includes(note));
  assert.equal(lines(dir).length, 3);
  assert.equal(existsSync(join(dir, 'lock')), false);

  // a live pid that started at another time than the lock says: the pid was reused
  const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  try {
    await new Promise((r) => other.on('spawn', r));
    dropLast();
    writeLock(other.pid!);
    r = await runCli(['run', file, '--out', results, '--resume', dir]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.ok(
      r.err.some((l) => l.includes(`took over the lock of lb-bench pid ${other.pid}`)),
      r.err.join('\n'),
    );
  } finally {
    other.kill();
  }

  // a lock taken on another host cannot be checked: refused, saying which file to delete
  writeLock(process.pid, 'elsewhere.example');
  r = await runCli(['run', file, '--out', results, '--resume', dir]);
  assert.equal(r.code, 3);
  assert.match(r.err[0], new RegExp(`in use by lb-bench pid ${process.pid} on host elsewhere\\.example`));
  assert.match(r.err[1], /delete .*\/lock$/);
});

test('a forced quit (second Ctrl-C) releases every lock the process holds', async () => {
  const { RunWriter, interruptOpenRuns } = await import('../src/results/store.js');
  const { RunLock } = await import('../src/results/lock.js');
  const w = RunWriter.create(join(ws.dir, 'quit-results'), (await import('./report-fixtures.js')).manifest(scenario('quit'), 4));
  const resumed = join(ws.dir, 'quit-resumed');
  mkdirSync(resumed);
  RunLock.acquire(resumed); // run --resume holds the lock before its writer opens
  assert.ok(existsSync(join(w.dir, 'lock')) && existsSync(join(resumed, 'lock')));
  interruptOpenRuns(); // what the second Ctrl-C does right before process.exit(130)
  assert.equal(existsSync(join(w.dir, 'lock')), false);
  assert.equal(existsSync(join(resumed, 'lock')), false);
});

test('a torn last line is cut back before a resume appends, and said', async () => {
  const { file, results, dir } = await finishedRun('torn', [5, 6], 2);
  const kept = lines(dir);
  writeFileSync(join(dir, 'samples.jsonl'), kept.slice(0, 3).join('\n') + '\n' + kept[3].slice(0, 25));
  const r = await runCli(['run', file, '--out', results, '--resume', dir]);
  assert.equal(r.code, 0, r.err.join('\n'));
  const now = lines(dir).map((l) => JSON.parse(l)); // every line parses: nothing glued onto the fragment
  assert.equal(now.length, 4);
  assert.deepEqual(
    now.slice(0, 3),
    kept.slice(0, 3).map((l) => JSON.parse(l)),
  );
  assert.deepEqual(now.map((s) => `${s.level}/${s.repetition}`).sort(), ['5/1', '5/2', '6/1', '6/2']);
  assert.ok(
    r.err.includes(`warning: ${join(dir, 'samples.jsonl')}: line 4 is torn (no end of line: a crash mid-write?); left out`),
    r.err.join('\n'),
  );
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  assert.ok(
    m.warnings.some((w: string) => /^samples\.jsonl: cut off a torn last line \(25 bytes/.test(w)),
    m.warnings.join('\n'),
  );
});

test('cpu.jsonl and probes.jsonl: a torn last line is cut back before the first append too', async () => {
  const { RunWriter } = await import('../src/results/store.js');
  const run = writeRun(join(ws.dir, 'torn-extra'), scenario('torn-extra'), [sample(1000, 1)]);
  writeFileSync(join(run.dir, 'cpu.jsonl'), '{"t":1,"host":"web1","busy_pct":3}\n{"t":2,"host":"we');
  writeFileSync(join(run.dir, 'probes.jsonl'), '{"repetition":1,"type":"http","seq":0,"ok":true}');
  const w = RunWriter.reopen(run);
  w.appendTo('cpu.jsonl', { t: 3, host: 'web1', busy_pct: 4 });
  w.appendTo('probes.jsonl', { repetition: 1, type: 'http', seq: 1, ok: true });
  w.close();
  const parsed = (file: string) =>
    readFileSync(join(run.dir, file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  assert.deepEqual(
    parsed('cpu.jsonl').map((r) => r.t),
    [1, 3],
  );
  assert.deepEqual(
    parsed('probes.jsonl').map((r) => r.seq),
    [0, 1],
    'a whole last line that only lacked its newline is kept',
  );
  const m = JSON.parse(readFileSync(join(run.dir, 'manifest.json'), 'utf8'));
  assert.deepEqual(m.warnings, ['cpu.jsonl: cut off a torn last line (17 bytes, left by a crash mid-write) before appending']);
});

test('a line that does not parse is a warning naming the file and line; the rest is used', async () => {
  const { results, dir } = await finishedRun('garbled', [5, 6], 2);
  const kept = lines(dir);
  writeFileSync(join(dir, 'samples.jsonl'), [kept[0], '{"level": 5, garbage', ...kept.slice(1)].join('\n') + '\n');
  const r = await runCli(['report', dir, '--results', results, '--out', join(ws.dir, 'report-garbled')]);
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.ok(r.err.includes(`warning: ${join(dir, 'samples.jsonl')}: line 2 is not valid JSON; left out`), r.err.join('\n'));
  assert.match(r.err.join('\n'), /garbled: .* \(4 runs\)/);
});

test('pairs stored twice are counted once, with a warning; a resume never counts past its plan', async () => {
  const { file, results, dir } = await finishedRun('twice', [5], 3);
  const kept = lines(dir).map((l) => JSON.parse(l));
  // what two overlapping resumes left: pairs 1 and 2 again, with other figures; pair 3 missing
  const again = kept.slice(0, 2).map((s) => JSON.stringify({ ...s, rps: s.rps * 100 }));
  writeFileSync(join(dir, 'samples.jsonl'), [...kept.slice(0, 2).map((s) => JSON.stringify(s)), ...again].join('\n') + '\n');

  const out = join(ws.dir, 'report-twice');
  let r = await runCli(['report', dir, '--results', results, '--out', out]);
  assert.equal(r.code, 0, r.err.join('\n'));
  const row = readFileSync(join(out, 'summary.csv'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('twice,5,rps,'))!;
  const [, , , n, mean] = row.split(',');
  assert.equal(n, '2', 'each pair counted once');
  assert.ok(Math.abs(Number(mean) - (kept[0].rps + kept[1].rps) / 2) < 1e-6, row);
  assert.ok(
    r.err.includes(
      `warning: ${join(dir, 'samples.jsonl')}: 2 lines (3, 4) repeat a (level, repetition) pair stored before; each is counted once, the first`,
    ),
    r.err.join('\n'),
  );

  r = await runCli(['run', file, '--out', results, '--resume', dir]);
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.ok(
    r.err.some((l) => l.includes('rep 3/3  [3/3]')),
    r.err.join('\n'),
  );
  assert.ok(!r.err.some((l) => /\[4\/3\]/.test(l)), r.err.join('\n'));
});

test('resuming a folder that holds every run sends nothing, says so (exit 0) and records no resume', async () => {
  const { file, results, dir } = await finishedRun('whole', [5, 6], 2);
  const manifest = readFileSync(join(dir, 'manifest.json'), 'utf8');
  const samples = readFileSync(join(dir, 'samples.jsonl'), 'utf8');
  const sent = server.received;
  const r = await runCli(['run', file, '--out', results, '--resume', dir]);
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.ok(r.err.includes(`lb-bench: nothing to resume: all 4 runs are stored in ${dir}`), r.err.join('\n'));
  assert.equal(r.last, dir, 'the folder, as a run prints it');
  assert.equal(server.received, sent, 'not even the reachability request');
  assert.equal(readFileSync(join(dir, 'manifest.json'), 'utf8'), manifest, 'no resume entry, nothing rewritten');
  assert.equal(readFileSync(join(dir, 'samples.jsonl'), 'utf8'), samples);
  assert.equal(existsSync(join(dir, 'lock')), false, 'its lock is released');
  const json = await runCli(['run', file, '--out', results, '--resume', dir, '--json']);
  assert.equal(json.code, 0, json.err.join('\n'));
  const [summary] = JSON.parse(json.out.join('\n'));
  assert.deepEqual({ ...summary, levels: undefined }, { scenario: 'whole', dir, runs: 4, breaches: [], checks: [], levels: undefined });
  assert.deepEqual(
    summary.levels.map((l: { level: number; runs: number }) => [l.level, l.runs]),
    [
      [5, 2],
      [6, 2],
    ],
  );
  assert.equal(server.received, sent);
});

test('a bad manifest.json or sample is exit 2 naming the file and field; report skips it among good runs', async () => {
  const { results, dir } = await finishedRun('hostile', [5], 2);
  const manifestFile = join(dir, 'manifest.json');
  const good = readFileSync(manifestFile, 'utf8');
  const report = (...refs: string[]) => runCli(['report', ...refs, '--results', results, '--out', join(ws.dir, 'report-hostile')]);

  writeFileSync(manifestFile, 'null\n');
  let r = await report(dir);
  assert.equal(r.code, 2, r.err.join('\n'));
  assert.equal(r.err[0], `lb-bench: ${manifestFile}: (top level): must be an object, got null`);

  const m = JSON.parse(good);
  delete m.scenario.name;
  m.planned_runs = 'many';
  writeFileSync(manifestFile, JSON.stringify(m));
  r = await report(dir);
  assert.equal(r.code, 2);
  assert.ok(r.err.includes(`lb-bench: ${manifestFile}: scenario.name: is required`), r.err.join('\n'));
  assert.ok(r.err.includes(`${manifestFile}: planned_runs: must be a number, got "many"`), r.err.join('\n'));

  writeFileSync(manifestFile, '{"format": 1,');
  r = await report(dir);
  assert.equal(r.code, 2);
  assert.match(r.err[0], new RegExp(`${manifestFile}: not valid JSON`));

  writeFileSync(manifestFile, good);
  const samples = lines(dir);
  writeFileSync(
    join(dir, 'samples.jsonl'),
    [samples[0], JSON.stringify({ ...JSON.parse(samples[1]), rps: 'fast', latency_ms: null })].join('\n') + '\n',
  );
  r = await report(dir);
  assert.equal(r.code, 2);
  assert.equal(r.err[0], `lb-bench: ${join(dir, 'samples.jsonl')}: line 2: rps: must be a number, got "fast"`);
  assert.equal(r.err[1], `${join(dir, 'samples.jsonl')}: line 2: latency_ms: must be an object, got null`);

  // named explicitly by run --resume and compare too: exit 2, never 70
  writeFileSync(manifestFile, 'null');
  r = await runCli(['run', '--resume', dir, '--out', results]);
  assert.equal(r.code, 2, r.err.join('\n'));
  r = await runCli(['compare', dir, dir, '--results', results]);
  assert.equal(r.code, 2, r.err.join('\n'));

  // among other runs, found by name: left out with a warning, the good runs are reported
  const other = await finishedRun('hostile-good', [5], 2);
  cpSync(dir, join(other.results, 'bad-folder'), { recursive: true });
  r = await runCli(['report', '--results', other.results, '--out', join(ws.dir, 'report-mixed')]);
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.ok(
    r.err.includes(
      `warning: ${join(other.results, 'bad-folder', 'manifest.json')}: (top level): must be an object, got null; that run folder is left out`,
    ),
    r.err.join('\n'),
  );
  assert.match(r.err.join('\n'), /hostile-good: /);
});

test('the run folders the repository ships, and the test fixtures, load without a warning', async () => {
  const warnings: string[] = [];
  onStoreWarning((m) => warnings.push(m));
  for (const name of readdirSync(BASELINES)) {
    const run = await readRun(join(BASELINES, name));
    assert.equal(run.samples.length, run.manifest.planned_runs, name);
  }
  const fixture = writeRun(
    join(ws.dir, 'fixtures'),
    scenario('fixture'),
    grid([1000, 2000], 3, (l, r) => sample(l, r, 1, { cpu: { web1: { mean: 1, peak: null } }, warnings: ['w'] })),
  );
  const read = await readRun(fixture.dir);
  assert.deepEqual(read.samples, fixture.samples);
  assert.deepEqual(read.manifest, fixture.manifest);
  assert.deepEqual(warnings, []);
  // the sample type is its schema's output (src/kinds/load/sample.ts): a sample built as that type passes the schema
  assert.ok(runSampleSchema.safeParse(sample(1000, 1)).success);
});
