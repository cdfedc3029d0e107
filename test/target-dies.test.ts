/**
 * Loud when the target dies (issue 15, part 5) and the reachability request on the record (part 6):
 * a real HTTP server on port 0 that stops mid-scenario, and one that counts every request.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runCli } from './helpers/cli.js';
import { PAGE, startServer, type TestServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { targetSummary, targetWarning } from '../src/kinds/load/target-health.js';
import { sample } from './report-fixtures.js';

const ws = workspace();
const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
  ws.remove();
});

/** A server that answers `answers` requests, then stops listening: the target dies between runs. */
async function dyingServer(answers: number): Promise<{ url: string; received: () => number; closed: Promise<void> }> {
  let received = 0;
  let closed!: () => void;
  const done = new Promise<void>((r) => (closed = r));
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(PAGE);
    if (++received === answers) server.close(() => closed());
  });
  await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1' }, r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, received: () => received, closed: done };
}

test('a target that dies mid-scenario: a warning per failed run, a summary, warnings in the manifest; exit 0 without thresholds', async () => {
  // the reachability request, the warm-up (the level, 20) and the 20 requests of the first run are answered; then it is gone
  const target = await dyingServer(1 + 20 + 20);
  const file = ws.write('dies.yaml', loadScenarioYaml(target.url, { levels: [20], repetitions: 4, cooldown: '200ms', name: 'dies' }));
  const r = await runCli(['run', file, '--out', ws.results]);
  await target.closed;
  assert.equal(r.code, 0, r.err.join('\n'));
  const err = r.err.join('\n');
  for (const rep of [2, 3, 4]) assert.match(err, new RegExp(`dies  level 20  rep ${rep}/4 .* loss 20 `));
  const perRun = r.err.filter(
    (l) =>
      l === 'warning: target: all 20 requests failed (errors 20, timeouts 0, non2xx 0; 20 refused: ECONNREFUSED); is the target still up?',
  );
  assert.equal(perRun.length, 3, err);
  const summary =
    'dies: the target failed 3 of 4 runs, the first at level 20 rep 2 (3 with no request answered, 0 mostly refused); their figures measure the failure, not the target';
  assert.ok(r.err.includes(`warning: ${summary}`), err);

  const dir = r.last;
  const m = ws.manifest(dir);
  assert.equal(m.status, 'complete');
  assert.deepEqual(m.warnings, [summary]);
  const samples = ws.samples(dir);
  assert.equal(samples[0].warnings, undefined, 'the answered run has no warning');
  for (const s of samples.slice(1)) assert.match(s.warnings.join(), /all 20 requests failed/);

  // the report says the scenario's name once (it said `dies: dies: the target failed …`)
  const out = join(ws.dir, 'report-dies');
  const rep = await runCli(['report', dir, '--out', out]);
  assert.equal(rep.code, 0, rep.err.join('\n'));
  assert.ok(rep.err.includes(`warning: ${summary}`), rep.err.join('\n'));
  const md = readFileSync(join(out, 'summary.md'), 'utf8');
  assert.ok(md.includes(summary), md);
  assert.ok(!`${rep.err.join('\n')}\n${md}`.includes('dies: dies:'), 'the name is not repeated');
});

test('the same with a loss threshold: exit 1, each breach named, every run stored', async () => {
  const target = await dyingServer(1 + 20 + 20);
  const yaml = loadScenarioYaml(target.url, {
    levels: [20],
    repetitions: 3,
    cooldown: '200ms',
    name: 'dies-gated',
    more: 'thresholds: { loss: 0 }',
  });
  const file = ws.write('dies-gated.yaml', yaml);
  const r = await runCli(['run', file, '--out', ws.results]);
  await target.closed;
  assert.equal(r.code, 1, r.err.join('\n'));
  assert.equal(r.err.at(-1), 'lb-bench: 2 threshold breaches; every run is stored');
  assert.equal(ws.samples(r.last).length, 3);
});

test('a run that failed mostly on refused connections is warned about; one that was answered is not', () => {
  const answered = sample(100, 1, 1, { completed: 100, loss: 0, errors: 0 });
  assert.equal(targetWarning(answered), null);
  const fewResets = sample(100, 1, 1, { completed: 97, loss: 3, errors: 3, error_codes: { ECONNRESET: 3 } });
  assert.equal(targetWarning(fewResets), null);
  const refused = sample(100, 1, 1, { completed: 40, loss: 60, errors: 60, timeouts: 0, error_codes: { ECONNREFUSED: 55, ECONNRESET: 5 } });
  assert.equal(targetWarning(refused), 'target: 55 of 100 requests were refused (ECONNREFUSED); is the target still up?');
  const timedOut = sample(100, 2, 1, { completed: 0, loss: 100, errors: 0, timeouts: 100 });
  assert.equal(targetWarning(timedOut), 'target: all 100 requests failed (errors 0, timeouts 100, non2xx 0); is the target still up?');
  assert.equal(
    targetSummary('x', [answered, refused, timedOut]),
    'x: the target failed 2 of 3 runs, the first at level 100 rep 1 (1 with no request answered, 1 mostly refused); their figures measure the failure, not the target',
  );
  assert.equal(targetSummary('x', [answered]), null);
});

test("the reachability request and the warm-up are in the manifest, and the server's count reconciles with requested", async () => {
  const server = await startServer('ok');
  servers.push(server);
  const file = ws.write('counted.yaml', loadScenarioYaml(server.url, { levels: [5, 10], repetitions: 2, name: 'counted' }));
  const r = await runCli(['run', file, '--out', ws.results]);
  assert.equal(r.code, 0, r.err.join('\n'));
  await server.idle();
  const dir = r.last;
  const m = ws.manifest(dir);
  const samples = ws.samples(dir);
  const requested = samples.reduce((n: number, s: { requested: number }) => n + s.requested, 0);
  // the warm-up: a burst of the smallest level (5), in no sample's figures
  assert.deepEqual([m.warmup.requested, m.warmup.completed, m.warmup.loss], [5, 5, 0]);
  assert.equal(server.received, requested + 1 + 5, 'every request the server saw: the runs, the one before them and the warm-up');
  assert.equal(m.preflight.status, 200);
  assert.ok(m.preflight.time_ms > 0 && m.preflight.time_ms < 60_000, String(m.preflight.time_ms));
  // bytes as a sample counts them (headers and body): with the runs', every byte the server sent
  const runBytes = samples.reduce((n: number, s: { bytes: number }) => n + s.bytes, 0);
  assert.equal(m.preflight.bytes, server.bytesSent - runBytes - m.warmup.bytes);
  assert.ok(m.warmup.bytes > 5 * PAGE.length);
  assert.ok(m.preflight.bytes > PAGE.length);

  // a resume that has a run to do (the last one is taken out) sends its own request, and records it beside the first
  const lines = readFileSync(join(dir, 'samples.jsonl'), 'utf8').split('\n').filter(Boolean);
  writeFileSync(join(dir, 'samples.jsonl'), lines.slice(0, -1).join('\n') + '\n');
  const again = await runCli(['run', file, '--out', ws.results, '--resume', dir]);
  assert.equal(again.code, 0, again.err.join('\n'));
  await server.idle();
  // a resume is a new process: its own warm-up, recorded in its `resumes` entry
  assert.equal(server.received, requested + 1 + 5 + 1 + 5 + JSON.parse(lines.at(-1)!).requested);
  const m2 = ws.manifest(dir);
  assert.deepEqual(m2.preflight, m.preflight);
  assert.equal(m2.resumes.length, 1);
  assert.equal(m2.resumes[0].preflight.status, 200);
  assert.equal(m2.resumes[0].warmup.requested, 5);
  assert.deepEqual(m2.warmup, m.warmup, "the first invocation's warm-up is kept as it was");
  assert.ok(!Number.isNaN(Date.parse(m2.resumes[0].started_at)));
});
