/**
 * Worker processes (`load.workers`): a level split over real child processes against a server that
 * counts, merged exactly; a worker that dies is a named error of the run; the split and `auto`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { startLoad } from '../src/load/engine.js';
import type { LoadOutcome } from '../src/load/engine-types.js';
import { ENGINE_NAMES } from '../src/load/engines/registry.js';
import { autoWorkers, spread, splitShare, workersFor, CONNECTIONS_PER_WORKER } from '../src/load/workers/split.js';
import { endIdleWorkers } from '../src/load/workers/pool.js';
import { toSample } from '../src/kinds/load/run-sample.js';
import { histogramSummary, newHistogram, recordMs } from '../src/load/histogram.js';
import { LbError } from '../src/errors.js';
import { runCli, spawnCli } from './helpers/cli.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { closedPort, startServer, type Behaviour, type TestServer } from './helpers/http-server.js';
import { ephemeralPorts, openFileLimit } from '../src/load/limits.js';

const servers: TestServer[] = [];
const ws = workspace();
after(async () => {
  for (const s of servers) await s.close();
  ws.remove();
});

async function server(behaviour: Behaviour, opts?: { delayMs?: number }): Promise<TestServer> {
  const s = await startServer(behaviour, opts);
  servers.push(s);
  return s;
}

/** Nearest rank over every latency, as whole microseconds (what the histogram keeps): integer arithmetic, no rounding. */
function exactPercentile(sortedUs: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p * sortedUs.length) / 100));
  return sortedUs[rank - 1]! / 1000;
}

for (const engine of ENGINE_NAMES) {
  for (const workers of [2, 4]) {
    test(`[${engine}] ${workers} workers against a counting server: the invariant exact per worker and in total, percentiles of every request`, async () => {
      const s = await server('fail-every-10th');
      const level = 1003; // not a multiple of the workers: the remainder is spread
      const latencies: number[] = [];
      const run = startLoad({
        url: s.url,
        requests: level,
        connections: level,
        timeoutMs: 5000,
        engine,
        workers,
        hooks: { onLatency: (ms) => latencies.push(ms) },
      });
      const o: LoadOutcome = await run.done;
      await run.closed;
      assert.equal(s.received, level, 'the server received exactly the requested count');
      assert.equal(o.requested, level);
      assert.equal(o.completed + o.errors + o.timeouts + o.non2xx, o.requested, 'every request accounted for');
      assert.equal(o.non2xx, Math.floor(level / 10));
      assert.deepEqual(o.anomalies, []);

      const w = o.workers!;
      assert.equal(w.length, workers);
      assert.deepEqual(
        w.map((x) => x.requested),
        spread(level, workers),
      );
      for (const x of w)
        assert.equal(x.completed + x.errors + x.timeouts + x.non2xx, x.requested, `worker ${x.worker} accounts for its share`);
      for (const key of ['completed', 'errors', 'timeouts', 'non2xx', 'bytes'] as const) {
        assert.equal(
          w.reduce((a, x) => a + x[key], 0),
          o[key],
          `${key} is the sum of the workers'`,
        );
      }
      assert.equal(
        o.generator_cpu,
        w.reduce((a, x) => a + x.generator_cpu, 0),
        'generator CPU is the workers’ total',
      );
      assert.ok(o.duration_s * 1000 >= Math.max(...w.map((x) => x.connect_ms ?? 0)), 'the window holds the slowest connect phase');
      for (const x of w) assert.ok(x.duration_s <= o.duration_s + 1e-9, `worker ${x.worker}'s window lies within the run's`);

      // merged histograms against every latency of every worker: the same as one histogram of
      // them all, and the exact nearest-rank values to the histogram's resolution (to the
      // microsecond below 262 ms, within 1/131072 of the value above)
      assert.equal(latencies.length, o.completed);
      const all = newHistogram(5000);
      for (const ms of latencies) recordMs(all, ms);
      assert.deepEqual(o.latency_ms, histogramSummary(all));
      const us = latencies.map((ms) => Math.round(ms * 1000)).sort((a, b) => a - b);
      const exact = { p50: exactPercentile(us, 50), p90: exactPercentile(us, 90), p99: exactPercentile(us, 99), max: us.at(-1)! / 1000 };
      for (const k of ['p50', 'p90', 'p99', 'max'] as const) {
        const got = o.latency_ms[k]!;
        const resolution = exact[k] < 262.144 ? 0 : exact[k] * 2 ** -17;
        assert.ok(got >= exact[k] && got - exact[k] <= resolution + 1e-9, `${k}: ${got} is ${exact[k]} to the histogram's resolution`);
      }

      const sample = toSample(level, 1, o);
      assert.equal(sample.workers?.length, workers, 'each worker’s share is in the sample');
      assert.equal(sample.warnings, undefined);
    });
  }
}

/** a process's children that are load workers */
function workerPids(parent: number | 'self' = 'self'): number[] {
  const pids: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${parent}/task`);
  } catch {}
  for (const task of tasks) {
    let children = '';
    try {
      children = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const pid of children.split(/\s+/).filter(Boolean).map(Number)) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('workers/main.js')) pids.push(pid);
      } catch {}
    }
  }
  return pids;
}

test('a worker killed during the run fails the run, named: which worker, its signal; the others are stopped', async () => {
  await endIdleWorkers(); // the earlier tests' workers, waiting for a next run
  const s = await server('ok', { delayMs: 5000 });
  const run = startLoad({ url: s.url, requests: 40, connections: 40, timeoutMs: 10_000, engine: 'net', workers: 2 });
  const failed = run.done.then(
    () => null,
    (e: unknown) => e,
  );
  // every worker has sent: the requests are at the server, which holds them
  while (s.received < 40) await new Promise((r) => setTimeout(r, 20));
  const pids = workerPids();
  assert.equal(pids.length, 2, `two workers running: ${pids.join(', ')}`);
  process.kill(pids[1]!, 'SIGKILL');
  const e = await failed;
  assert.ok(e instanceof LbError, `the run failed: ${String(e)}`);
  assert.equal(e.code, 3);
  assert.match(e.message, new RegExp(`^worker \\d of 2 \\(pid ${pids[1]}\\) was killed by SIGKILL before it reported its result`));
  await run.closed;
  assert.deepEqual(workerPids(), [], 'no worker is left behind');
});

test('workers stay up between runs (their engine stays compiled), and end when told or idle', async () => {
  await endIdleWorkers();
  const s = await server('ok');
  const once = async () => {
    const run = startLoad({ url: s.url, requests: 100, connections: 100, timeoutMs: 5000, engine: 'net', workers: 2 });
    assert.equal((await run.done).completed, 100);
    await run.closed;
  };
  await once();
  const first = workerPids().sort();
  assert.equal(first.length, 2, 'two workers wait for the next run');
  await once();
  assert.deepEqual(workerPids().sort(), first, 'the next run used the same two');
  await endIdleWorkers();
  assert.deepEqual(workerPids(), []);
});

test('a worker that crashes: its exit code and its error line are in the error', async () => {
  await endIdleWorkers();
  // autocannon refuses this method by throwing inside the worker, which ends it with code 1
  const run = startLoad({
    url: 'http://127.0.0.1:1/',
    method: 'FOO',
    requests: 4,
    connections: 4,
    timeoutMs: 1000,
    engine: 'autocannon',
    workers: 2,
  });
  await assert.rejects(run.done, (e: unknown) => {
    assert.ok(e instanceof LbError);
    assert.match(
      e.message,
      /^worker \d of 2 \(pid \d+\) exited with code 1 before it reported its result; its stderr: Error: .*FOO HTTP method is not supported$/,
    );
    return true;
  });
  await run.closed;
  assert.deepEqual(workerPids(), []);
});

test('the split: requests and connections spread, sums kept, no worker without a connection', () => {
  assert.deepEqual(spread(10, 4), [3, 3, 2, 2]);
  const shares = splitShare({ url: 'http://x/', requests: 1003, connections: 5, timeoutMs: 1000 }, 4);
  assert.deepEqual(
    shares.map((s) => [s.requests, s.connections]),
    [
      [251, 2],
      [251, 1],
      [251, 1],
      [250, 1],
    ],
  );
  assert.equal(splitShare({ url: 'http://x/', requests: 1000, connections: 2, timeoutMs: 1000 }, 4).length, 2);
  assert.equal(workersFor(1000, { workers: 8, concurrency: 3 }), 3);
  assert.equal(workersFor(1000, { workers: 0, concurrency: 'all' }), 0);
});

test('auto: a worker per CONNECTIONS_PER_WORKER connections up to the cores, more where the open-file limit requires', () => {
  assert.equal(autoWorkers(1000, 2, 20_000), 1);
  assert.equal(autoWorkers(CONNECTIONS_PER_WORKER + 1, 2, 20_000), 2);
  assert.equal(autoWorkers(10 * CONNECTIONS_PER_WORKER, 2, 20_000), 3, '50 000 sockets need three processes under 20 000 files each');
  assert.equal(autoWorkers(10 * CONNECTIONS_PER_WORKER, 16, 1_000_000), 10);
});

test('lb-bench run with workers: auto: the choice in the manifest, each worker’s share in samples.jsonl', async () => {
  const s = await server('ok');
  const file = ws.write(
    'auto.yaml',
    loadScenarioYaml(s.url, { levels: [30], repetitions: 1, name: 'auto-workers', more: '  workers: auto\n  engine: net' }),
  );
  const r = await runCli(['run', file, '--out', ws.results]);
  assert.equal(r.code, 0, r.err.join('\n'));
  const m = ws.manifest(r.last);
  assert.deepEqual(m.generator, { engine: 'net', workers: 'auto', workers_by_level: { '30': 1 } });
  const [sample] = ws.samples(r.last);
  assert.equal(sample.workers.length, 1);
  assert.equal(sample.workers[0].requested, 30);
  assert.equal(sample.completed, 30);
  assert.equal(typeof sample.connect_ms, 'number');
});

test('the open-file limit applies per worker: a level one process cannot hold runs over two', async (t) => {
  const fd = openFileLimit();
  const level = fd ? fd.hard - 100 : NaN; // over what one process may open, with lb-bench's margin
  if (!Number.isFinite(level) || level < 1000 || level > (ephemeralPorts() ?? Infinity))
    return t.skip(`open-file limit ${fd?.hard} does not allow this test here`);
  const target = `http://127.0.0.1:${await closedPort()}/`;
  const one = ws.write('fd-one.yaml', loadScenarioYaml(target, { levels: [level], repetitions: 1, name: 'fd-one' }));
  let r = await runCli(['run', one, '--out', ws.results]);
  assert.equal(r.code, 3, r.err.join('\n'));
  assert.match(
    r.err[0]!,
    new RegExp(`${level} simultaneous connections need about ${level + 256} open files, but this process may open at most ${fd!.hard}`),
  );
  // two workers hold half each: the check passes, and the next one (the target is down) speaks
  const two = ws.write('fd-two.yaml', loadScenarioYaml(target, { levels: [level], repetitions: 1, name: 'fd-two', more: '  workers: 2' }));
  r = await runCli(['run', two, '--out', ws.results]);
  assert.equal(r.code, 3, r.err.join('\n'));
  assert.match(r.err[0]!, /is unreachable \(ECONNREFUSED\)/);
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('Ctrl-C during a run over workers: exit 130, and no worker outlives lb-bench', async () => {
  const s = await server('ok', { delayMs: 3000 });
  const file = ws.write(
    'sigint-workers.yaml',
    loadScenarioYaml(s.url, { levels: [20], repetitions: 2, name: 'sigint-workers', timeout: '10s', more: '  workers: 2' }),
  );
  const { child, exited, stderr } = spawnCli(['run', file, '--out', ws.results]);
  // the first run is in flight: the server holds its requests
  while (s.received < 1 + 20) await new Promise((r) => setTimeout(r, 20));
  const pids = workerPids(child.pid!);
  assert.equal(pids.length, 2, `two workers under lb-bench: ${pids.join(', ')}`);
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr());
  assert.match(stderr(), /interrupted: 0 of 2 runs are kept/);
  const deadline = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(pids.filter(alive), [], 'every worker has ended');
});
