/**
 * Nothing hangs, nothing is silently lost (issue 23), class by class: special files in a run
 * folder's place, paths under /proc, shared report folders, failed writes, stored samples that
 * break the format's rules, arguments checked only after the load, engines that disagree on valid
 * HTTP/1.x framing, a run killed outright, names with escape sequences, a report over thousands of
 * scenarios, and messages that said the wrong thing. Every case failed on the code before.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { runCli, type CliResult } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { linesIn, waitFor } from './helpers/wait.js';
import { failoverScenario, grid, sample, scenario, writeFailoverRun, writeRun } from './report-fixtures.js';
import { readPlainFile, refusalText } from '../src/io/files.js';
import { writeReport } from '../src/report/index.js';
import { checkPlainFiles } from '../src/results/store.js';
import { readRun } from '../src/kinds/run-folders.js';
import { timestampId } from '../src/results/writer.js';
import { startLoad } from '../src/load/engine.js';

const ws = workspace();
const servers: { close(): Promise<void> }[] = [];
after(async () => {
  for (const s of servers) await s.close();
  ws.remove();
});

const BIN = resolve(import.meta.dirname, '../../bin/lb-bench.js');
const text = (r: CliResult) => [...r.out, ...r.err].join('\n');

/** The real CLI in a process of its own, ended after `timeoutMs`: a hang is seen as a failure, never waited out. */
function cli(
  args: string[],
  opts: { cwd?: string; stdout?: number; timeoutMs?: number } = {},
): Promise<{ code: number | string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ws.dir, stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'] });
    if (!p.stderr) throw new Error('no stderr');
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    const guard = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    p.on('exit', (code, signal) => {
      clearTimeout(guard);
      done({ code: code ?? `killed (${signal}): it hung`, stderr });
    });
  });
}

let okServer: TestServer | undefined;
async function server(): Promise<TestServer> {
  if (!okServer) {
    okServer = await startServer('ok');
    servers.push(okServer);
  }
  return okServer;
}

/** A results folder of its own holding one finished synthetic run of `name` (2 levels × 3 repetitions). */
function results(tag: string, name = 'alpha'): { results: string; dir: string } {
  const dir = join(ws.dir, `results-${tag}`);
  const run = writeRun(
    dir,
    scenario(name),
    grid([1000, 2000], 3, (l, r) => sample(l, r)),
  );
  return { results: dir, dir: run.dir };
}

/** A server on 127.0.0.1:0 that answers every request with `answer` written raw, then (closeAfter) ends the connection. */
async function rawServer(answer: string, closeAfter = true): Promise<{ url: string; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const sockets = new Set<net.Socket>();
  const s = net.createServer((c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
    let buf = '';
    c.on('error', () => {});
    c.on('data', (d) => {
      buf += d;
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        received++;
        if (closeAfter) c.end(answer);
        else c.write(answer);
      }
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  const handle = {
    url: `http://127.0.0.1:${port}/`,
    received: () => received,
    close: () =>
      new Promise<void>((r) => {
        for (const c of sockets) c.destroy();
        s.close(() => r());
      }),
  };
  servers.push(handle);
  return handle;
}

// ---------------------------------------------------------------- 1. one way to open a stored file

test('a FIFO in place of samples.jsonl or reference.jsonl: report, compare and history append end at once, naming it (they blocked for ever)', async () => {
  for (const file of ['samples.jsonl', 'reference.jsonl']) {
    const { results: res, dir } = results(`fifo-${file}`);
    rmSync(join(dir, file), { force: true });
    assert.equal(spawnSync('mkfifo', [join(dir, file)]).status, 0, 'mkfifo');
    const named = `${join(dir, file)}: not a plain file (a FIFO); lb-bench reads only plain files`;
    for (const args of [
      ['report', dir, '--out', join(ws.dir, `rep-fifo-${file}`)],
      ['compare', dir, dir],
      ['report', '--results', res, '--out', join(ws.dir, `rep-fifo2-${file}`)],
      ['history', 'append', join(ws.dir, `h-${file}.jsonl`), '--results', res],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.includes(named), `${args.join(' ')}: ${r.stderr}`);
    }
  }
});

test("a FIFO in place of a run folder's lock: report and run --resume end at once (a resume blocked on it)", async () => {
  const { dir } = results('fifo-lock');
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, status: 'running' }));
  assert.equal(spawnSync('mkfifo', [join(dir, 'lock')]).status, 0);
  const report = await cli(['report', dir, '--out', join(ws.dir, 'rep-fifo-lock')]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stderr, /marked running, but no lb-bench process holds its lock: read as interrupted/);
  const file = ws.write('fifo-lock.yaml', loadScenarioYaml((await server()).url, { name: 'alpha' }));
  const resume = await cli(['run', file, '--resume', dir]);
  assert.equal(resume.code, 2, resume.stderr);
  assert.match(resume.stderr, /lock: not a plain file \(a FIFO\)/);
});

test('readPlainFile: a FIFO without a writer is refused at once; a file past the bound is refused unread', () => {
  const fifo = join(ws.dir, 'a-fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const refuse = (r: Parameters<typeof refusalText>[0]) => new Error(refusalText(r, '10 bytes'));
  assert.throws(() => readPlainFile(fifo, 10, refuse), /not a plain file \(a FIFO\)/);
  assert.throws(() => readPlainFile('/dev/zero', 10, refuse), /not a plain file \(a device\)/);
  const big = ws.write('big.txt', 'x'.repeat(11));
  assert.throws(() => readPlainFile(big, 10, refuse), /too large to read \(11 bytes; at most 10 bytes\)/);
  assert.equal(readPlainFile(join(ws.dir, 'none'), 10, refuse), null);
  assert.equal(readPlainFile(ws.write('small.txt', 'hello'), 10, refuse)?.toString(), 'hello');
});

test("output paths under /proc: every command ends with one line naming the path (Node's recursive mkdir spun for ever)", async () => {
  const { results: res, dir } = results('proc');
  const base = results('proc-base');
  const file = ws.write('proc.yaml', loadScenarioYaml((await server()).url, { name: 'alpha' }));
  const before = (await server()).received;
  for (const [args, code, line] of [
    [
      ['report', dir, '--out', '/proc/lb-bench-x/y'],
      2,
      'lb-bench: --out: cannot write into /proc/lb-bench-x (ENOENT: no such file or folder)',
    ],
    [
      ['compare', '--baseline', base.results, '--results', res, '--out', '/proc/lb-bench-x/y'],
      2,
      'lb-bench: --out: cannot write into /proc/lb-bench-x (ENOENT: no such file or folder)',
    ],
    [
      ['run', file, '--out', '/proc/lb-bench-x/y'],
      2,
      'lb-bench: --out: cannot write into /proc/lb-bench-x (ENOENT: no such file or folder)',
    ],
    [
      ['run', file, '--out', join(ws.dir, 'r-proc'), '--junit', '/proc/lb-bench-x/j.xml'],
      2,
      'lb-bench: --junit: cannot write into /proc/lb-bench-x (ENOENT: no such file or folder)',
    ],
    [
      ['init', '/proc/lb-bench-x/y'],
      3,
      'lb-bench: /proc/lb-bench-x: cannot write it (ENOENT: no such file or folder); nothing was written',
    ],
  ] as const) {
    const r = await cli([...args]);
    assert.deepEqual([r.code, r.stderr.split('\n')[0]], [code, line], args.join(' '));
  }
  assert.equal((await server()).received, before, 'nothing was sent');
});

// ---------------------------------------------------------------- 2. output never shared, never lost

test('two reports in the same second: the second gets its own folder, -2, as run folders do (it overwrote the first)', async () => {
  const { dir } = results('same-second');
  const cwd = join(ws.dir, 'same-second-cwd');
  mkdirSync(cwd);
  // the folders of this second and the next minute are taken already, by another report (a minute:
  // the child starts within it even on a loaded machine)
  const now = Date.now();
  for (let i = 0; i < 60; i++) {
    const taken = join(cwd, 'reports', timestampId(new Date(now + i * 1000)));
    mkdirSync(taken, { recursive: true });
    writeFileSync(join(taken, 'index.html'), 'the other report');
  }
  const r = await cli(['report', dir], { cwd });
  assert.equal(r.code, 0, r.stderr);
  const folders = readdirSync(join(cwd, 'reports')).filter((f) => f.endsWith('-2'));
  assert.equal(folders.length, 1, `a -2 folder: ${readdirSync(join(cwd, 'reports')).join(', ')}`);
  for (const f of readdirSync(join(cwd, 'reports')).filter((n) => !n.endsWith('-2')))
    assert.equal(readFileSync(join(cwd, 'reports', f, 'index.html'), 'utf8'), 'the other report', 'the other report is untouched');
  // in-process too: writeReport with unique never writes into a folder that exists
  const run = await readRun(dir);
  const out = join(ws.dir, 'unique', 'rep');
  const a = await writeReport([run], out, {}, { unique: true });
  const b = await writeReport([run], out, {}, { unique: true });
  assert.deepEqual([a.dir, b.dir], [out, `${out}-2`]);
});

test('a failed write to stdout is exit 3 naming stdout (schema > /dev/full exited 0 with nothing written)', async () => {
  const full = openSync('/dev/full', 'w');
  try {
    for (const args of [['schema'], ['--version'], ['report', results('full').dir, '--out', join(ws.dir, 'rep-full')]]) {
      const r = await cli(args, { stdout: full });
      assert.equal(r.code, 3, `${args[0]}: ${r.stderr}`);
      assert.ok(r.stderr.includes('lb-bench: stdout: cannot write the result (ENOSPC: the disk is full)'), r.stderr);
    }
  } finally {
    closeSync(full);
  }
});

/** A folder whose path is `length` characters long: files with long names under it pass PATH_MAX (4096), short ones do not. */
function deepFolder(tag: string, length: number): string {
  let dir = join(ws.dir, tag);
  while (dir.length + 201 < length) dir = join(dir, 'd'.repeat(200));
  dir = join(dir, 'e'.repeat(length - dir.length - 1));
  mkdirSync(dir, { recursive: true });
  return dir;
}

test('init that fails half-way leaves nothing, and the retry needs no --force (it left the files it had written)', async () => {
  // 4068: scenarios/staging.yaml fits below PATH_MAX, scenarios/staging-failover.yaml does not (the old init stopped
  // there, leaving the first); 4048: the same for the temporary names they are written under first
  for (const length of [4048, 4068]) {
    const root = deepFolder(`init-deep-${length}`, length);
    const r = await runCli(['init', root]);
    assert.equal(r.code, 3, text(r));
    assert.match(r.err[0], /cannot write it \(ENAMETOOLONG: the path is too long\); nothing was written$/);
    assert.deepEqual(readdirSync(root), [], 'nothing left behind');
  }
  const retry = join(ws.dir, 'init-retry');
  const again = await runCli(['init', retry]);
  assert.equal(again.code, 0, text(again));
});

test('a report that fails half-way leaves nothing behind', async () => {
  const run = await readRun(results('half').dir);
  // summary.csv's temporary name fits below PATH_MAX; the longest file's does not
  const root = deepFolder('report-deep', 4060);
  const out = join(root, 'r');
  await assert.rejects(
    writeReport([run], out),
    /cannot write the report \(ENAMETOOLONG: the path is too long\); nothing of it was written/,
  );
  assert.deepEqual(readdirSync(root), [], 'nothing left behind');
});

// ---------------------------------------------------------------- 3. the format's rules, checked on reading

test('a stored sample that breaks a rule is left out with a warning naming file, line and rule (it was averaged as valid)', async () => {
  const cases: [string, (s: Record<string, any>) => void, RegExp][] = [
    ['loss', (s) => (s.loss = s.loss + 7), /loss \d+ ≠ errors \+ timeouts \+ non2xx = \d+/],
    ['completed', (s) => (s.completed = s.requested + 5), /completed 1005 > requested 1000/],
    ['negative', (s) => (s.rps = -3), /rps: -3 is negative; a figure is 0 or more/],
    ['huge', (s) => (s.rps = 1.7e308), /rps: 1\.7e\+308 is beyond 10\^15, not a measurement/],
    ['sum', (s) => (s.completed -= 1), /completed \+ errors \+ timeouts \+ non2xx = 999 ≠ requested 1000/],
  ];
  for (const [tag, edit, rule] of cases) {
    const { dir } = results(`rule-${tag}`);
    const file = join(dir, 'samples.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    const first = JSON.parse(lines[0]!);
    edit(first);
    lines[0] = JSON.stringify(first);
    writeFileSync(file, lines.join('\n'));
    const out = join(ws.dir, `rep-rule-${tag}`);
    const r = await runCli(['report', dir, '--out', out]);
    assert.equal(r.code, 0, text(r));
    const warning = r.err.find((l) => l.startsWith(`warning: ${file}: line 1 breaks a rule`));
    assert.ok(warning, `${tag}: ${r.err.join('\n')}`);
    assert.match(warning, rule);
    assert.match(warning, /; left out$/);
    assert.ok(
      r.err.some((l) => l.endsWith('(5 runs)')),
      `${tag}: the sample is left out: ${r.out.join('\n')}`,
    );
    assert.doesNotMatch(readFileSync(join(out, 'summary.csv'), 'utf8'), /Infinity|NaN/);
  }
});

// ---------------------------------------------------------------- 4. arguments checked before the first request

test('arguments wrong only at the end are refused before the first request (run --junit DIR sent the whole load, then exit 3)', async () => {
  const s = await server();
  const file = ws.write('args.yaml', loadScenarioYaml(s.url, { name: 'args', levels: [5], repetitions: 1 }));
  const folder = join(ws.dir, 'a-folder');
  mkdirSync(folder);
  const before = s.received;
  for (const [args, line] of [
    [['--junit', folder], `lb-bench: --junit: ${folder} is a folder; name a file`],
    [['--levels', '0x10'], 'lb-bench: --levels: must be positive decimal integers separated by commas, got "0x10"'],
    [['--levels', '1e1'], 'lb-bench: --levels: must be positive decimal integers separated by commas, got "1e1"'],
    [['--repetitions', '0x2'], 'lb-bench: --repetitions: must be a positive decimal integer, got "0x2"'],
  ] as const) {
    const r = await runCli(['run', file, '--out', join(ws.dir, 'r-args'), ...args]);
    assert.deepEqual([r.code, r.err[0]], [2, line], args.join(' '));
  }
  assert.equal(s.received, before, 'not one request was sent');
  const res = results('args-compare');
  for (const [args, line] of [
    [['--fail-on-regression', '0x10'], 'lb-bench: --fail-on-regression: must be a percentage, 0 or more, got "0x10"'],
    [['--history', join(ws.dir, 'h.jsonl'), '--nights', '0x10'], 'lb-bench: --nights: must be a whole number from 5 to 1000, got "0x10"'],
    [['--junit', folder], `lb-bench: --junit: ${folder} is a folder; name a file`],
  ] as const) {
    const r = await runCli(['compare', ...(args[0] === '--history' ? [] : [res.dir, res.dir]), '--results', res.results, ...args]);
    assert.deepEqual([r.code, r.err[0]], [2, line], args.join(' '));
  }
});

test('validate refuses a target on port 0 and durations under 1 ms (they passed, then failed at run time)', async () => {
  const s = await server();
  const cases: [string, string][] = [
    [loadScenarioYaml('http://127.0.0.1:0/'), 'target: must name a port from 1 to 65535, not 0, got "http://127.0.0.1:0/"'],
    [loadScenarioYaml(s.url, { timeout: '0.5ms' }), 'load.timeout: must be at least 1ms, got "0.5ms"'],
    [loadScenarioYaml(s.url, { timeout: '{ 5: 0.2ms }' }), 'load.timeout.5: must be at least 1ms, got "0.2ms"'],
    [
      [
        'name: fo',
        'kind: failover',
        `target: ${s.url}`,
        'repetitions: 1',
        'probe: { type: http, interval: 0.5ms }',
        'fault: { host: lb1, inject: "true", recover: "true" }',
      ].join('\n'),
      'probe[0].interval: must be at least 1ms, got "0.5ms"',
    ],
  ];
  for (const [i, [yaml, problem]] of cases.entries()) {
    const file = ws.write(`v${i}.yaml`, yaml);
    const r = await runCli(['validate', file]);
    assert.equal(r.code, 2, text(r));
    assert.ok(r.err.includes(`${file}: ${problem}`), `${problem}\n${r.err.join('\n')}`);
  }
});

// ---------------------------------------------------------------- 5. engines agree on HTTP/1.x framing

const HTTP10 = 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello, the body ends when the connection closes';

test('answers whose body ends with the connection: the net engine counts every one; autocannon is refused, saying why (it counted all lost)', async () => {
  const target = await rawServer(HTTP10);
  // the engines themselves, on the same answers
  const netRun = startLoad({ url: target.url, requests: 20, connections: 20, timeoutMs: 5_000, engine: 'net' });
  const counts = await netRun.done;
  await netRun.closed;
  assert.deepEqual([counts.completed, counts.errors, counts.timeouts], [20, 0, 0], 'net: every answer completed');
  const acRun = startLoad({ url: target.url, requests: 20, connections: 20, timeoutMs: 5_000, engine: 'autocannon' });
  await assert.rejects(acRun.done, /autocannon engine cannot tell such an answer complete/);
  await acRun.closed;
  // the CLI: net measures, autocannon is refused before the first run, with one request sent (the check)
  for (const engine of ['net', 'autocannon']) {
    const file = ws.write(
      `h10-${engine}.yaml`,
      loadScenarioYaml(target.url, { name: `h10-${engine}`, levels: [10], repetitions: 1, more: `  engine: ${engine}` }),
    );
    const before = target.received();
    const r = await runCli(['run', file, '--out', join(ws.dir, `r-h10-${engine}`)]);
    if (engine === 'net') {
      assert.equal(r.code, 0, text(r));
      assert.equal(ws.samples(r.last)[0].loss, 0);
    } else {
      assert.equal(r.code, 2, text(r));
      assert.match(
        r.err[0],
        /load\.engine: target http:\/\/127\.0\.0\.1:\d+\/ answers with a body that ends when the connection closes .* the autocannon engine cannot tell such an answer complete/,
      );
      assert.equal(r.err[1], '  hint: use load.engine: net (the default), which reads such answers');
      assert.equal(target.received() - before, 1, 'only the check before the first run');
    }
  }
});

// ---------------------------------------------------------------- 6. stale state

test('a run killed with SIGKILL is not "running" in report or compare: its lock is judged as run --resume judges it', async () => {
  const s = await server();
  const out = join(ws.dir, 'r-killed');
  const file = ws.write('killed.yaml', loadScenarioYaml(s.url, { name: 'killed', levels: [20], repetitions: 200, cooldown: '50ms' }));
  const p = spawn(process.execPath, [BIN, 'run', file, '--out', out], { stdio: 'ignore' });
  const dir = await waitFor(() => ws.runFolders(out).find((d) => linesIn(join(d, 'samples.jsonl')).length >= 1), {
    timeout: 20_000,
    what: 'the first stored run',
  });
  p.kill('SIGKILL');
  await new Promise((r) => p.once('exit', r));
  assert.equal(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).status, 'running', 'the folder says running');
  const rep = join(ws.dir, 'rep-killed');
  const r = await runCli(['report', dir, '--out', rep]);
  assert.equal(r.code, 0, text(r));
  assert.ok(
    r.err.some((l) => new RegExp(`${dir}: marked running, but its process \\(pid ${p.pid}\\) has ended: read as interrupted`).test(l)),
    r.err.join('\n'),
  );
  assert.doesNotMatch(readFileSync(join(rep, 'summary.md'), 'utf8'), /\brunning\b/);
  const copy = join(ws.dir, 'r-killed-copy', 'killed');
  cpSync(dir, copy, { recursive: true });
  const c = await runCli(['compare', dir, copy]);
  assert.ok(
    c.err.some((l) => l.startsWith('A: killed') && l.endsWith('interrupted)')),
    c.err.join('\n'),
  );
  assert.equal(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).status, 'running', 'reading changed nothing');
});

// ---------------------------------------------------------------- 7. names escaped for the terminal

test('a stored name with escape sequences never reaches the terminal raw: report warnings, compare pairing lines', async () => {
  const name = 'evil\u001b[2J\u001b]0;pwned\u0007\r\u009b31m';
  const current = join(ws.dir, 'esc-current');
  const baseline = join(ws.dir, 'esc-baseline');
  for (const d of [current, baseline]) {
    // repetitions that disagree: the report warns, naming the scenario
    const run = writeRun(
      d,
      scenario('evil'),
      grid([1000], 3, (l, r) => sample(l, r, r === 3 ? 3 : 1)),
    );
    const m = JSON.parse(readFileSync(join(run.dir, 'manifest.json'), 'utf8'));
    m.scenario.name = name;
    m.warnings = [`a warning about ${name}`];
    writeFileSync(join(run.dir, 'manifest.json'), JSON.stringify(m));
  }
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
  const r = await runCli(['report', '--results', current, '--out', join(ws.dir, 'rep-esc')]);
  assert.equal(r.code, 0, text(r));
  assert.ok(
    r.err.some((l) => l.includes('evil\\u001b[2J')),
    r.err.join('\n'),
  );
  for (const l of [...r.out, ...r.err]) assert.doesNotMatch(l, raw, JSON.stringify(l));
  const c = await runCli(['compare', '--baseline', baseline, '--results', current]);
  assert.ok(
    c.err.some((l) => l.startsWith('evil\\u001b[2J') && l.includes(': baseline ')),
    c.err.join('\n'),
  );
  for (const l of [...c.out, ...c.err]) assert.doesNotMatch(l, raw, JSON.stringify(l));
});

// ---------------------------------------------------------------- 8. report bounded in scenarios

test('a report over more scenarios than it holds says what it left out and why', async () => {
  const { MAX_REPORT_SCENARIOS } = await import('../src/report/index.js');
  const dir = join(ws.dir, 'many');
  const runs = [];
  for (let i = 0; i < MAX_REPORT_SCENARIOS + 3; i++)
    runs.push(
      writeRun(
        dir,
        scenario(`s${i}`),
        grid([1000], 2, (l, r) => sample(l, r)),
        {},
        new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      ),
    );
  const out = join(ws.dir, 'rep-many');
  const r = await runCli(['report', '--results', dir, '--out', out]);
  assert.equal(r.code, 0, text(r));
  assert.ok(
    r.err.includes(
      `warning: 3 of ${MAX_REPORT_SCENARIOS + 3} scenarios left out: a report holds at most ${MAX_REPORT_SCENARIOS} (those with the newest runs are kept) (name the runs or scenarios to report: lb-bench report NAME…)`,
    ),
    r.err.slice(0, 3).join('\n'),
  );
  const csv = readFileSync(join(out, 'summary.csv'), 'utf8');
  assert.doesNotMatch(csv, /^s0,/m, 'the oldest is left out');
  assert.match(csv, new RegExp(`^s${MAX_REPORT_SCENARIOS + 2},`, 'm'), 'the newest is kept');
  assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /3 of 203 scenarios left out/);
});

// ---------------------------------------------------------------- 9. messages

test('messages say what happened: Infinity, a malformed status line, a line without format, --results naming a file', async () => {
  const s = await server();
  const inf = ws.write('inf.yaml', loadScenarioYaml(s.url).replace('levels: [20, 40]', 'levels: [.inf]'));
  const v = await runCli(['validate', inf]);
  assert.deepEqual([v.code, v.err[0]], [2, `${inf}: load.levels[0]: must be a positive integer, got Infinity`]);

  const bad = await rawServer('HTTP/1.1 abc OK\r\n\r\n');
  const f = ws.write('badstatus.yaml', loadScenarioYaml(bad.url, { name: 'badstatus' }));
  const run = await runCli(['run', f, '--out', join(ws.dir, 'r-bad')]);
  assert.equal(run.code, 3, text(run));
  assert.match(run.err[0], /target http:\/\/127\.0\.0\.1:\d+\/ answered, but not in HTTP \(HPE_INVALID_STATUS: /);

  const res = results('format');
  const history = join(ws.dir, 'format-history.jsonl');
  assert.equal((await runCli(['history', 'append', history, '--results', res.results])).code, 0);
  writeFileSync(history, readFileSync(history, 'utf8').replace('"format":1,', ''));
  const h = await runCli(['compare', '--history', history, '--results', res.results]);
  assert.deepEqual(
    [h.code, h.err[0]],
    [2, `lb-bench: ${history}: line 1: format: is required (1); this was not written by lb-bench, or was edited`],
  );
  writeFileSync(history, readFileSync(history, 'utf8').replace('{', '{"format":2,'));
  const newer = await runCli(['compare', '--history', history, '--results', res.results]);
  assert.match(newer.err[0], /format: must be 1: this history was written by a newer lb-bench/);

  const m = JSON.parse(readFileSync(join(res.dir, 'manifest.json'), 'utf8'));
  delete m.format;
  writeFileSync(join(res.dir, 'manifest.json'), JSON.stringify(m));
  const man = await runCli(['report', res.dir, '--out', join(ws.dir, 'rep-format')]);
  assert.deepEqual(
    [man.code, man.err[0]],
    [2, `lb-bench: ${join(res.dir, 'manifest.json')}: format: is required (1); this was not written by lb-bench, or was edited`],
  );

  const aFile = ws.write('not-a-folder', '');
  for (const cmd of [['report'], ['history', 'append', join(ws.dir, 'h2.jsonl')]]) {
    const r = await runCli([...cmd, '--results', aFile]);
    assert.deepEqual([r.code, r.err[0]], [2, `lb-bench: ${aFile}: not a folder; the results folder holds run folders`], cmd[0]);
  }
});

// ---------------------------------------------------------------- a second look: new cases in the same classes

test('second look, files: a FIFO reference.jsonl stops a resume before it writes; --junit /dev/full is refused before the load', async () => {
  const { dir } = results('second-fifo');
  assert.equal(spawnSync('mkfifo', [join(dir, 'reference.jsonl')]).status, 0);
  assert.throws(() => checkPlainFiles(dir), /reference\.jsonl: not a plain file/);
  const s = await server();
  const file = ws.write('second-junit.yaml', loadScenarioYaml(s.url, { name: 'second', levels: [5], repetitions: 1 }));
  const before = s.received;
  const r = await runCli(['run', file, '--out', join(ws.dir, 'r-second'), '--junit', '/dev/full']);
  assert.deepEqual([r.code, r.err[0]], [2, 'lb-bench: --junit: /dev/full is not a plain file; name a file']);
  assert.equal(s.received, before);
});

test('second look, writes: a report whose --out holds a folder where a file goes writes nothing at all', async () => {
  const run = await readRun(results('second-obstacle').dir);
  const out = join(ws.dir, 'rep-obstacle');
  mkdirSync(join(out, 'index.html'), { recursive: true });
  await assert.rejects(
    writeReport([run], out),
    /index\.html: cannot write the report \(it exists and is not a plain file \(a folder or a link\)\); nothing of it was written/,
  );
  assert.deepEqual(readdirSync(out), ['index.html'], 'summary.csv and the rest were not written either');
});

test('second look, rules: a failover sample with more probes answered than sent is left out; a history figure of 1.7e308 is exit 2 naming it', async () => {
  const dir = writeFailoverRun(join(ws.dir, 'second-failover'), failoverScenario('fo'), [1000, 1200, 1100]).dir;
  const file = join(dir, 'samples.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n');
  const first = JSON.parse(lines[0]!);
  first.probes.http.ok = first.probes.http.sent + 1;
  lines[0] = JSON.stringify(first);
  writeFileSync(file, lines.join('\n'));
  const r = await runCli(['report', dir, '--out', join(ws.dir, 'rep-second-fo')]);
  assert.equal(r.code, 0, text(r));
  assert.ok(
    r.err.includes(`warning: ${file}: line 1 breaks a rule of the run folder format (probes.http: ok 2001 > sent 2000); left out`),
    r.err.join('\n'),
  );

  const res = results('second-history');
  const history = join(ws.dir, 'second-history.jsonl');
  assert.equal((await runCli(['history', 'append', history, '--results', res.results])).code, 0);
  writeFileSync(history, readFileSync(history, 'utf8').replace(/"mean":[0-9.e+-]+/, '"mean":1.7e308'));
  const h = await runCli(['compare', '--history', history, '--results', res.results]);
  assert.equal(h.code, 2, text(h));
  assert.match(h.err[0], /line 1: metrics\.[a-z_.0-9]+\.mean: must be a figure \(at most 10\^15 either way\), got 1\.7e\+308/);
});

test('second look, engines: autocannon with method HEAD is refused by validate (it counted every request timed out)', async () => {
  const s = await server();
  const file = ws.write('head-ac.yaml', loadScenarioYaml(s.url, { name: 'head', more: '  method: HEAD\n  engine: autocannon' }));
  const r = await runCli(['validate', file]);
  assert.equal(r.code, 2, text(r));
  assert.equal(
    r.err[0],
    `${file}: load.method: HEAD: the autocannon engine waits for a body that never comes and counts every request lost; use engine: net (the default)`,
  );
  const net = ws.write('head-net.yaml', loadScenarioYaml(s.url, { name: 'head', levels: [10], repetitions: 1, more: '  method: HEAD' }));
  const ok = await runCli(['run', net, '--out', join(ws.dir, 'r-head')]);
  assert.equal(ok.code, 0, text(ok));
  assert.equal(ws.samples(ok.last)[0].loss, 0, 'net reads answers to HEAD');
});

test('second look, terminal: JSON on stdout stays JSON when a name holds C1 controls; a message names a target that hung up', async () => {
  const name = 'c1\u0085\u009b2J';
  const dir = join(ws.dir, 'second-json');
  const run = writeRun(
    dir,
    scenario('c1'),
    grid([1000], 3, (l, r) => sample(l, r)),
  );
  const copy = join(ws.dir, 'second-json-b', 'c1');
  const m = JSON.parse(readFileSync(join(run.dir, 'manifest.json'), 'utf8'));
  m.scenario.name = name;
  writeFileSync(join(run.dir, 'manifest.json'), JSON.stringify(m));
  cpSync(run.dir, copy, { recursive: true });
  const r = await runCli(['compare', run.dir, copy, '--json']);
  assert.equal(r.code, 0, text(r));
  for (const l of [...r.out, ...r.err]) assert.doesNotMatch(l, /[\u0080-\u009f]/);
  assert.equal(JSON.parse(r.out.join('\n')).comparisons[0].a.scenario, name, 'the name, escaped as JSON escapes it');

  const hangUp = await rawServer('', true);
  const f = ws.write('hangup.yaml', loadScenarioYaml(hangUp.url, { name: 'hangup' }));
  const h = await runCli(['run', f, '--out', join(ws.dir, 'r-hangup')]);
  assert.equal(h.code, 3, text(h));
  assert.match(h.err[0], /target http:\/\/127\.0\.0\.1:\d+\/ took the connection, then closed it without an answer \(ECONNRESET\)$/);
});
