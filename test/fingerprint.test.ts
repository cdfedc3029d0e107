/**
 * Machine fingerprints (src/results/fingerprint.ts): written by `run`, derived for folders written
 * before them, and compare's gate by them — absolute figures are gated only between runs of one
 * machine, portable ones (ratios to a reference, loss per request, failover downtime and availability) always. Stored run
 * folders in temp dirs, through the whole CLI in-process, as test/compare.test.ts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fingerprintDifferences, fingerprintOf, type Fingerprint } from '../src/results/fingerprint.js';
import { systemChanges, systemOf } from '../src/results/system.js';
import { readRun } from '../src/kinds/run-folders.js';
import type { Manifest } from '../src/results/types.js';
import type { RunSample } from '../src/kinds/load/sample.js';
import type { LoadScenario } from '../src/kinds/load/scenario.js';
import { runCli } from './helpers/cli.js';
import { fileServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { failoverScenario, manifest, sample, scenario, writeFailoverRun, writeRun } from './report-fixtures.js';

const BASELINES = resolve(import.meta.dirname, '../../baselines/lab-quick');
const ws = workspace();
after(() => ws.remove());
const server = fileServer();

const LAB_SERVERS = { haproxy: 'HAProxy version 2.6.12', nginx: 'nginx version: nginx/1.22.1', apache2: 'Apache/2.4.71' };
const machineX: Partial<Manifest<LoadScenario>> = {
  host: { hostname: 'night-1', cpus: 2, cpu_model: 'AMD EPYC 7763', memory_gb: 7.8 },
  os: { platform: 'linux', release: '6.8.0-1017-azure', kernel: '#20', arch: 'x64' },
  servers: { web1: LAB_SERVERS, web2: LAB_SERVERS },
  generator: { engine: 'net', workers: 0, workers_by_level: {} },
};
/** the same machine type under another hostname: a fresh runner of the same kind */
const machineX2: Partial<Manifest<LoadScenario>> = { ...machineX, host: { ...machineX.host!, hostname: 'night-2', memory_gb: 7.7 } };
const machineY: Partial<Manifest<LoadScenario>> = { ...machineX, host: { ...machineX.host!, cpu_model: 'Intel Xeon Platinum 8370C' } };

/** Five repetitions at 1000: rps about `rps`, `lost` requests lost in each. */
function runs(rps: number, lost: number): RunSample[] {
  return [-2, -1, 0, 1, 2].map((d, i) =>
    sample(1000, i + 1, 1, { rps: rps + d, loss: lost + (i % 2), errors: lost + (i % 2), completed: 1000 - lost - (i % 2) }),
  );
}
const load = { ...scenario('x').load, levels: [1000], repetitions: 5 };

interface Row {
  metric: string;
  level: number;
  verdict: string;
  gated: boolean;
  portable: boolean;
  not_gated: string | null;
}
interface Out {
  comparisons: { b: { scenario: string }; rows: Row[]; machines: { same: boolean; differences: string[]; a: string; b: string } }[];
  gate: { breaches: { metric: string }[] } | null;
}

test('run writes the fingerprint of this machine and its engine into the manifest', async () => {
  const file = ws.write('fp.yaml', loadScenarioYaml(server.url, { name: 'fp', levels: [5], repetitions: 1 }));
  const r = await runCli(['run', file, '--out', ws.results]);
  assert.equal(r.code, 0, r.err.join('\n'));
  const m = ws.manifest(ws.runFolders()[0]);
  const fp: Fingerprint = m.fingerprint;
  assert.match(fp.id, /^[0-9a-f]{12}$/);
  assert.deepEqual(
    [fp.cpu_model, fp.cpus, fp.kernel, fp.engine, fp.calibration, 'servers' in fp],
    [os.cpus()[0].model.trim(), os.cpus().length, os.release(), 'net', null, false],
  );
  assert.equal(fp.memory_gb, m.host.memory_gb);
  // the same fields always give the same id, and it is what the reader keeps
  assert.deepEqual(fingerprintOf(m), fp);
  assert.deepEqual((await readRun(ws.runFolders()[0])).manifest.fingerprint, fp);
});

test('folders written before fingerprints get one derived from their manifest; a damaged one is exit 2', async () => {
  // the committed baseline: one machine, the calibrated lab, the same fingerprint for every load run
  const ids = new Set<string>();
  for (const name of readdirSync(BASELINES)) {
    const { manifest: m } = await readRun(join(BASELINES, name));
    const fp = m.fingerprint!;
    assert.deepEqual([fp.cpu_model, fp.cpus, fp.calibration], ['AMD EPYC', 2, { web_cpus: 0.26, target_rps: 1428.161 }], name);
    assert.deepEqual(fingerprintOf(m), fp, 'what is stored is what its fields give');
    if (m.scenario.kind !== 'load') continue;
    assert.equal(fp.engine, 'net');
    // what was measured is the system under test, derived from the manifest's servers
    assert.equal(m.system?.servers?.haproxy, 'HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/');
    ids.add(fp.id);
  }
  assert.equal(ids.size, 1, 'one machine made the whole baseline');

  const old = writeRun(ws.dir + '/old', scenario('old', { load }), runs(100, 0), { ...machineX, fingerprint: undefined });
  assert.equal(JSON.parse(readFileSync(join(old.dir, 'manifest.json'), 'utf8')).fingerprint, undefined);
  const derived = (await readRun(old.dir)).manifest.fingerprint!;
  assert.deepEqual(derived, fingerprintOf({ ...manifest(scenario('old'), 5), ...machineX }));

  const m = JSON.parse(readFileSync(join(old.dir, 'manifest.json'), 'utf8'));
  writeFileSync(join(old.dir, 'manifest.json'), JSON.stringify({ ...m, fingerprint: { ...derived, cpus: 'two' } }));
  const r = await runCli(['report', old.dir, '--out', join(ws.dir, 'rep')]);
  assert.equal(r.code, 2);
  assert.equal(r.err[0], `lb-bench: ${join(old.dir, 'manifest.json')}: fingerprint.cpus: must be a number, got "two"`);
});

test('fingerprints: what differs is named; memory within 5 %; the calibration when present; the servers are the system under test, not the machine', () => {
  const fp = (patch: object) => fingerprintOf({ ...manifest(scenario('a'), 1), ...machineX, ...patch });
  const x = fp({});
  assert.deepEqual(fingerprintDifferences(x, fp(machineX2)), [], 'another hostname, 7.7 against 7.8 GiB');
  assert.notEqual(x.id, fp(machineX2).id, 'the id names the exact fields; the match allows for memory');
  assert.deepEqual(fingerprintDifferences(x, fp(machineY)), ['cpu_model "AMD EPYC 7763" vs "Intel Xeon Platinum 8370C"']);
  assert.deepEqual(fingerprintDifferences(x, fp({ host: { ...machineX.host!, memory_gb: 15.6 } })), ['memory_gb 7.8 vs 15.6']);
  // the servers' versions and the hosts' kernels are what is measured: another machine they are not
  const upgraded = { web1: { ...LAB_SERVERS, haproxy: 'HAProxy version 3.0.1', kernel: '6.8.0-40' }, web2: LAB_SERVERS };
  assert.deepEqual(fingerprintDifferences(x, fp({ servers: upgraded })), []);
  assert.equal(fp({ servers: upgraded }).id, x.id);
  const sut = (servers: Manifest<LoadScenario>['servers']) => systemOf({ scenario: scenario('a'), servers });
  assert.deepEqual(systemChanges(sut(machineX.servers), sut(upgraded)), ['haproxy 2.6.12 → 2.6.12 | 3.0.1']);
  // single reads only the web servers' versions, haproxy-rr the balancers' too: not a change
  assert.deepEqual(systemChanges(sut(machineX.servers), sut({ web1: { apache2: 'Apache/2.4.71' } })), []);
  assert.deepEqual(fingerprintDifferences(x, fp({ generator: undefined })), ['engine "net" vs (not recorded)']);
  const calibrated = fp({ calibration: { web_cpus: 0.25, target_rps: 1428, measured_rps: 1431.2, headroom: {}, machine: {}, at: 'x' } });
  assert.deepEqual(calibrated.calibration, { web_cpus: 0.25, target_rps: 1428 });
  // another night's measurement of the same choice is the same machine; another share is not
  const again = fp({ calibration: { web_cpus: 0.25, target_rps: 1428, measured_rps: 1390, at: 'y' } });
  assert.deepEqual(fingerprintDifferences(calibrated, again), []);
  assert.deepEqual(fingerprintDifferences(calibrated, fp({ calibration: { web_cpus: 0.4, target_rps: 1428 } })), [
    'calibration {"target_rps":1428,"web_cpus":0.25} vs {"target_rps":1428,"web_cpus":0.4}',
  ]);
});

/** A: rps 100, 1 or 2 lost of 1000; B: rps 90 (−10 %), 40 or 41 lost: both significantly worse (p 0.008). */
function pair(machineB: Partial<Manifest<LoadScenario>>) {
  const results = join(ws.dir, `pair-${Math.random().toString(36).slice(2)}`);
  const a = writeRun(results, scenario('base', { load }), runs(100, 1), machineX, '2026-01-01T02:00:00.000Z');
  const b = writeRun(results, scenario('base', { load }), runs(90, 40), machineB, '2026-01-02T02:00:00.000Z');
  return { results, a: a.dir, b: b.dir };
}

test('compare A B on two machines: absolute figures shown, not gated; the portable loss per request gated', async () => {
  const f = pair(machineY);
  const r = await runCli(['compare', f.a, f.b, '--fail-on-regression', '5', '--metric', 'rps', 'loss_ratio', '--verbose']);
  assert.equal(r.code, 1, r.err.join('\n'));
  const line = 'different machine: absolute figures shown, not gated (cpu_model "AMD EPYC 7763" vs "Intel Xeon Platinum 8370C")';
  assert.ok(r.out.includes(line), r.out.join('\n'));
  assert.ok(r.err.includes(`base: ${f.a.split('/').at(-1)} vs ${f.b.split('/').at(-1)}: ${line}`), r.err.join('\n'));
  assert.match(r.out.join('\n'), /^rps: Requests per second \(req\/s, higher is better\) — not gated: different machine$/m);
  assert.match(r.out.join('\n'), /^loss_ratio: Loss per request \(fraction of requests, lower is better, portable\)$/m);
  const breaches = r.err.filter((l) => l.startsWith('regression: '));
  assert.equal(breaches.length, 1, breaches.join('\n'));
  assert.match(breaches[0], /loss_ratio at level 1000: \+\d+.*worse by more than 5 %$/);

  // `portable` names every portable metric, whatever it is called
  const json = JSON.parse((await runCli(['compare', f.a, f.b, '--json', '--metric', 'rps', 'portable'])).out.join('\n')) as Out;
  const c = json.comparisons[0];
  assert.equal(c.machines.same, false);
  assert.deepEqual(
    c.rows.map((x) => [x.metric, x.verdict, x.portable, x.gated, x.not_gated]),
    [
      ['rps', 'worse', false, false, 'different machine'],
      ['loss_ratio', 'worse', true, true, null],
    ],
  );
  // the CSV says it per row too
  const csv = (await runCli(['compare', f.a, f.b, '--format', 'csv', '--metric', 'rps', 'loss_ratio'])).out;
  assert.deepEqual(
    csv.slice(1).map((l) => [l.split(',')[4], l.split(',')[csv[0].split(',').indexOf('gated')]]),
    [
      ['rps', 'no'],
      ['loss_ratio', 'yes'],
    ],
  );
});

test('compare A B on one machine (another hostname): every figure gated, no machine line', async () => {
  const f = pair(machineX2);
  const r = await runCli(['compare', f.a, f.b, '--fail-on-regression', '5', '--metric', 'rps', 'loss_ratio']);
  assert.equal(r.code, 1);
  assert.ok(!r.out.join('\n').includes('different machine'), r.out.join('\n'));
  assert.deepEqual(
    r.err.filter((l) => l.startsWith('regression: ')).map((l) => /: (\w+) at level/.exec(l)?.[1]),
    ['rps', 'loss_ratio'],
  );
});

test('--baseline: gated by fingerprint per scenario; a folder without one is read by its derived fingerprint', async () => {
  const base = join(ws.dir, 'night-base');
  const current = join(ws.dir, 'night-current');
  // same: written before fingerprints, on machine X; other: machine Y
  writeRun(base, scenario('same', { load }), runs(100, 1), { ...machineX, fingerprint: undefined });
  writeRun(base, scenario('other', { load }), runs(100, 1), machineY);
  writeRun(current, scenario('same', { load }), runs(90, 1), machineX2);
  writeRun(current, scenario('other', { load }), runs(90, 1), machineX);
  const r = await runCli(['compare', '--baseline', base, '--results', current, '--fail-on-regression', '5', '--metric', 'rps', '--json']);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.out.join('\n')) as Out;
  assert.deepEqual(
    out.comparisons.map((c) => [c.b.scenario, c.machines.same, c.rows[0].gated]),
    [
      ['other', false, false],
      ['same', true, true],
    ],
  );
  assert.deepEqual(
    out.gate!.breaches.map((b) => b.metric),
    ['rps'],
    'only the scenario measured on one machine breaches',
  );
  assert.ok(
    r.err.some((l) => /^other: baseline vs current: different machine: .*cpu_model "Intel Xeon Platinum 8370C" vs "AMD EPYC 7763"/.test(l)),
  );
});

test('failover downtime and availability are portable: gated between machines', async () => {
  const results = join(ws.dir, 'fo');
  const a = writeFailoverRun(results, failoverScenario('failover'), [600, 610, 620, 615, 605], '2026-01-01T02:00:00.000Z');
  const b = writeFailoverRun(results, failoverScenario('failover'), [900, 910, 920, 915, 905], '2026-01-02T02:00:00.000Z');
  const m = JSON.parse(readFileSync(join(b.dir, 'manifest.json'), 'utf8'));
  const other = { ...m, host: { ...m.host, cpu_model: 'other' }, fingerprint: undefined };
  writeFileSync(join(b.dir, 'manifest.json'), JSON.stringify(other));
  const r = await runCli(['compare', a.dir, b.dir, '--fail-on-regression', '5', '--json']);
  assert.equal(r.code, 1, r.err.join('\n'));
  const out = JSON.parse(r.out.join('\n')) as Out;
  assert.equal(out.comparisons[0].machines.same, false);
  const gated = Object.fromEntries(out.comparisons[0].rows.map((x) => [x.metric, x.gated]));
  assert.equal(gated['downtime_ms.http'], true);
  assert.equal(gated['availability.http'], true);
  // downtime +49 %; availability −2.8 %, under the 5 %
  assert.deepEqual(
    out.gate!.breaches.map((x) => x.metric),
    ['downtime_ms.http'],
  );
});

test('ratios to a reference run together are portable: speedup gated between machines, rps not', async () => {
  const results = join(ws.dir, 'ratios');
  // A: 100 req/s against a reference's 50 (speedup 2.0); B on another machine: 90 against 50 (1.8, −10 %)
  const a = writeRun(results, scenario('fast', { load }), runs(100, 0), machineX, '2026-01-01T02:00:00.000Z');
  const b = writeRun(results, scenario('fast', { load }), runs(90, 0), machineY, '2026-01-02T02:00:00.000Z');
  for (const dir of [a.dir, b.dir]) {
    const reference = runs(50, 0).map((s) => JSON.stringify({ ...s, rps: 50 + (s.repetition % 2) * 0.5 }));
    writeFileSync(join(dir, 'reference.jsonl'), reference.join('\n') + '\n');
  }
  const r = await runCli(['compare', a.dir, b.dir, '--fail-on-regression', '5', '--json', '--metric', 'rps', 'speedup']);
  assert.equal(r.code, 1, r.err.join('\n'));
  const c = (JSON.parse(r.out.join('\n')) as Out).comparisons[0];
  assert.equal(c.machines.same, false);
  assert.deepEqual(
    c.rows.map((x) => [x.metric, x.verdict, x.portable, x.gated]),
    [
      ['rps', 'worse', false, false],
      ['speedup', 'worse', true, true],
    ],
  );
  assert.deepEqual(
    (JSON.parse(r.out.join('\n')) as Out).gate!.breaches.map((x) => x.metric),
    ['speedup'],
  );
});
