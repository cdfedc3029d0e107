/**
 * The nightly workflow that `lb-bench init` writes, its steps run as written, night after night, on
 * this machine (test/helpers/workflow.ts: no GitHub): the scenarios measured, judged by the history
 * carried from night to night, a lasting step failing the night, an accepted change passing, the
 * history pruned, JUnit written. The earlier nights that make the history's band are stored nights,
 * measured the same way before. The load goes to the fake engine (test/helpers/fake-engine.ts), its
 * latency set night by night: what is tested is the workflow and the judging, not sockets; the
 * target is a real server on port 0 for the reachability check.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { fakeEngineCli, loggedShares, type FakeScript } from './helpers/fake-engine.js';
import { PAGE } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { evaluate, LocalActions, storeNight, type NightResult } from './helpers/workflow.js';
import { VERSION } from '../src/version.js';

const ws = workspace();
let server: http.Server;
let url = '';
/** the fake engine's script, read by each lb-bench process as it starts, and what it was asked */
const SCRIPT = join(ws.dir, 'engine.json');
const SHARES = join(ws.dir, 'shares.jsonl');
/** the cluster answers every request after `latencyMs` from the next night on */
const answerAfter = (latencyMs: number) =>
  writeFileSync(SCRIPT, JSON.stringify({ outcomes: [{ status: 200, latencyMs, bytes: 1600 }] } satisfies FakeScript));

before(async () => {
  answerAfter(10);
  server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(PAGE));
  await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 512 }, r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  ws.remove();
});

/** The repository as init writes it, with the user's scenario aimed at the local server. */
async function repository(): Promise<string> {
  const repo = join(ws.dir, 'repo');
  assert.equal((await runCli(['init', repo])).code, 0);
  ws.write(
    'repo/scenarios/night.yaml',
    loadScenarioYaml(url, { name: 'night', levels: [20], repetitions: 5, more: 'thresholds: { loss: 0 }' }),
  );
  return repo;
}

function sshKey(): string {
  const file = join(ws.dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lb-bench-test', '-f', file]);
  return readFileSync(file, 'utf8');
}

/** bin/lb-bench.js (with the fake engine) in a process of its own, without blocking this one (its server answers the reachability check). */
function lbBench(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, fakeEngineCli(SCRIPT, SHARES, args), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, output })));
}

const step = (n: NightResult, part: string) => n.steps.find((s) => s.name.includes(part))!;
const outcomes = (n: NightResult) => Object.fromEntries(n.steps.filter((s) => s.name.match(/^[A-Z]/)).map((s) => [s.name, s.outcome]));
const artifact = (store: string, id: number, name: string, file: string) => join(store, String(id), 'artifacts', name, file);
const historyLines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const described = (n: NightResult) => n.steps.map((s) => `--- ${s.name}: ${s.outcome}\n${s.output}`).join('\n');

test('the expressions of the workflow evaluate as GitHub evaluates them', () => {
  const ctx: Record<string, string | boolean | null> = { 'env.ACCEPT': 'true', 'steps.previous.outputs.run-id': '', 'inputs.accept': null };
  const ev = (e: string) =>
    evaluate(
      e,
      (p) => ctx[p] ?? null,
      (name) => (name === 'cancelled' ? false : name === 'hashFiles' ? 'h' : true),
    );
  assert.equal(ev("!cancelled() && env.ACCEPT != 'true' && hashFiles('x') != ''"), false);
  assert.equal(ev("!cancelled() && env.ACCEPT == 'TRUE'"), true, 'strings compare without case');
  assert.equal(ev("steps.previous.outputs.run-id != ''"), false);
  assert.equal(ev("'schedule' == 'workflow_dispatch' && inputs.accept"), false);
  assert.equal(ev('inputs.accept == true'), false);
  assert.throws(() => ev('env.X === 1'), /not understood/);
});

test("init's workflow, night after night: judged by the history, a lasting step fails, an accepted change passes, the history pruned", async () => {
  const repo = await repository();
  const store = join(ws.dir, 'github');
  const options = {
    repo,
    store,
    work: join(ws.dir, 'runner'),
    version: VERSION,
    // the user's settings: their scenario, and a short history to see it pruned
    env: { SCENARIOS: 'scenarios/night.yaml', KEEP_NIGHTS: '6' },
    secrets: { LB_BENCH_SSH_KEY: sshKey() },
    lbBench: fakeEngineCli(SCRIPT, SHARES, []),
  };

  // the first night of all: no history and no earlier night; it measures and starts the history
  const first = await new LocalActions(join(repo, '.github/workflows/lb-bench.yml'), {
    ...options,
    store: join(ws.dir, 'github-new'),
  }).night();
  assert.equal(first.conclusion, 'success', described(first));
  assert.match(step(first, 'Fetch the history').output, /history: none yet; tonight starts it/);
  assert.equal(step(first, 'Download the last successful night').outcome, 'skipped');
  assert.equal(step(first, 'Judge tonight').outcome, 'success');
  assert.equal(historyLines(artifact(join(ws.dir, 'github-new'), 1, 'lb-bench-history', 'history.jsonl')).length, 1);

  // five stored nights of the same cluster, measured the same way: the band the history judges by
  const history = join(ws.dir, 'history.jsonl');
  for (let id = 1; id <= 5; id++) {
    // a run folder's id is its start to the second: nights a day apart never share one
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 10));
    const results = join(ws.dir, `stored-${id}`);
    // in a process of its own, as each night's run is (a warm process would measure faster)
    const r = await lbBench(['run', join(repo, 'scenarios/night.yaml'), '--out', results]);
    assert.equal(r.code, 0, r.output);
    assert.equal((await runCli(['history', 'append', history, '--results', results])).code, 0);
    const kept = join(ws.dir, `stored-history-${id}`);
    cpSync(history, join(kept, 'history.jsonl'));
    storeNight(store, id, 'success', { 'lb-bench-history': kept, 'lb-bench-results': results });
  }
  const actions = new LocalActions(join(repo, '.github/workflows/lb-bench.yml'), options);

  // the cluster answers 12× slower from tonight: watched, not failed
  answerAfter(120);
  const n6 = await actions.night();
  assert.equal(n6.conclusion, 'success', described(n6));
  assert.match(step(n6, 'Fetch the history').output, /history: from run 5, 5 lines/);
  assert.equal(step(n6, 'Download the last successful night').outcome, 'success');
  assert.match(n6.summary, /watch \(1 of 2 nights out\)/, n6.summary);
  for (const f of ['junit-run.xml', 'junit-compare.xml', 'summary.md', 'compare.md'])
    assert.ok(existsSync(artifact(store, 6, 'lb-bench-report', f)), `report artifact: ${f}`);
  assert.doesNotMatch(readFileSync(artifact(store, 6, 'lb-bench-report', 'junit-compare.xml'), 'utf8'), /<failure/);

  // the second night of it: a regression, the night fails; it is still reported and added to the history
  const n7 = await actions.night();
  assert.equal(n7.conclusion, 'failure', described(n7));
  assert.equal(step(n7, 'Judge tonight').outcome, 'failure');
  assert.match(step(n7, 'Judge tonight').output, /regression: history: night: latency_ms\.p99 at level 20: \+\d+\.\d %/);
  assert.match(readFileSync(artifact(store, 7, 'lb-bench-report', 'junit-compare.xml'), 'utf8'), /<failure /);
  for (const s of ['Add tonight to the history', 'Report', 'Upload the history', 'Upload the results', 'Stop the SSH agent'])
    assert.equal(outcomes(n7)[s], 'success', `${s} also after a failed judgement`);
  // five stored nights and two of the workflow's: the oldest pruned (KEEP_NIGHTS 6), tonight's the newest
  const runs7 = [...new Set(historyLines(artifact(store, 7, 'lb-bench-history', 'history.jsonl')).map((l) => l.run))];
  assert.equal(runs7.length, 6);
  assert.match(step(n7, 'Add tonight to the history').output, /pruned 1 line \(1 night older than each scenario's newest 6\)/);
  assert.ok(readdirSync(join(n7.dir, 'results')).includes(runs7.at(-1)!), 'tonight is in the history');

  // the change was intended: run with "accept"; measured, not judged, and the new normal from tonight
  const n8 = await actions.night({ event: 'workflow_dispatch', inputs: { accept: true } });
  assert.equal(n8.conclusion, 'success', described(n8));
  assert.equal(step(n8, 'Judge tonight').outcome, 'skipped');
  assert.match(n8.summary, /night: accepted \S+ as the new normal/);
  assert.ok(historyLines(artifact(store, 8, 'lb-bench-history', 'history.jsonl')).some((l) => l.accept === true));

  // the nights after it pass at the new level; the history keeps the newest 6 nights (KEEP_NIGHTS)
  const n9 = await actions.night();
  assert.equal(n9.conclusion, 'success', described(n9));
  assert.match(step(n9, 'Download the last successful night').outcome, /success/);
  assert.match(step(n9, 'Judge tonight').output, /too few nights|1 nights? of this machine/, 'the old nights are not judged by');
  assert.match(step(n9, 'Add tonight to the history').output, /pruned \d+ lines? \(\d+ nights? older than each scenario's newest 6\)/);
  const kept = historyLines(artifact(store, 9, 'lb-bench-history', 'history.jsonl'));
  assert.equal(new Set(kept.filter((l) => !l.accept).map((l) => l.run)).size, 6);
  assert.ok(
    kept.some((l) => l.accept === true),
    'the acceptance stays while older nights are kept',
  );
  assert.deepEqual(readdirSync(join(store, '9', 'artifacts')).sort(), ['lb-bench-history', 'lb-bench-report', 'lb-bench-results']);
  // ten nights measured (the first, five stored, four of the workflow's): each a warm-up and five runs of 20 requests to the target
  const shares = loggedShares(readFileSync(SHARES, 'utf8'));
  assert.deepEqual(
    shares.map((x) => [x.url, x.requests]),
    Array(10 * 6).fill([url, 20]),
  );
});
