/**
 * What measures and what is measured (src/results/fingerprint.ts, src/results/system.ts), and
 * figures judged together: compare on copies of the committed baseline (baselines/lab-quick),
 * edited to hold a known change, through the whole CLI in-process; and `run` against a local
 * server on port 0 for what a new manifest records.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { labConfigsHash } from '../src/lab/configs-hash.js';
import type { Manifest } from '../src/results/types.js';
import type { RunSample } from '../src/kinds/load/sample.js';
import type { LoadScenario } from '../src/kinds/load/scenario.js';
import { runCli } from './helpers/cli.js';
import { fileServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { sample, scenario, writeRun } from './report-fixtures.js';

const BASELINE = resolve(import.meta.dirname, '../../baselines/lab-quick');
const OLD_HAPROXY = '2.6.12-1+deb12u4';
const ws = workspace();
after(() => ws.remove());
const server = fileServer();

const jsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunSample);
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * A copy of the committed baseline; `haproxy` replaces HAProxy's version in every manifest, and
 * `cut` takes that share off haproxy-lc's req/s: each run takes 1/(1 − cut) as long, and its
 * rate and throughput follow from the stored duration (rps = completed / duration_s, as `run` writes them).
 */
function baselineCopy(name: string, edit: { haproxy?: string; cut?: number } = {}): string {
  const dir = join(ws.dir, name);
  cpSync(BASELINE, dir, { recursive: true });
  for (const run of readdirSync(dir)) {
    const manifest = join(dir, run, 'manifest.json');
    if (edit.haproxy) writeFileSync(manifest, readFileSync(manifest, 'utf8').replaceAll(OLD_HAPROXY, edit.haproxy));
    if (edit.cut && run.endsWith('-haproxy-lc')) {
      const file = join(dir, run, 'samples.jsonl');
      const cut = jsonl(file).map((s) => {
        const d = round(s.duration_s / (1 - edit.cut!), 6);
        const ended = new Date(Date.parse(s.ended_at) + (d - s.duration_s) * 1000).toISOString();
        return { ...s, duration_s: d, ended_at: ended, rps: round(s.completed / d, 3), throughput_mbps: round(s.bytes / d / 1e6, 6) };
      });
      writeFileSync(file, cut.map((s) => JSON.stringify(s)).join('\n') + '\n');
    }
  }
  return dir;
}

interface Json {
  gate: { outcome: string; breaches: { comparison: string; metric: string; level: number; likely_cause: string[] }[] } | null;
  summary: {
    comparison: string;
    verdict: string;
    gated: string;
    decisive: { metric: string } | null;
    likely_cause: string[];
    generator_bound: number;
  }[];
  comparisons: {
    rows: { metric: string; level: number; verdict: string; not_comparable: string | null; gated: boolean }[];
    machines: { same: boolean; absolute_gated: boolean };
    system: { changes: string[] };
    warnings: { side: string; kind: string; message: string }[];
  }[];
}

test('an upgrade is gated: HAProxy 3.2.9 and haproxy-lc 30 % slower fail the gate, naming the version change as the likely cause', async () => {
  const upgraded = baselineCopy('upgrade', { haproxy: '3.2.9', cut: 0.3 });
  const args = ['compare', '--baseline', BASELINE, '--results', upgraded, '--fail-on-regression', '10', '--metric', 'rps'];
  const r = await runCli(args);
  assert.equal(r.code, 1, [...r.out, ...r.err].join('\n'));
  const cause = `haproxy ${OLD_HAPROXY} → 3.2.9`;
  // stdout opens with the outcome, each breach, then a line per scenario
  assert.equal(r.out[0], 'gate: FAIL — 3 significant regressions of more than 10 %');
  assert.match(
    r.out[1],
    new RegExp(`^regression: haproxy-lc: baseline vs current: rps at level 1000: -30\\.0 % .*; likely cause: ${escape(cause)}$`),
  );
  assert.ok(
    r.out.some(
      (l) => l.startsWith('haproxy-lc: baseline vs current: REGRESSION (gated) — rps at level ') && l.endsWith(`likely cause: ${cause}`),
    ),
    r.out.join('\n'),
  );
  // every balanced scenario names the change; only haproxy-lc breaches, the others pass, still gated
  for (const name of ['single', 'haproxy-rr', 'nginx-rr'])
    assert.ok(
      r.out.some((l) => l.startsWith(`${name}: baseline vs current: pass (gated)`)),
      r.out.join('\n'),
    );
  assert.ok(r.err.includes('warning: failover: none of --metric rps is measured by its runs; not compared'), r.err.join('\n'));
  assert.ok(
    r.err.includes(`haproxy-lc: baseline vs current: system under test changed: ${cause} (gated like any change)`),
    r.err.join('\n'),
  );
  assert.ok(!r.err.some((l) => l.includes('different machine')), 'a new HAProxy is not another machine');
  assert.equal(r.err.at(-1), 'lb-bench: 3 significant regressions of more than 10 %');

  const json = JSON.parse((await runCli([...args, '--json'])).out.join('\n')) as Json;
  assert.equal(Object.keys(json)[0], 'gate', 'the JSON opens with the gate');
  assert.equal(json.gate!.outcome, 'fail');
  assert.deepEqual(
    json.gate!.breaches.map((b) => [b.comparison, b.metric, b.level, b.likely_cause]),
    [1000, 5000, 10000].map((l) => ['haproxy-lc: baseline vs current', 'rps', l, [cause]]),
  );
  assert.ok(json.comparisons.every((c) => c.rows.every((x) => x.gated)));

  const md = (await runCli([...args, '--format', 'md'])).out;
  assert.deepEqual(md.slice(0, 3), ['# lb-bench compare: FAIL', '', '**gate: FAIL — 3 significant regressions of more than 10 %**']);

  // the same version change without the cut: shown, and nothing fails; the cut without it: no cause named
  const versionOnly = await runCli([
    'compare',
    '--baseline',
    BASELINE,
    '--results',
    baselineCopy('version-only', { haproxy: '3.2.9' }),
    '--fail-on-regression',
    '10',
  ]);
  assert.equal(versionOnly.code, 0, versionOnly.err.join('\n'));
  assert.ok(versionOnly.out.includes(`system under test changed: ${cause} (gated like any change)`), versionOnly.out.join('\n'));
  const cutOnly = await runCli([
    'compare',
    '--baseline',
    BASELINE,
    '--results',
    baselineCopy('cut-only', { cut: 0.3 }),
    '--fail-on-regression',
    '10',
    '--metric',
    'rps',
  ]);
  assert.equal(cutOnly.code, 1);
  assert.ok(
    cutOnly.err.some((l) => /^regression: haproxy-lc: .* worse by more than 10 %$/.test(l)),
    cutOnly.err.join('\n'),
  );
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('haproxy vs nginx on the committed baseline: no "better" where nginx-rr lost significantly more or was generator-bound; its warnings carried', async () => {
  const r = await runCli(['compare', 'haproxy', 'nginx', '--results', BASELINE, '--json']);
  assert.equal(r.code, 0, r.err.join('\n'));
  const out = JSON.parse(r.out.join('\n')) as Json;
  const c = out.comparisons[0];
  const lossWorse = new Set(c.rows.filter((x) => x.metric === 'loss_ratio' && x.verdict === 'worse').map((x) => x.level));
  assert.deepEqual([...lossWorse], [1000, 5000, 10000], 'nginx-rr lost 19 %, 83 % and 92 %');
  const judged = /^(latency_ms\.|duration_s|cpu\.|cpu_ratio|rps|throughput_mbps)/;
  const better = c.rows.filter((x) => judged.test(x.metric) && lossWorse.has(x.level) && x.verdict === 'better');
  assert.deepEqual(better, [], 'no "better" beside a significant rise in loss');
  const p99 = c.rows.find((x) => x.metric === 'latency_ms.p99' && x.level === 10000)!;
  assert.equal(p99.verdict, 'not comparable');
  assert.equal(p99.not_comparable, 'nginx-rr lost 92 % (haproxy-rr 0 %); generator-bound: nginx-rr 5 of 5 runs');
  const rps1000 = c.rows.find((x) => x.metric === 'rps' && x.level === 1000)!;
  assert.match(rps1000.not_comparable!, /^nginx-rr lost 19 % /, 'req/s +18 % while losing 18 % is no "better"');
  // the warnings that report prints, naming the generator-bound runs
  const bound = c.warnings.filter((w) => w.kind === 'generator-bound').map((w) => [w.side, w.message.split(' (')[0]]);
  assert.deepEqual(bound, [
    ['b', 'nginx-rr level 1000: 4 of 5 runs were generator-bound'],
    ['b', 'nginx-rr level 5000: 5 of 5 runs were generator-bound'],
    ['b', 'nginx-rr level 10000: 5 of 5 runs were generator-bound'],
  ]);
  assert.equal(out.summary[0].verdict, 'worse');
  assert.equal(out.summary[0].decisive!.metric, 'rps');
  assert.equal(out.summary[0].generator_bound, 14);

  const text = await runCli(['compare', 'haproxy', 'nginx', '--results', BASELINE]);
  assert.match(
    text.out[0],
    /^haproxy-rr vs nginx-rr: worse \(not gated\) — rps at level 10000: -79\.4 % \(p 0\.008\); rows: .*; 14 generator-bound runs$/,
  );
  assert.ok(text.out.some((l) => /^warning \(nginx-rr\): nginx-rr level 5000: 5 of 5 runs were generator-bound/.test(l)));
  assert.ok(!text.out.some((l) => /\sbetter$/.test(l)), text.out.join('\n'));
});

test('a passing --baseline of the five committed scenarios prints at most 40 lines; --verbose and --out keep every table', async () => {
  const copy = baselineCopy('same');
  const out = join(ws.dir, 'cmp-out');
  const r = await runCli(['compare', '--baseline', BASELINE, '--results', copy, '--fail-on-regression', '10', '--out', out]);
  assert.equal(r.code, 0, r.err.join('\n'));
  const lines = [...r.out, ...r.err];
  assert.ok(lines.length <= 40, `${lines.length} lines:\n${lines.join('\n')}`);
  assert.equal(r.out[0], 'gate: pass — no significant regression of more than 10 % (alpha 0.05)');
  const names = ['single', 'haproxy-rr', 'haproxy-lc', 'nginx-rr', 'failover'];
  assert.deepEqual(
    r.out.slice(1, 6).map((l) => l.split(':')[0]),
    names.sort((a, b) => r.out.findIndex((l) => l.startsWith(a + ':')) - r.out.findIndex((l) => l.startsWith(b + ':'))),
  );
  assert.ok(
    r.out.slice(1, 6).every((l) => l.includes(': pass (gated)')),
    r.out.join('\n'),
  );
  assert.ok(r.out.some((l) => /^warning \(baseline and current\): nginx-rr level 10000: 5 of 5 runs were generator-bound/.test(l)));

  const verbose = await runCli(['compare', '--baseline', BASELINE, '--results', copy, '--fail-on-regression', '10', '--verbose']);
  assert.equal(verbose.code, 0);
  assert.ok(verbose.out.length > 200, `${verbose.out.length}`);
  assert.ok(verbose.out.includes('rps: Requests per second (req/s, higher is better)'));
  const md = readFileSync(join(out, 'compare.md'), 'utf8');
  assert.match(md, /^# lb-bench compare: pass\n\n\*\*gate: pass — no significant regression of more than 10 % \(alpha 0\.05\)\*\*\n/);
  assert.equal((md.match(/^### rps: /gm) ?? []).length, 4, 'every table of every load scenario');
  const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as Json;
  assert.equal(json.gate!.outcome, 'pass');
  assert.equal(json.comparisons.length, 5);
});

test('the command through a pipe read slowly: a JSON of more than 64 KiB arrives whole, the gate first', () => {
  const bin = resolve(import.meta.dirname, '../../bin/lb-bench.js');
  const args = ['compare', '--baseline', BASELINE, '--results', baselineCopy('piped'), '--fail-on-regression', '10', '--json'];
  const dir = join(ws.dir, 'pipe');
  mkdirSync(dir);
  // a shell pipe (64 KiB) whose reader starts only once the command has said its last line on stderr
  const script = [
    `{ "$@" 2>"${dir}/err"; echo $? >"${dir}/code"; } |`,
    `{ until grep -q 'regression of more than' "${dir}/err"; do sleep 0.05; done; cat; }`,
  ].join(' ');
  const r = spawnSync('sh', ['-c', script, 'sh', process.execPath, bin, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    timeout: 60_000,
  });
  assert.equal(readFileSync(join(dir, 'code'), 'utf8').trim(), '0', readFileSync(join(dir, 'err'), 'utf8'));
  assert.ok(r.stdout.length > 64 * 1024, `${r.stdout.length} bytes`);
  const out = JSON.parse(r.stdout) as Json;
  assert.equal(out.gate!.outcome, 'pass');
  assert.equal(out.comparisons.length, 5);
});

const load = { ...scenario('x').load, levels: [1000], repetitions: 5 };
const runs = (rps: number, bound = false) =>
  [-2, -1, 0, 1, 2].map((d, i) => sample(1000, i + 1, 1, { rps: rps + d, loss: 0, errors: 0, completed: 1000, generator_bound: bound }));
const runner = (cpu_model: string, kernel: string): Partial<Manifest<LoadScenario>> => ({
  host: { hostname: 'runner', cpus: 4, cpu_model, memory_gb: 16 },
  os: { platform: 'linux', release: kernel, kernel: '#1', arch: 'x64' },
  generator: { engine: 'net', workers: 0, workers_by_level: {} },
});

test('a remote cluster from another runner: absolute figures gated unless the generator was the bottleneck; on loopback, not', async () => {
  const cases = [
    { target: 'http://10.0.0.10/', bound: false, gated: true },
    { target: 'http://10.0.0.10/', bound: true, gated: false },
    { target: 'http://127.0.0.1:8080/', bound: false, gated: false },
  ];
  for (const [i, k] of cases.entries()) {
    const base = join(ws.dir, `remote-base-${i}`);
    const current = join(ws.dir, `remote-current-${i}`);
    const sc = scenario('staging', { load, target: k.target });
    // a hosted runner: another kernel tonight
    writeRun(base, sc, runs(1000, k.bound), runner('AMD EPYC 7763', '6.5.0-1025-azure'));
    writeRun(current, sc, runs(800, k.bound), runner('AMD EPYC 7763', '6.8.0-1017-azure'));
    const r = await runCli([
      'compare',
      '--baseline',
      base,
      '--results',
      current,
      '--fail-on-regression',
      '10',
      '--metric',
      'rps',
      '--json',
    ]);
    const out = JSON.parse(r.out.join('\n')) as Json;
    assert.equal(out.comparisons[0].machines.same, false);
    assert.equal(out.comparisons[0].machines.absolute_gated, k.gated, JSON.stringify(k));
    assert.equal(r.code, k.gated ? 1 : 0, `${JSON.stringify(k)}\n${r.err.join('\n')}`);
    const line = r.err.find((l) => l.includes('kernel "6.5.0-1025-azure" vs "6.8.0-1017-azure"'))!;
    assert.match(
      line,
      k.gated
        ? /another runner, the same remote cluster: absolute figures gated, the generator was never the bottleneck/
        : k.bound
          ? /different machine: absolute figures shown, not gated: the generator was the bottleneck in 10 runs/
          : /different machine: absolute figures shown, not gated \(/,
    );
  }
});

test('run records the system under test: the declared system.version, and compare names its change', async () => {
  const results = join(ws.dir, 'declared');
  for (const version of ['1.4', '1.5']) {
    const yaml = loadScenarioYaml(server.url, { name: 'app', levels: [5], repetitions: 1, more: `system: { version: "${version}" }` });
    const r = await runCli(['run', ws.write(`app-${version}.yaml`, yaml), '--out', results]);
    assert.equal(r.code, 0, r.err.join('\n'));
  }
  const [first, second] = readdirSync(results).sort();
  const m = JSON.parse(readFileSync(join(results, first, 'manifest.json'), 'utf8')) as Manifest<LoadScenario>;
  assert.deepEqual(m.system, { servers: null, lab_configs: null, version: '1.4' });
  assert.equal('servers' in m.fingerprint!, false, 'the fingerprint names what measures only');
  const r = await runCli(['compare', join(results, first), join(results, second)]);
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.ok(r.out.includes('system under test changed: version "1.4" → "1.5" (gated like any change)'), r.out.join('\n'));
});

test("the lab's configs hash: every generated config but sshd's, by name and content; null without the folder", () => {
  const dir = join(ws.dir, 'conf');
  mkdirSync(dir);
  assert.equal(labConfigsHash(join(ws.dir, 'no-such')), null);
  writeFileSync(join(dir, 'lb1-haproxy.cfg'), 'balance leastconn\n');
  writeFileSync(join(dir, 'web1-sshd.conf'), 'Port 22\n');
  const before = labConfigsHash(dir);
  assert.match(before!, /^[0-9a-f]{12}$/);
  writeFileSync(join(dir, 'web1-sshd.conf'), 'Port 2222\n');
  assert.equal(labConfigsHash(dir), before, 'sshd is how lb-bench reaches the hosts, not what it measures');
  writeFileSync(join(dir, 'lb1-haproxy.cfg'), 'balance roundrobin\n');
  assert.notEqual(labConfigsHash(dir), before);
});
