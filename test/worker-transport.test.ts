/**
 * Worker transports (src/load/workers/transports/): generators reached by a command that opens
 * stdio to a worker, as `kubectl exec -i`, `podman exec -i` or `ip netns exec` do. Here the
 * command runs this checkout's own `lb-bench worker` through env(1), so the whole way is real:
 * a child process, the worker protocol on its pipes, a server on 127.0.0.1 that counts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { assertExactMerge, sum } from './helpers/merge.js';
import { runCli } from './helpers/cli.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { endIdleWorkers, firstRequestAfterRelease } from '../src/load/workers/pool.js';
import { startFigures } from '../src/load/workers/merge.js';

const BIN = resolve(import.meta.dirname, '../../bin/lb-bench.js');
const WORKER = ['env', process.execPath, BIN, 'worker'];
const flow = (words: string[]) => `[${words.map((w) => JSON.stringify(w)).join(', ')}]`;

describe('generators reached by a command', () => {
  const ws = workspace();
  let target: TestServer;
  before(async () => {
    target = await startServer('ok');
  });
  after(async () => {
    await endIdleWorkers();
    await target?.close();
    ws.remove();
  });

  const inventory = (hosts: Record<string, string>) =>
    ws.write(
      `inventory-${Object.keys(hosts).join('-')}.yaml`,
      'hosts:\n' +
        Object.entries(hosts)
          .map(([name, body]) => `  ${name}:\n${body.replace(/^/gm, '    ')}\n`)
          .join(''),
    );
  const scenario = (name: string, inv: string, load: string, levels = [200, 301]) =>
    ws.write(`${name}.yaml`, loadScenarioYaml(target.url, { levels, repetitions: 2, name, inventory: inv, load }));

  test('two generators: every request accounted for, the server counted each, the merge exact, the start skew recorded', async () => {
    const inv = inventory({ gen1: `transport: { command: ${flow(WORKER)} }`, gen2: `transport: { command: ${flow(WORKER)} }` });
    const file = scenario('cmd', inv, '  generators: [gen1, gen2]\n');
    const before = target.received;
    const r = await runCli(['run', file, '--out', ws.results]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const samples = ws.samples(r.last);
    assert.equal(samples.length, 4);
    for (const s of samples) {
      assertExactMerge(s, ['gen1', 'gen2']);
      const shares = s.workers.map((w: { requested: number }) => w.requested);
      assert.ok(Math.max(...shares) - Math.min(...shares) <= 1, `shares ${shares}`);
      // start skew: each worker's first request after the release and after the earliest worker's
      for (const w of s.workers) {
        assert.ok(Number.isFinite(w.start_ms) && w.start_ms >= 0, `start_ms ${w.start_ms}`);
        assert.ok(
          Number.isFinite(w.start_skew_ms) && w.start_skew_ms >= 0 && w.start_skew_ms <= w.start_ms,
          `start_skew_ms ${w.start_skew_ms}`,
        );
        assert.ok(Number.isFinite(w.go_round_trip_ms) && w.go_round_trip_ms >= 0, `go_round_trip_ms ${w.go_round_trip_ms}`);
      }
      assert.equal(Math.min(...s.workers.map((w: { start_skew_ms: number }) => w.start_skew_ms)), 0, 'the earliest worker is the zero');
      assert.equal(s.start_skew_ms, Math.max(...s.workers.map((w: { start_skew_ms: number }) => w.start_skew_ms)));
      console.log(
        `# command transport, level ${s.level}: start skew ${s.start_skew_ms} ms (first requests at ${s.workers.map((w: { start_ms: number }) => w.start_ms).join(', ')} ms after the release)`,
      );
    }
    await target.idle();
    const requested = sum(samples.map((s: { requested: number }) => s.requested));
    const warmup = ws.manifest(r.last).warmup.requested;
    assert.equal(warmup, 200, 'the warm-up: the smallest level, sent by the same generators');
    assert.equal(
      target.received - before,
      requested + 1 + warmup,
      'the server saw every request, the one before the first run and the warm-up',
    );
    assert.deepEqual(ws.manifest(r.last).generator.hosts, ['gen1', 'gen2']);
    assert.match(r.err.join('\n') + r.out.join('\n'), /start skew [\d.]+ m?s/, 'the run line reports the start skew');
  });

  test('workers on this machine record their start skew too', async () => {
    const file = ws.write(
      'local2.yaml',
      loadScenarioYaml(target.url, { levels: [300], repetitions: 1, name: 'local2', load: '  workers: 2\n' }),
    );
    const r = await runCli(['run', file, '--out', ws.results]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const [s] = ws.samples(r.last);
    assert.equal(s.workers.length, 2);
    assert.ok(Number.isFinite(s.start_skew_ms) && s.start_skew_ms >= 0);
    console.log(`# local workers: start skew ${s.start_skew_ms} ms`);
  });

  test('a command that is not a worker: exit 3 naming the worker, its host and its exit; no run stored', async () => {
    const inv = inventory({
      gen1: `transport: { command: ${flow(WORKER)} }`,
      gen3: `transport: { command: [sh, -c, 'echo no such pod >&2; exit 1'] }`,
    });
    const file = scenario('dead', inv, '  generators: [gen1, gen3]\n', [20]);
    const r = await runCli(['run', file, '--out', ws.results]);
    assert.equal(r.code, 3, r.err.join('\n'));
    assert.match(r.err.join('\n'), /worker 2 of 2 \(on gen3[^)]*\) exited with code 1 before it started; its stderr: no such pod/);
  });

  const refused = async (name: string, hosts: Record<string, string>, generators: string, line: RegExp) => {
    const file = scenario(name, inventory(hosts), `  generators: ${generators}\n`, [20]);
    const before = target.received;
    const r = await runCli(['run', file, '--out', ws.results]);
    assert.equal(r.code, 2, r.err.join('\n'));
    assert.match(r.err.join('\n'), line);
    assert.equal(target.received, before, 'nothing was sent');
  };

  test('a program that is not there: exit 2 naming the field', () =>
    refused(
      'noprog',
      { gen1: 'transport: { command: [no-such-program-here, exec, -i, pod, --, lb-bench, worker] }' },
      '[gen1]',
      /inventory-gen1\.yaml: hosts\.gen1\.transport\.command\[0\]: no program "no-such-program-here" here/,
    ));

  test("validate checks the generators and their transports' settings; the program only run, where it is needed", async () => {
    const good = scenario('vgood', inventory({ gen1: `transport: { command: ${flow(WORKER)} }` }), '  generators: [gen1]\n', [20]);
    const ok = await runCli(['validate', good]);
    assert.equal(ok.code, 0, ok.err.join('\n'));
    assert.match(ok.out.join('\n'), /inventory .*: 1 host\b/);
    const elsewhere = scenario(
      'velse',
      inventory({ gen2: 'transport: { command: [no-such-program-here, worker] }' }),
      '  generators: [gen2]\n',
      [20],
    );
    const here = await runCli(['validate', elsewhere]);
    assert.equal(here.code, 0, `kubectl may be only where the scenario runs: ${here.err.join('\n')}`);
    const bad = scenario('vbad', inventory({ gen3: 'transport: { command: [] }' }), '  generators: [gen3, gen4]\n', [20]);
    const r = await runCli(['validate', bad]);
    assert.equal(r.code, 2);
    assert.match(r.err.join('\n'), /hosts\.gen3\.transport\.command: must be a list/);
  });

  test('an empty command: exit 2 naming the field', () =>
    refused(
      'empty',
      { gen1: 'transport: { command: [] }' },
      '[gen1]',
      /hosts\.gen1\.transport\.command: must be a list: the program and its arguments/,
    ));

  test('a command as one string: exit 2 saying it must be a list', () =>
    refused(
      'string',
      { gen1: 'transport: { command: "kubectl exec -i pod -- lb-bench worker" }' },
      '[gen1]',
      /hosts\.gen1\.transport\.command: must be a list/,
    ));

  test('two transports at once, or one that does not exist: exit 2', async () => {
    await refused(
      'two',
      { gen1: `transport: { ssh: {}, command: ${flow(WORKER)} }` },
      '[gen1]',
      /hosts\.gen1\.transport: must name one transport: \{ ssh: … \} or \{ command: … \}/,
    );
    await refused('other', { gen1: 'transport: { telnet: {} }' }, '[gen1]', /hosts\.gen1\.transport.*telnet/);
  });

  test('a host with neither ssh nor a transport: exit 2 saying what it needs', () =>
    refused('bare', { gen1: 'lbBench: lb-bench' }, '[gen1]', /hosts\.gen1\.address: is required\n.*hosts\.gen1\.ssh: is required$/m));

  test('a backend on a host reached only by a command: exit 2, its CPU needs SSH', async () => {
    const inv = inventory({ gen1: `transport: { command: ${flow(WORKER)} }` });
    const file = ws.write(
      'backend.yaml',
      loadScenarioYaml(target.url, {
        levels: [20],
        repetitions: 1,
        name: 'backend',
        more: `inventory: ${inv}\nbackends:\n  - host: gen1\n`,
      }),
    );
    const r = await runCli(['run', file, '--out', ws.results]);
    assert.equal(r.code, 2, r.err.join('\n'));
    assert.match(r.err.join('\n'), /backends\[0\]\.host: "gen1" in .* has no `address` and `ssh`, which sampling its CPU needs/);
  });
});

describe('start skew, from literal timings', () => {
  test("a worker's first request: when its go was written, half its round trip, then its own time to the first request", () => {
    assert.equal(firstRequestAfterRelease({ sent: 0.5, roundTrip: 3 }, 2), 4);
    assert.equal(firstRequestAfterRelease(null, 2), null, 'no `going`: no figure');
    assert.equal(firstRequestAfterRelease({ sent: 0, roundTrip: 1 }, null), null, 'no request written: no figure');
  });
  test('the skew is the latest first request after the earliest; unknown unless every worker has one', () => {
    const s = startFigures(
      [
        { at: 4, roundTrip: 2 },
        { at: 1.5, roundTrip: 1 },
        { at: 9, roundTrip: 6 },
      ],
      3,
    );
    assert.deepEqual(s.workers, [
      { start_ms: 4, start_skew_ms: 2.5, go_round_trip_ms: 2 },
      { start_ms: 1.5, start_skew_ms: 0, go_round_trip_ms: 1 },
      { start_ms: 9, start_skew_ms: 7.5, go_round_trip_ms: 6 },
    ]);
    assert.equal(s.skew, 7.5);
    assert.equal(startFigures([{ at: 4, roundTrip: 2 }, null], 2).skew, null);
    assert.equal(startFigures([{ at: 4, roundTrip: 2 }], 1).skew, 0);
  });
});
