/**
 * --junit of run, compare (with --baseline and --history) and reproduce, each checked against a
 * JUnit XML schema (test/schemas/junit.xsd, by xmllint-wasm) and for counts that agree with the
 * cases; the exporter's escaping of hostile names and figures.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { junitXml, xmlAttr } from '../src/io/junit-xml.js';
import { reproduceSuites } from '../src/reproduce/conclusions-junit.js';
import type { ConclusionRow } from '../src/reproduce/conclusions.js';
import type { Manifest } from '../src/results/types.js';
import type { RunSample } from '../src/kinds/load/sample.js';
import type { LoadScenario } from '../src/kinds/load/scenario.js';
import { runCli } from './helpers/cli.js';
import { fileServer } from './helpers/http-server.js';
import { assertJunit, schemaErrors } from './helpers/junit.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { sample, scenario, writeRun } from './report-fixtures.js';

const ws = workspace();
after(() => ws.remove());
const server = fileServer();

const HOSTILE = 'a"b\'c<d>&e\u0000f\u001bg\nh\ud800i]]>';

test('the schema check can fail: it refuses what reporters cannot read', async () => {
  const good = junitXml('x', [{ name: 's', cases: [{ name: 'c', classname: 'k' }] }]);
  assert.deepEqual(await schemaErrors(good), []);
  assert.notDeepEqual(await schemaErrors(good.replace(' classname="k"', '')), [], 'a case without classname');
  assert.notDeepEqual(await schemaErrors(good.replace('tests="1" failures', 'tests="one" failures')), [], 'a count that is no number');
  assert.notDeepEqual(await schemaErrors(good.replace('<testcase', '<failure/><testcase')), [], 'a failure outside a case');
  assert.notDeepEqual(await schemaErrors(good.replace('name="c"', 'name="c<"')), [], 'not XML');
});

test('names and figures from files are escaped; characters XML cannot hold are replaced', async () => {
  const xml = junitXml(HOSTILE, [
    {
      name: HOSTILE,
      timestamp: '2026-01-02T03:04:05.678Z',
      cases: [
        { name: HOSTILE, classname: HOSTILE, failure: { message: HOSTILE, type: HOSTILE, text: HOSTILE }, out: HOSTILE },
        { name: 'skip', classname: 'k', skipped: { message: HOSTILE } },
        { name: 'err', classname: 'k', error: { message: 'gone' } },
      ],
    },
  ]);
  const [suite] = await assertJunit(xml);
  assert.deepEqual(suite.counts, { tests: 3, failures: 1, errors: 1, skipped: 1 });
  assert.equal(xmlAttr(HOSTILE), "a&quot;b'c&lt;d&gt;&amp;e\ufffdf\ufffdg&#10;h\ufffdi]]&gt;");
  assert.ok(xml.includes(`<system-out>a"b'c&lt;d&gt;&amp;e\ufffdf\ufffdg\nh\ufffdi]]&gt;</system-out>`), xml);
  assert.ok(xml.includes('timestamp="2026-01-02T03:04:05"'));
});

test('run --junit: a case per threshold; a breach is a failure with its figures', async () => {
  const file = ws.write(
    'gated.yaml',
    loadScenarioYaml(server.url, { name: 'gated', levels: [5], repetitions: 2, more: 'thresholds: { loss: 0, rps_min: 100000000 }' }),
  );
  const plain = ws.write('plain.yaml', loadScenarioYaml(server.url, { name: 'plain', levels: [5], repetitions: 1 }));
  const out = join(ws.dir, 'junit', 'run.xml');
  const r = await runCli(['run', file, plain, '--out', ws.results, '--junit', out]);
  assert.equal(r.code, 1, r.err.join('\n'));
  const seen = await assertJunit(readFileSync(out, 'utf8'));
  assert.deepEqual(
    seen.map((s) => [s.name, s.cases.map((c) => [c.name, c.outcome])]),
    [
      [
        'run: gated',
        [
          ['loss ≤ 0', 'passed'],
          ['rps ≥ 100000000', 'failure'],
        ],
      ],
      ['run: plain', [['no thresholds', 'passed']]],
    ],
  );
  assert.match(
    seen[0].cases[1].message!,
    /^rps ≥ 100000000 breached: level 5: rps mean [\d.]+ \(95 % CI -?[\d.]+–[\d.]+ over 2 runs\) &lt; 100000000$/,
  );
  assert.match(seen[0].cases[0].body, /judged on 2 runs in /);
  assert.match(seen[0].cases[1].body, /judged on 1 level over 2 runs: each level's mean, 95 % CI in /);
});

const load = { ...scenario('x').load, levels: [1000], repetitions: 5 };
const machine = (cpu_model: string): Partial<Manifest<LoadScenario>> => ({
  host: { hostname: 'h', cpus: 2, cpu_model, memory_gb: 8 },
  generator: { engine: 'net', workers: 0, workers_by_level: {} },
});
const night = (rps: number, lost: number): RunSample[] =>
  [-2, -1, 0, 1, 2].map((d, i) => sample(1000, i + 1, 1, { rps: rps + d, loss: lost, errors: lost, completed: 1000 - lost }));

test('compare --junit: regressions fail, rows of another machine are skipped, the rest pass', async () => {
  const base = join(ws.dir, 'cmp-base');
  const current = join(ws.dir, 'cmp-current');
  writeRun(base, scenario('single', { load }), night(1000, 1), machine('AMD EPYC'));
  writeRun(current, scenario('single', { load }), night(900, 30), machine('Intel Xeon'));
  const out = join(ws.dir, 'compare.xml');
  const r = await runCli([
    'compare',
    '--baseline',
    base,
    '--results',
    current,
    '--fail-on-regression',
    '5',
    '--metric',
    'rps',
    'loss_ratio',
    'latency_ms.p50',
    '--junit',
    out,
  ]);
  assert.equal(r.code, 1, r.err.join('\n'));
  const [suite] = await assertJunit(readFileSync(out, 'utf8'));
  assert.equal(suite.name, 'compare: single: baseline vs current');
  assert.deepEqual(
    suite.cases.map((c) => [c.name, c.outcome, c.message]),
    [
      ['rps at level 1000', 'skipped', 'not gated: different machine'],
      ['loss_ratio at level 1000', 'failure', 'loss_ratio at level 1000: +2900.0 % (p 0.004), worse by more than 5 %'],
      ['latency_ms.p50 at level 1000', 'skipped', 'not gated: different machine'],
    ],
  );
  assert.match(suite.cases[1].body, /baseline: 0\.0010 ± 0\.0000 \(n 5, /);
});

test('compare --history --baseline --junit: the history judges what it can, the baseline gates the rest', async () => {
  // five nights on one machine; the baseline and tonight on another, tonight's req/s 20 % below the baseline's
  const history = join(ws.dir, 'h.jsonl');
  for (let i = 0; i < 5; i++) {
    const dir = join(ws.dir, `h-night-${i}`);
    writeRun(dir, scenario('single', { load }), night(1000 + i, 1), machine('AMD EPYC'), new Date(Date.UTC(2026, 0, 1 + i)).toISOString());
    assert.equal((await runCli(['history', 'append', history, '--results', dir])).code, 0);
  }
  const base = join(ws.dir, 'h-base');
  const tonight = join(ws.dir, 'h-tonight');
  writeRun(base, scenario('single', { load }), night(800, 1), machine('Intel Xeon'), '2026-01-06T00:00:00.000Z');
  writeRun(tonight, scenario('single', { load }), night(640, 1), machine('Intel Xeon'), '2026-01-07T00:00:00.000Z');
  const out = join(ws.dir, 'history.xml');
  const args = [
    '--history',
    history,
    '--baseline',
    base,
    '--results',
    tonight,
    '--fail-on-regression',
    '10',
    '--metric',
    'rps',
    'loss_ratio',
  ];
  const r = await runCli(['compare', ...args, '--junit', out]);
  assert.equal(r.code, 1, r.err.join('\n'));
  const seen = await assertJunit(readFileSync(out, 'utf8'));
  assert.deepEqual(
    seen.map((s) => [s.name, s.cases.map((c) => [c.name, c.outcome, c.message])]),
    [
      [
        'compare: single: baseline vs current',
        [
          // no night of this machine in the history: the baseline, of this machine, gates req/s
          ['rps at level 1000', 'failure', 'rps at level 1000: -20.0 % (p 0.008), worse by more than 10 %'],
          ['loss_ratio at level 1000', 'skipped', 'not gated: judged by the history'],
        ],
      ],
      [
        'history: single',
        [
          ['rps at level 1000', 'skipped', 'not gated: too few nights (0 of 5)'],
          ['loss_ratio at level 1000', 'passed', null],
        ],
      ],
    ],
  );
  // the same in the JSON and the text
  const json = JSON.parse((await runCli(['compare', ...args, '--json'])).out.join('\n'));
  assert.deepEqual(
    json.comparisons[0].rows.map((x: { metric: string; gated: boolean; not_gated: string | null }) => [x.metric, x.gated, x.not_gated]),
    [
      ['rps', true, null],
      ['loss_ratio', false, 'judged by the history'],
    ],
  );
  const text = (await runCli(['compare', ...args, '--verbose'])).out.join('\n');
  assert.match(
    text,
    /^loss_ratio: Loss per request \(fraction of requests, lower is better, portable\) — not gated: judged by the history$/m,
  );
  assert.match(text, /^== history: single \(tonight \d{8}-\d{6}-single, machine [0-9a-f]{12}\) ==$/m);
});

const row = (id: string, verdict: ConclusionRow['verdict']): ConclusionRow => ({
  id,
  bullet: 1,
  claim: `claim <${id}>`,
  thesis: '1.648',
  measured: '1.60',
  method: 'Mann-Whitney U',
  p: 0.008,
  verdict,
  unit: 'ratio',
  thesis_values: [1.648],
  measured_values: [1.6],
  ratio: null,
});

test('reproduce --junit: scenarios pass or are errors (not measured); conclusions pass, their verdicts in system-out', async () => {
  const xml = junitXml(
    'lb-bench reproduce',
    reproduceSuites(
      [
        { scenario: 'single', dir: 'results/x-single', runs: 10, breaches: ['level 5 rep 1: loss 3 > 0'] },
        { scenario: 'failover', failure: 'failover: not measured: the lab is not up', breaches: [] },
      ],
      [row('lb-rps', 'holds'), row('haproxy-nginx-rps', 'does not hold')],
    ),
  );
  const seen = await assertJunit(xml);
  assert.deepEqual(
    seen.map((s) => [s.name, s.cases.map((c) => [c.name, c.outcome])]),
    [
      [
        'reproduce: scenarios',
        [
          ['single', 'passed'],
          ['failover', 'error'],
        ],
      ],
      [
        'reproduce: conclusions',
        [
          ['lb-rps: claim &lt;lb-rps&gt;', 'passed'],
          ['haproxy-nginx-rps: claim &lt;haproxy-nginx-rps&gt;', 'passed'],
        ],
      ],
    ],
  );
  assert.match(seen[0].cases[0].body, /note: threshold breached \(reproduce does not gate on it\): level 5 rep 1: loss 3 &gt; 0/);
  assert.match(seen[1].cases[1].body, /verdict: does not hold\nthesis: 1\.648\nmeasured: 1\.60\np: 0\.008/);
});

test(
  '--junit: missing folders are made; a path that cannot be written is exit 2 before anything is compared (not the loop of a recursive mkdir under /proc)',
  { timeout: 60_000 },
  async () => {
    const base = join(ws.dir, 'w-base');
    const current = join(ws.dir, 'w-current');
    writeRun(base, scenario('single', { load }), night(1000, 1), machine('AMD EPYC'));
    writeRun(current, scenario('single', { load }), night(1000, 1), machine('AMD EPYC'));
    const nested = join(ws.dir, 'a', 'b', 'c.xml');
    const r = await runCli(['compare', '--baseline', base, '--results', current, '--junit', nested]);
    assert.equal(r.code, 0, r.err.join('\n'));
    await assertJunit(readFileSync(nested, 'utf8'));
    // a process of its own, so that a loop that never yields is ended by the time-out and seen to fail
    const bin = resolve(import.meta.dirname, '../../bin/lb-bench.js');
    const args = [bin, 'compare', '--baseline', base, '--results', current, '--junit', '/proc/lb-bench-nope/x.xml'];
    const p = await new Promise<{ code: number | string | null; stderr: string }>((done) =>
      execFile(process.execPath, args, { timeout: 30_000 }, (err, _out, stderr) =>
        done({ code: err ? (err.code ?? err.signal ?? null) : 0, stderr }),
      ),
    );
    assert.deepEqual(
      [p.code, p.stderr.trim().split('\n').slice(-2)],
      [
        2,
        [
          'lb-bench: --junit: cannot write into /proc/lb-bench-nope (ENOENT: no such file or folder)',
          '  hint: name a folder you can write to',
        ],
      ],
    );
  },
);
