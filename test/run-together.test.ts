/**
 * `relative_to`: a scenario and its reference run in one invocation, interleaved run by run, each
 * in its own folder; the ratios to the reference as metrics of the run. The run order is read back
 * from the samples' started_at; a real SIGINT and `--resume`; every way the key can be wrong. The
 * load goes to the fake engine (test/helpers/fake-engine.ts), a latency per target: what is tested
 * is the interleaving and the bookkeeping, not sockets. The targets are real servers on port 0,
 * which see the reachability check alone.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runCli, spawnNode } from './helpers/cli.js';
import { fakeEngineCli, loggedShares, useFakeEngine, type FakeScript } from './helpers/fake-engine.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { linesIn, waitFor } from './helpers/wait.js';
import { interleave } from '../src/kinds/load/plan.js';
import { readRun } from '../src/kinds/run-folders.js';
import { metricsOf, runsOfKind } from '../src/kinds/registry.js';

const loadRun = async (dir: string) => runsOfKind([await readRun(dir)], 'load')[0];

const ws = workspace();
const servers: TestServer[] = [];
/** the fake engine's script for each target (by URL), set as the targets are started */
const scripts: Record<string, FakeScript> = {};
const answerAfter = (ms: number): FakeScript => ({ outcomes: [{ status: 200, latencyMs: ms, bytes: 1500 }] });
const fake = useFakeEngine(scripts);
after(async () => {
  fake.restore();
  for (const s of servers) await s.close();
  ws.remove();
});

/** A target: a real server (for the reachability check), and the fake engine's latency for it. */
async function fakeTarget(latencyMs: number): Promise<TestServer> {
  const s = await startServer('ok');
  servers.push(s);
  scripts[s.url] = answerAfter(latencyMs);
  return s;
}
/** Every run of these folders, in the order they started: scenario, level, repetition. */
function runOrder(dirs: string[]): string[] {
  const all = dirs.flatMap((d) =>
    ws.samples(d).map((s: { started_at: string; level: number; repetition: number }) => ({ name: ws.manifest(d).scenario.name, ...s })),
  );
  return all.sort((a, b) => a.started_at.localeCompare(b.started_at)).map((s) => `${s.name} ${s.level}/${s.repetition}`);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('interleaved order, unit', () => {
  it('repetition by repetition, level by level; the first turn moves one on at each level and repetition; resume keeps the order', () => {
    const plan = (done: { level: number; repetition: number }[] = []) =>
      interleave([
        { levels: [10, 20], repetitions: 2, done: [] },
        { levels: [10, 20], repetitions: 2, done: done as never },
      ]).map((r) => `${r.member} ${r.level}/${r.repetition}`);
    assert.deepEqual(plan(), ['0 10/1', '1 10/1', '1 20/1', '0 20/1', '1 10/2', '0 10/2', '0 20/2', '1 20/2']);
    assert.deepEqual(plan([{ level: 10, repetition: 1 }]), ['0 10/1', '1 20/1', '0 20/1', '1 10/2', '0 10/2', '0 20/2', '1 20/2']);
    // levels only one has: its runs alone; four members: each first once in four repetitions at a level
    const three = interleave([
      { levels: [10], repetitions: 1, done: [] },
      { levels: [10, 30], repetitions: 1, done: [] },
    ]).map((r) => `${r.member} ${r.level}`);
    assert.deepEqual(three, ['0 10', '1 10', '1 30']);
    const firsts = [1, 2, 3, 4].map(
      (rep) => interleave([0, 1, 2, 3].map(() => ({ levels: [10], repetitions: 4, done: [] }))).find((r) => r.repetition === rep)!.member,
    );
    assert.deepEqual(firsts, [0, 1, 2, 3]);
  });
});

describe('lb-bench run with relative_to, against two targets (the fake engine)', () => {
  let fast: TestServer;
  let slow: TestServer;
  let firstFast = '';

  it('runs the reference too, interleaved run by run; both folders written, the reference a plain run; ratios in the report', async () => {
    slow = await fakeTarget(20);
    fast = await fakeTarget(5);
    ws.write('ref.yaml', loadScenarioYaml(slow.url, { name: 'ref', levels: [10, 20], repetitions: 3 }));
    const file = ws.write(
      'fast.yaml',
      loadScenarioYaml(fast.url, { name: 'fast', levels: [10, 20], repetitions: 3, more: 'relative_to: ref' }),
    );
    const r = await runCli(['run', file, '--out', join(ws.dir, 'one')]);
    assert.equal(r.code, 0, r.err.join('\n'));
    // the reference's folder first, the named scenario's last (stdout's last line, as for one file)
    assert.equal(r.out.length, 2);
    const [refDir, fastDir] = r.out;
    firstFast = fastDir;
    assert.match(basename(refDir), /-ref$/);
    assert.match(basename(fastDir), /-fast$/);
    // the reference first (it is named before the one that names it), then the turn moves on
    assert.deepEqual(runOrder([refDir, fastDir]), [
      'ref 10/1',
      'fast 10/1',
      'fast 20/1',
      'ref 20/1',
      'fast 10/2',
      'ref 10/2',
      'ref 20/2',
      'fast 20/2',
      'ref 10/3',
      'fast 10/3',
      'fast 20/3',
      'ref 20/3',
    ]);
    // each member warms up once, against its own target: a burst of its smallest level (10), then its runs
    for (const s of [slow, fast]) {
      const sent = fake.shares.filter((x) => x.url === s.url).map((x) => x.requests);
      assert.deepEqual(sent, [10, 10, 20, 10, 20, 10, 20], 'its warm-up, then its runs in their order');
      assert.equal(fake.requestsTo(s.url), 3 * 30 + 10, 'its runs and its warm-up');
      assert.equal(s.received, 1, 'its reachability request: the only one over a socket');
    }

    const ref = ws.manifest(refDir);
    const own = ws.manifest(fastDir);
    assert.deepEqual(own.relative_to, { scenario: 'ref', run: basename(refDir) });
    assert.equal(ref.relative_to, undefined, 'the reference is a plain run');
    assert.deepEqual(ref.interleaved, [basename(refDir), basename(fastDir)]);
    assert.deepEqual(own.interleaved, ref.interleaved);
    assert.ok(!existsSync(join(refDir, 'reference.jsonl')));
    // the reference's runs, copied line for line into the folder that names it
    assert.deepEqual(
      readFileSync(join(fastDir, 'reference.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
      ws.samples(refDir),
    );

    // speedup: the ratio of the means at each level, from the samples themselves
    const run = await readRun(fastDir);
    assert.ok(metricsOf(run).some((m) => m.name === 'speedup'));
    const out = join(ws.dir, 'report-one');
    const rep = await runCli(['report', fastDir, refDir, '--out', out]);
    assert.equal(rep.code, 0, rep.err.join('\n'));
    // summary.csv: names and numbers only here, no quoting
    const [head, ...body] = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
    const rows = body.map((l) => Object.fromEntries(l.split(',').map((v, i) => [head.split(',')[i], v])));
    for (const level of [10, 20]) {
      const at = (d: string) =>
        ws
          .samples(d)
          .filter((s: { level: number }) => s.level === level)
          .map((s: { rps: number }) => s.rps);
      const expected = mean(at(fastDir)) / mean(at(refDir));
      const row = rows.find((x) => x.scenario === 'fast' && x.metric === 'speedup' && Number(x.level) === level)!;
      assert.ok(row, `a speedup row at ${level}`);
      assert.ok(Math.abs(Number(row.mean) - expected) < 1e-9, `${row.mean} vs ${expected}`);
      assert.equal(Number(row.n), 3);
      assert.ok(Number(row.ci_low) <= Number(row.mean) && Number(row.mean) <= Number(row.ci_high), JSON.stringify(row));
    }
    assert.ok(!rows.some((x) => x.scenario === 'ref' && x.metric === 'speedup'), 'the reference has no ratio to itself');
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    assert.match(md, /## Speedup over the reference \(req\/s ÷ its req\/s\) \(×\)\n\n`speedup`\n\n\| requests \| fast \|/);
    assert.match(md, /- fast: ÷ ref \(run \d{8}-\d{6}-ref\), run by run, paired by level and repetition/);
  });

  it('compare reads the ratios of two runs of the scenario (here: two invocations)', async () => {
    const file = join(ws.dir, 'fast.yaml');
    const r = await runCli(['run', file, '--out', join(ws.dir, 'one')]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(r.out.length, 2);
    const c = await runCli(['compare', firstFast, r.out[1], '--metric', 'speedup', '--format', 'csv']);
    assert.ok(c.code === 0 || c.code === 1, c.err.join('\n'));
    // the figures as the report gives them: the ratio of the means (not the mean of the pairs' ratios)
    const row = c.out.find((l) => /,speedup,10,/.test(l));
    assert.ok(row, c.out.join('\n'));
    const run = await loadRun(firstFast);
    const at = run.samples.filter((s) => s.level === 10);
    const expected = mean(at.map((s) => s.rps)) / mean(at.map((s) => s.pair!.rps));
    assert.ok(Math.abs(Number(row.split(',')[7]) - expected) < 1e-9, `${row} vs ${expected}`);
  });

  it('SIGINT mid-way keeps both folders interrupted; --resume of either continues both, interleaved as before', async () => {
    // a cooldown of 400 ms leaves seconds of work after the fifth run, so a stalled test still interrupts mid-way
    const slower = await fakeTarget(60);
    ws.write('ref2.yaml', loadScenarioYaml(slower.url, { name: 'ref2', levels: [10, 20], repetitions: 4, cooldown: '400ms' }));
    const file = ws.write(
      'dep.yaml',
      loadScenarioYaml(fast.url, { name: 'dep', levels: [10, 20], repetitions: 4, cooldown: '400ms', more: 'relative_to: ref2.yaml' }),
    );
    const results = join(ws.dir, 'two');
    const log = join(ws.dir, 'shares.jsonl');
    const { child, exited, stderr } = spawnNode(fakeEngineCli(scripts, log, ['run', file, '--out', results]));
    await waitFor(() => ws.runFolders(results).reduce((n, d) => n + linesIn(join(d, 'samples.jsonl')).length, 0) >= 5, {
      timeout: 30_000,
      what: 'five finished runs',
    });
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr());
    assert.match(
      stderr(),
      /interrupted: kept ref2 \d+ of 8 runs in .*; dep \d+ of 8 runs in .*; finish them all, interleaved as before, with: lb-bench run --resume /,
    );
    const dirs = ws.runFolders(results);
    for (const d of dirs) assert.equal(ws.manifest(d).status, 'interrupted');
    const [refDir, depDir] = ['ref2', 'dep'].map((n) => dirs.find((d) => d.endsWith(`-${n}`))!);
    const before = runOrder([refDir, depDir]);
    assert.ok(before.length >= 5 && before.length < 16, before.join(', '));
    // the two warm-ups, each kept run, and at most the one in flight: no run was measured and then lost
    const started = loggedShares(readFileSync(log, 'utf8')).length - 2;
    assert.ok(started === before.length || started === before.length + 1, `${started} runs started, ${before.length} kept`);

    // a crash between storing a reference's run and copying it: the copy is made on resume
    const copies = readFileSync(join(depDir, 'reference.jsonl'), 'utf8').split('\n').filter(Boolean);
    writeFileSync(join(depDir, 'reference.jsonl'), copies.slice(0, -1).join('\n') + '\n');

    const r = await runCli(['run', '--resume', refDir, '--out', results]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(r.out, [refDir, depDir]);
    for (const d of dirs) assert.equal(ws.manifest(d).status, 'complete');
    const order = runOrder([refDir, depDir]);
    const planned = interleave([
      { levels: [10, 20], repetitions: 4, done: [] },
      { levels: [10, 20], repetitions: 4, done: [] },
    ]).map((p) => `${p.member ? 'dep' : 'ref2'} ${p.level}/${p.repetition}`);
    // what the first run measured, then the rest in the planned order: as if never interrupted, but for the run in flight
    assert.deepEqual(order.slice(0, before.length), before);
    assert.deepEqual(
      order.slice(before.length),
      planned.filter((p) => !before.includes(p)),
    );
    assert.equal(order.length, 16);
    assert.deepEqual(
      readFileSync(join(depDir, 'reference.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .sort(byKey),
      ws.samples(refDir).sort(byKey),
    );
    const run = await loadRun(depDir);
    assert.equal(run.samples.filter((s) => s.pair).length, 8, 'every run paired');
    assert.equal(ws.manifest(depDir).resumes.length, 1);
    assert.equal(ws.manifest(refDir).resumes.length, 1);
  });
});

const byKey = (a: { level: number; repetition: number }, b: { level: number; repetition: number }) =>
  a.level - b.level || a.repetition - b.repetition;

describe('relative_to: every way it can be wrong is one line, exit 2, nothing sent or written', () => {
  const bad = workspace();
  after(() => bad.remove());
  const target = 'http://127.0.0.1:9/';
  const results = join(bad.dir, 'results');
  const scenario = (name: string, more = '') => loadScenarioYaml(target, { name, more });

  async function refused(file: string, args: string[] = []): Promise<string[]> {
    const r = await runCli(['run', file, '--out', results, ...args]);
    assert.equal(r.code, 2, r.err.join('\n'));
    assert.ok(!existsSync(results), 'nothing written');
    // one line, then its hint
    assert.ok(r.err[0].startsWith('lb-bench: '), r.err[0]);
    return [r.err[0].slice('lb-bench: '.length), ...r.err.slice(1)];
  }

  it('a name with no file beside it; the scenario itself; a bad value', async () => {
    const none = bad.write('none.yaml', scenario('none', 'relative_to: nosuch'));
    const [line] = await refused(none);
    assert.equal(
      line,
      `${none}: relative_to: no scenario "nosuch" beside it (neither ${join(bad.dir, 'nosuch.yaml')} nor ${join(bad.dir, 'nosuch.yml')} exists)`,
    );
    const self = bad.write('self.yaml', scenario('self', 'relative_to: self'));
    assert.equal((await refused(self))[0], `${self}: relative_to: names this scenario itself; name its reference, e.g. single`);
    const odd = bad.write('odd.yaml', scenario('odd', 'relative_to: ../x'));
    assert.match(
      (await refused(odd))[0],
      /odd\.yaml: relative_to: must name a scenario beside this file \(e\.g\. single\) or a path to one ending in \.yaml or \.yml/,
    );
  });

  it('a reference of another kind, of another name, or with a reference of its own', async () => {
    bad.write(
      'fo.yaml',
      ['name: fo', 'kind: failover', `target: ${target}`, 'probe: { type: tcp }', 'fault: { host: x, inject: { local: "true" } }'].join(
        '\n',
      ),
    );
    const kind = bad.write('kind.yaml', scenario('kind', 'relative_to: fo'));
    assert.equal(
      (await refused(kind))[0],
      `${kind}: relative_to: ${join(bad.dir, 'fo.yaml')} is a failover scenario; a reference must be a load scenario`,
    );
    bad.write('other.yaml', scenario('different'));
    const named = bad.write('named.yaml', scenario('named', 'relative_to: other'));
    assert.equal(
      (await refused(named))[0],
      `${named}: relative_to: ${join(bad.dir, 'other.yaml')} holds the scenario "different", not "other"`,
    );
    bad.write('middle.yaml', scenario('middle', 'relative_to: other.yaml'));
    const chain = bad.write('chain.yaml', scenario('chain', 'relative_to: middle'));
    assert.equal(
      (await refused(chain))[0],
      `${chain}: relative_to: ${join(bad.dir, 'middle.yaml')} names a reference of its own (relative_to: other.yaml); a reference is measured plainly`,
    );
  });

  it('the reference is read with the same profile: one it lacks is named', async () => {
    bad.write('plain.yaml', scenario('plain'));
    const quick = bad.write('quick.yaml', scenario('quick', 'relative_to: plain\nprofiles: { quick: { load: { repetitions: 1 } } }'));
    const err = await refused(quick, ['--profile', 'quick']);
    assert.equal(err[0], `${join(bad.dir, 'plain.yaml')}: profiles: no profile named "quick" (the file has none)`);
  });

  it('validate names the reference, or the problem', async () => {
    bad.write('base.yaml', scenario('base'));
    const good = bad.write('good.yaml', scenario('good', 'relative_to: base'));
    const ok = await runCli(['validate', good]);
    assert.equal(ok.code, 0, ok.err.join('\n'));
    assert.match(
      ok.out[0],
      /good\.yaml: ok \(load scenario "good", 2 levels × 2 repetitions; relative to base \(.*base\.yaml\), run together\)/,
    );
    const wrong = await runCli(['validate', join(bad.dir, 'none.yaml')]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.err[0], /none\.yaml: relative_to: no scenario "nosuch" beside it/);
  });

  it('--resume of a folder whose companion folder is gone: exit 2, naming it', async () => {
    const server = await fakeTarget(1);
    const dir = join(bad.dir, 'resume');
    const w = (name: string, text: string) => {
      writeFileSync(join(bad.dir, name), text);
      return join(bad.dir, name);
    };
    w('r-ref.yaml', loadScenarioYaml(server.url, { name: 'r-ref', levels: [5], repetitions: 1 }));
    const file = w('r-dep.yaml', loadScenarioYaml(server.url, { name: 'r-dep', levels: [5], repetitions: 1, more: 'relative_to: r-ref' }));
    const r = await runCli(['run', file, '--out', dir]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const [refDir, depDir] = r.out;
    const { rmSync } = await import('node:fs');
    rmSync(refDir, { recursive: true });
    const again = await runCli(['run', '--resume', depDir, '--out', dir]);
    assert.equal(again.code, 2);
    assert.equal(
      again.err[0],
      `lb-bench: --resume: ${depDir} was run together with ${basename(refDir)}, which is not beside it in ${dir}/`,
    );
    assert.ok(!existsSync(join(depDir, 'lock')), 'its lock let go');
  });
});
