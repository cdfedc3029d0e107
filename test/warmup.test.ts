/**
 * The warm-up (`load.warmup`) against a server that counts what it receives: its requests reach
 * the target, are in no sample's figures, and are recorded in the manifest; then the cooldown,
 * before the first run. And the progress line, rounded as a person reads it.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, spawnCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { waitFor } from './helpers/wait.js';
import { DEFAULT_WARMUP_MAX, warmupRequests } from '../src/kinds/load/warmup.js';
import { readable, readableMs } from '../src/io/progress.js';
import { doneLine } from '../src/kinds/load/measure.js';
import type { RunSample } from '../src/kinds/load/sample.js';

const ws = workspace();
let server: TestServer;
before(async () => {
  server = await startServer('ok');
});
after(async () => {
  await server.close();
  ws.remove();
});

const sum = (samples: { requested: number }[]) => samples.reduce((n, s) => n + s.requested, 0);

/** `run` of a scenario against the counting server: its folder, and what the server received during it. */
async function counted(name: string, yaml: string) {
  const file = ws.write(`${name}.yaml`, yaml);
  await server.idle();
  const before = server.received;
  const r = await runCli(['run', file, '--out', ws.results]);
  assert.equal(r.code, 0, r.err.join('\n'));
  await server.idle();
  return { r, received: server.received - before, samples: ws.samples(r.last), manifest: ws.manifest(r.last) };
}

test('a warm-up of 40 requests reaches the server, is in no sample, and is recorded in the manifest', async () => {
  const yaml = loadScenarioYaml(server.url, { levels: [50, 30], repetitions: 2, cooldown: '300ms', name: 'warm', more: '  warmup: 40' });
  const { r, received, samples, manifest } = await counted('warm', yaml);
  assert.equal(samples.length, 4);
  for (const s of samples) {
    assert.equal(s.requested, s.level, 'a sample counts its own requests only');
    assert.equal(s.completed, s.level);
  }
  assert.equal(received, 1 + 40 + sum(samples), 'the reachability request, the warm-up, the runs');
  const w = manifest.warmup;
  assert.deepEqual([w.requested, w.completed, w.loss], [40, 40, 0]);
  assert.ok(w.rps > 0 && w.duration_s > 0 && w.connect_ms >= 0 && w.bytes > 40 * 1500, JSON.stringify(w));
  // the cooldown follows the warm-up as it follows every run: the first run meets the target as the others do
  const warmEnd = Date.parse(w.started_at) + w.duration_s * 1000;
  const first = Math.min(...samples.map((s: RunSample) => Date.parse(s.started_at)));
  assert.ok(first - warmEnd >= 300 - 5, `the first run began ${first - warmEnd} ms after the warm-up ended`);
  assert.ok(
    r.err.some((l) =>
      /^warm {2}warm-up {2}40 requests {2}\d+(\.\d+)? req\/s {2}loss 0 {2}connect [\d.]+ m?s {2}\(left out of the figures\)$/.test(l),
    ),
    r.err.join('\n'),
  );
});

test('without load.warmup, the warm-up is the smallest level (at most 1000); with 0 there is none', async () => {
  const byDefault = await counted('default', loadScenarioYaml(server.url, { levels: [40, 25], repetitions: 1, name: 'default' }));
  assert.equal(byDefault.manifest.warmup.requested, 25);
  assert.equal(byDefault.received, 1 + 25 + 65);
  assert.equal(byDefault.manifest.scenario.load.warmup, undefined, 'the scenario as written: the default is in `warmup`');

  const none = await counted('none', loadScenarioYaml(server.url, { levels: [40, 25], repetitions: 1, name: 'none', more: '  warmup: 0' }));
  assert.equal(none.manifest.warmup, undefined, 'nothing sent, nothing recorded');
  assert.equal(none.received, 1 + 65);
  assert.ok(!none.r.err.some((l) => l.includes('warm-up')));

  assert.equal(warmupRequests({ levels: [5000, 2000] }), DEFAULT_WARMUP_MAX);
  assert.equal(warmupRequests({ levels: [20, 40] }), 20);
  assert.equal(warmupRequests({ levels: [20], warmup: 3000 }), 3000);
});

test('with worker processes the warm-up goes through them, split as a run is', async () => {
  const yaml = loadScenarioYaml(server.url, { levels: [60], repetitions: 1, name: 'workers', more: '  workers: 2\n  warmup: 31' });
  const { received, samples, manifest } = await counted('workers', yaml);
  assert.equal(manifest.warmup.completed, 31);
  assert.equal(samples[0].workers.length, 2);
  assert.equal(received, 1 + 31 + 60);
});

test('Ctrl-C during the warm-up stops it at once: exit 130, nothing measured, no warm-up recorded', async () => {
  // the reachability check is answered at once, then every answer takes 30 s: the signal lands while
  // the warm-up's requests are in flight, and stopping at once is seconds apart from waiting for them
  const slow = await startServer('ok', { delayMs: (nth) => (nth === 1 ? 0 : 30_000) });
  try {
    const file = ws.write(
      'slow.yaml',
      loadScenarioYaml(slow.url, { levels: [5], repetitions: 1, timeout: '40s', name: 'slow', more: '  warmup: 5' }),
    );
    const { child, exited, stderr } = spawnCli(['run', file, '--out', ws.results]);
    await waitFor(() => slow.received >= 1 + 5, { timeout: 20_000, what: 'the warm-up in flight' });
    assert.equal(slow.received, 1 + 5, 'the reachability request, then the warm-up in flight');
    const t0 = Date.now();
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr());
    assert.ok(Date.now() - t0 < 10_000, `it stopped without waiting for the answers (${Date.now() - t0} ms)`);
    assert.match(stderr(), /interrupted: 0 of 1 runs are kept in /);
    const dir = ws.runFolders().find((d) => d.endsWith('-slow'))!;
    const m = ws.manifest(dir);
    assert.equal(m.status, 'interrupted');
    assert.equal(m.warmup, undefined);
    assert.equal(slow.received, 1 + 5, 'no run was sent');
  } finally {
    await slow.close();
  }
});

test('load.warmup must be a whole number of requests: one line naming the field, exit 2, nothing sent', async () => {
  for (const [value, message] of [
    ['-1', 'must be a number of requests: 0 for no warm-up, got -1'],
    ['1.5', 'must be a number of requests: 0 for no warm-up, got 1.5'],
    ['yes', 'must be a number of requests: 0 for no warm-up, got "yes"'],
    ['20000000', 'must be at most 10000000 requests, got 20000000'],
  ]) {
    const file = ws.write('bad.yaml', loadScenarioYaml(server.url, { more: `  warmup: ${value}` }));
    const before = server.received;
    const r = await runCli(['run', file, '--out', ws.results]);
    assert.equal(r.code, 2, r.err.join('\n'));
    assert.deepEqual(r.err, [`lb-bench: ${file}: load.warmup: ${message}`]);
    assert.equal(server.received, before);
  }
});

test('figures as a person reads them: three significant figures, whole numbers kept, seconds from 1000 ms', () => {
  assert.deepEqual([1125.797, 77.811, 99.96, 12.345, 1.5, 0.012345, 0, 23456.7, -3.14159].map(readable), [
    '1126',
    '77.8',
    '100',
    '12.3',
    '1.5',
    '0.0123',
    '0',
    '23457',
    '-3.14',
  ]);
  assert.deepEqual([77.811, 0.4123, 999.4, 1000, 1234.5, 10_000].map(readableMs), [
    '77.8 ms',
    '0.412 ms',
    '999 ms',
    '1 s',
    '1.23 s',
    '10 s',
  ]);
});

test('the line of a finished run: `1125.797 req/s … p99 77.811 ms` reads 1126 req/s … p99 77.8 ms', () => {
  const sample = {
    rps: 1125.797,
    loss: 0,
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    completed: 1000,
    duration_s: 0.888,
    generator_cpu: 40,
    generator_bound: false,
    latency_ms: { p50: 40.123, p90: 70.2, p99: 77.811, max: 80 },
  } as RunSample;
  assert.equal(
    doneLine('single  level 1000  rep 1/5  [1/15]', sample),
    'single  level 1000  rep 1/5  [1/15]  1126 req/s  loss 0  p99 77.8 ms',
  );
  const lossy = { ...sample, rps: 45.678, loss: 3, errors: 1, timeouts: 2, latency_ms: { ...sample.latency_ms, p99: 10_234.5 } };
  assert.equal(doneLine('x', lossy), 'x  45.7 req/s  loss 3 (errors 1, timeouts 2, non2xx 0)  p99 10.2 s');
  const none = { ...sample, completed: 0, latency_ms: { p50: null, p90: null, p99: null, max: null } };
  assert.equal(doneLine('x', none), 'x  1126 req/s  loss 0  p99 -');
});
