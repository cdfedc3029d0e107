/**
 * `lab calibrate`'s choice, fed literal measurements (no lab): what makes a share valid, where
 * the search goes next, which share it keeps and why; where `lab up` takes its share from; the
 * stored calibration; the report's line. The measuring itself is test/calibrate-lab.test.ts.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  chooseShare,
  defaultSearch,
  invalidReasons,
  judge,
  maxWebCpus,
  nextShare,
  THESIS_SINGLE_RPS,
  type Measured,
  type SearchOptions,
} from '../src/calibrate/choose.js';
import {
  calibrationFile,
  calibrationOf,
  chooseWebCpus,
  findCalibration,
  labCalibration,
  saveCalibration,
  setLabCalibration,
  type CalibrationPoint,
  type CalibrationRecord,
  type Machine,
} from '../src/lab/calibration.js';
import { calibrationLines } from '../src/report/calibration.js';
import { evidenceTable } from '../src/calibrate/evidence-table.js';
import { md } from '../src/export/md.js';
import { THESIS } from '../src/reproduce/thesis.js';
import type { StoredRun } from '../src/kinds/registry.js';
import { inRunFolder, type SetUp } from '../src/results/lifecycle.js';
import { loadScenario } from '../src/kinds/scenario-file.js';

const o: SearchOptions = defaultSearch(2);
const m = (web_cpus: number, single_rps: number, more: Partial<Measured> = {}): Measured => ({
  web_cpus,
  single_rps,
  web_pct: 100,
  haproxy_pct: 30,
  nginx_pct: 25,
  generator_pct: 20,
  generator_bound: false,
  ...more,
});
const p = (web_cpus: number, single_rps: number, more: Partial<Measured> = {}): CalibrationPoint =>
  judge(m(web_cpus, single_rps, more), o.budget);

describe('calibration: what a valid share is', () => {
  it("aims at the thesis's single peak, 1428.161 req/s", () => {
    assert.equal(THESIS_SINGLE_RPS, THESIS.rps.single);
    assert.equal(o.target, THESIS_SINGLE_RPS);
  });

  it('the largest share: three web servers beside the balancer and generator budgets (half a core each)', () => {
    assert.equal(maxWebCpus(2), 0.33);
    assert.equal(maxWebCpus(4), 1);
    assert.equal(maxWebCpus(8), 2.33);
    assert.equal(maxWebCpus(1), 0.05, 'one core has no room: the smallest share');
  });

  it('valid: web1 busy on its share, balancers and generator below half a core, not generator-bound', () => {
    assert.deepEqual(invalidReasons(m(0.25, 1500), o.budget), []);
    assert.deepEqual(invalidReasons(m(0.25, 1500, { web_pct: 60 }), o.budget), [
      'web1 used 60 % of its share (< 80 %): it is not the bottleneck',
    ]);
    assert.deepEqual(invalidReasons(m(0.25, 1500, { haproxy_pct: 55, nginx_pct: 50 }), o.budget), [
      'HAProxy at 55 % of a core at the top level (≥ 50 %)',
      'Nginx at 50 % of a core at the top level (≥ 50 %)',
    ]);
    assert.deepEqual(invalidReasons(m(0.25, 1500, { generator_pct: 70, generator_bound: true }), o.budget), [
      'the generator at 70 % of a core (≥ 50 %)',
      'generator-bound',
    ]);
    assert.deepEqual(invalidReasons(m(0.25, 1500, { web_pct: null, haproxy_pct: null }), o.budget), [
      "web1's CPU was not measured",
      "HAProxy's CPU was not measured",
    ]);
  });
});

describe('calibration: the search', () => {
  it('from one valid share, in proportion to the target', () => {
    // measured on this project's 2-core machine: 0.25 CPU gave 1694.7 req/s
    assert.equal(nextShare([p(0.25, 1694.7)], o), 0.21);
    assert.equal(nextShare([p(0.25, 1000)], o), 0.33, 'capped at the largest share the machine allows');
  });

  it('stops within 5 % of the target', () => {
    assert.equal(nextShare([p(0.25, 1694.7), p(0.21, 1427.4)], o), null);
    assert.equal(nextShare([p(0.25, 1360)], o), null, '1360 is within 5 % of 1428');
  });

  it('between a share below the target and one above, where the line between them meets it', () => {
    assert.equal(nextShare([p(0.2, 1200), p(0.3, 1800)], o), 0.24);
  });

  it('below an invalid share: halfway; above none, an invalid share shrinks by its worst excess', () => {
    assert.equal(nextShare([p(0.2, 1200), p(0.3, 1800, { haproxy_pct: 60 })], o), 0.25);
    // HAProxy at 80 % of a core: 0.9 × 50 / 80 of the share
    assert.equal(nextShare([p(0.32, 2000, { haproxy_pct: 80 })], o), 0.18);
  });

  it('ends: at the largest share still short, after the tries, or where it has been', () => {
    assert.equal(nextShare([p(0.25, 1000), p(0.33, 1250)], o), null);
    const five = [p(0.1, 500), p(0.12, 600), p(0.14, 700), p(0.16, 800), p(0.18, 900)];
    assert.equal(nextShare(five, o), null);
    // within 1 %, the target lies between 0.21 and 0.22, and shares are set in hundredths
    const fine = { ...o, tolerance: 0.01 };
    assert.equal(nextShare([p(0.2, 1300), p(0.22, 1600)], fine), 0.21);
    assert.equal(nextShare([p(0.2, 1300), p(0.22, 1600), p(0.21, 1340)], fine), null);
  });

  it('converges on a machine whose single peak grows with the share', () => {
    const machine = (share: number) => m(share, 5900 * share, { haproxy_pct: 140 * share, generator_pct: 90 * share });
    const points: CalibrationPoint[] = [];
    for (let s: number | null = 0.25; s !== null; s = nextShare(points, o)) points.push(judge(machine(s), o.budget));
    const c = chooseShare(points, o);
    assert.ok(c.point && 'reached' in c && c.reached, JSON.stringify(c));
    assert.ok(Math.abs(c.point.single_rps - THESIS_SINGLE_RPS) <= 0.05 * THESIS_SINGLE_RPS);
    assert.ok(points.length <= 3, `${points.length} shares tried`);
  });
});

describe('calibration: the share kept', () => {
  it('the valid share nearest the target, within the tolerance', () => {
    const c = chooseShare([p(0.25, 1694.7), p(0.21, 1427.4)], o);
    assert.equal(c.point?.web_cpus, 0.21);
    assert.ok('reached' in c && c.reached);
    assert.equal(c.reason, "single peaks at 1427 req/s, within 5 % of the thesis's 1428 req/s");
  });

  it('a machine that cannot reach the target: the largest valid share, and it says why', () => {
    const atMax = chooseShare([p(0.25, 900), p(0.33, 1150)], o);
    assert.equal(atMax.point?.web_cpus, 0.33);
    assert.ok('reached' in atMax && !atMax.reached);
    assert.equal(
      atMax.reason,
      "this machine cannot reach the thesis's 1428 req/s: 0.33 CPU is the most this machine allows; the largest valid share, 0.33 CPU, gives 1150 req/s",
    );
    const blocked = chooseShare([p(0.25, 1000), p(0.33, 1300, { generator_pct: 60 })], o);
    assert.equal(blocked.point?.web_cpus, 0.25);
    assert.match(blocked.reason, /a larger share is not a valid model \(0\.33 CPU: the generator at 60 % of a core/);
  });

  it('no valid share: nothing is kept, and each share says why', () => {
    const c = chooseShare([p(0.25, 1500, { web_pct: 50 }), p(0.13, 800, { web_pct: 40 })], o);
    assert.equal(c.point, null);
    assert.match(c.reason, /^no share tried is a valid scale model: 0\.25 CPU: web1 used 50 %.*; 0\.13 CPU: web1 used 40 %/);
  });
});

const machine: Machine = {
  cpu_model: 'AMD EPYC',
  cpus: 2,
  kernel: '6.1.0-test',
  haproxy: 'HAProxy version 2.6.12',
  nginx: 'nginx version: nginx/1.22.1',
  apache: 'Server version: Apache/2.4.62 (Debian)',
};
const record = (web_cpus: number, at = '2026-01-02T03:04:05.000Z'): CalibrationRecord => ({
  format: 1,
  web_cpus,
  target_rps: THESIS_SINGLE_RPS,
  measured_rps: 1427.4,
  headroom: { balancer_pct: 33.3, generator_pct: 23.8 },
  machine,
  at,
  reached: true,
  reason: 'within 5 %',
  budget: o.budget,
  profile: { probe_level: 1000, probe_bursts: 5, top_level: 10000 },
  evidence: [p(web_cpus, 1427.4)],
  seconds: 26,
});

describe('calibration: kept per machine, applied by lab up', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lb-bench-calibration-'));
  const saved = process.env.LB_BENCH_CALIBRATION_DIR;
  process.env.LB_BENCH_CALIBRATION_DIR = dir;
  after(() => {
    if (saved === undefined) delete process.env.LB_BENCH_CALIBRATION_DIR;
    else process.env.LB_BENCH_CALIBRATION_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('found for the machine it was measured on, not for another kernel or server version', () => {
    assert.equal(findCalibration(machine), null);
    const file = saveCalibration(record(0.21));
    assert.equal(path.dirname(file), dir);
    assert.equal(findCalibration(machine)?.record.web_cpus, 0.21);
    assert.equal(findCalibration({ ...machine, kernel: '6.2.0' }), null);
    assert.equal(findCalibration({ ...machine, haproxy: 'HAProxy version 2.8.0' }), null);
  });

  it('a damaged file is exit 2 naming it', () => {
    const other = { ...machine, cpus: 4 };
    writeFileSync(calibrationFile(other), '{"web_cpus": "lots"}');
    assert.throws(
      () => findCalibration(other),
      (e: any) =>
        e.code === 2 && e.message.startsWith(`${calibrationFile(other)}: not a calibration: `) && /lb-bench lab calibrate/.test(e.hint),
    );
  });

  it("lab up's share: a --config naming web.cpus, else the calibration, else lab.yaml's", () => {
    const cal = { file: '/c.json', record: record(0.21) };
    assert.deepEqual(chooseWebCpus({ defaults: 0.25, calibration: null }), { cpus: 0.25, source: { from: 'lab.yaml' } });
    assert.equal(chooseWebCpus({ defaults: 0.25, calibration: cal }).cpus, 0.21);
    assert.equal(
      chooseWebCpus({ defaults: 0.25, config: { file: 'mine.yaml' }, calibration: cal }).cpus,
      0.21,
      'a --config without web.cpus',
    );
    assert.deepEqual(chooseWebCpus({ defaults: 0.25, config: { file: 'mine.yaml', cpus: 0.5 }, calibration: cal }), {
      cpus: 0.5,
      source: { from: 'config', file: 'mine.yaml', calibrated: 0.21 },
    });
    assert.equal(chooseWebCpus({ defaults: 0.25, config: { file: 'mine.yaml', cpus: 0.5 }, calibration: cal, forced: 0.3 }).cpus, 0.3);
  });

  it("the lab's state holds the contract's fields while it runs the calibrated share", () => {
    const state = mkdtempSync(path.join(tmpdir(), 'lb-bench-lab-state-'));
    try {
      assert.equal(labCalibration(state), null);
      setLabCalibration(state, record(0.21));
      assert.deepEqual(Object.keys(labCalibration(state)!).sort(), ['at', 'headroom', 'machine', 'measured_rps', 'target_rps', 'web_cpus']);
      // the share the lab runs, when another: kept beside the calibration
      setLabCalibration(state, record(0.21), 0.21);
      assert.equal(labCalibration(state)!.lab_web_cpus, undefined);
      setLabCalibration(state, record(0.21), 0.15);
      assert.equal(labCalibration(state)!.lab_web_cpus, 0.15);
      assert.equal(labCalibration(state)!.web_cpus, 0.21);
      setLabCalibration(state, null);
      assert.equal(labCalibration(state), null);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});

describe('calibration: in the report', () => {
  const run = (name: string, inventory: string | undefined, calibration?: CalibrationRecord) =>
    ({ dir: `/r/${name}`, samples: [], manifest: { scenario: { name, kind: 'load', inventory }, calibration } }) as unknown as StoredRun;

  it('one line per calibration, naming its scenarios; runs on the lab without one are named too; elsewhere nothing', () => {
    const c = record(0.21);
    const lines = calibrationLines([run('single', 'lab', c), run('haproxy-lc', 'lab', c), run('nginx-rr', 'lab'), run('local', undefined)]);
    assert.deepEqual(lines, [
      'Calibrated lab (single, haproxy-lc): web servers at 0.21 CPU each: single peaks at 1427 req/s (the thesis: 1428); balancer 33.3 %, generator 23.8 % of a core at the top level; measured 2026-01-02T03:04:05.000Z on 2 × AMD EPYC, Linux 6.1.0-test.',
      "Not calibrated (nginx-rr): the lab ran lab.yaml's web CPU share (or a --config's) on a machine without a calibration (lb-bench lab calibrate).",
    ]);
    // a --config's share on a calibrated machine: said, with the calibration it did not use
    assert.deepEqual(calibrationLines([run('single', 'lab', { ...c, lab_web_cpus: 0.15 })]), [
      "Lab not at its calibrated share (single): web servers at 0.15 CPU each, as a --config named; this machine's calibration (0.21 CPU, measured 2026-01-02T03:04:05.000Z on 2 × AMD EPYC, Linux 6.1.0-test) was not used.",
    ]);
    assert.deepEqual(calibrationLines([run('local', undefined)]), []);
  });
});

describe('calibration: in the manifest', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lb-bench-calibrated-folder-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const io = { out: () => {}, err: () => {}, interactive: false, debug: false };
  const signal = new AbortController().signal;
  const env = (calibration: SetUp['calibration']): SetUp => ({ calibration, close: () => {} });
  const open = async (calibration: SetUp['calibration'], resume?: string) => {
    const file = path.join(dir, 'lab-run.yaml');
    writeFileSync(file, 'name: lab-run\ntarget: http://198.18.0.10:81/\ninventory: lab\nload: { levels: [10], repetitions: 1 }\n');
    const r = await loadScenario(file);
    const manifest = resume ? JSON.parse(readFileSync(path.join(resume, 'manifest.json'), 'utf8')) : undefined;
    const opts = { outDir: dir, io, signal, resume: resume ? { dir: resume, manifest } : undefined };
    const folder = await inRunFolder(r, opts, { unit: 'run', planned: 1 }, env(calibration), async (w) => ({ kept: 0, result: w.dir }));
    return { folder, manifest: JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8')) };
  };

  it('a new folder on the calibrated lab carries the calibration; elsewhere, and on a lab without one, it has none', async () => {
    const c = calibrationOf(record(0.21));
    assert.deepEqual((await open(c)).manifest.calibration, c);
    assert.equal((await open(null)).manifest.calibration, undefined);
    assert.equal((await open(undefined)).manifest.calibration, undefined);
  });

  it('a folder resumed on a lab calibrated otherwise keeps its own, and says so', async () => {
    const c = calibrationOf(record(0.21));
    const first = await open(c);
    const resumed = await open(null, first.folder);
    assert.deepEqual(resumed.manifest.calibration, c);
    assert.ok(
      resumed.manifest.warnings.includes(
        "resumed on a lab not calibrated; this folder's first runs were on a lab whose web servers ran at 0.21 CPU each",
      ),
      resumed.manifest.warnings.join('\n'),
    );
    const again = await open(c, first.folder);
    assert.equal(again.manifest.warnings.length, resumed.manifest.warnings.length, 'the same calibration: nothing to say');
  });
});

describe('calibration: the evidence lab calibrate prints', () => {
  it('one row a share, figures right-aligned, the chosen and a bound generator marked, reasons escaped', () => {
    const point = (web_cpus: number, single_rps: number, more: Partial<CalibrationPoint>): CalibrationPoint => ({
      ...m(web_cpus, single_rps),
      invalid: [],
      ...more,
    });
    const evidence = [
      point(0.15, 1012.5, { web_pct: 99.1, haproxy_pct: 21.3, nginx_pct: 18, generator_pct: 14.2, invalid: ['below 1356 | the target'] }),
      point(0.21, 1427.4, { web_pct: 98.7, haproxy_pct: 30.25 }),
      point(0.33, 2210, {
        web_pct: null,
        haproxy_pct: null,
        nginx_pct: null,
        generator_pct: 97.5,
        generator_bound: true,
        invalid: ['generator bound', 'web1 <not> at its share'],
      }),
    ];
    assert.equal(
      md.table(evidenceTable(evidence, 0.21)),
      [
        '| web.cpus | single req/s | web1 CPU % of share | HAProxy CPU % of a core | Nginx CPU % of a core | generator CPU % of a core | valid |',
        '|---:|---:|---:|---:|---:|---:|---|',
        '| 0.15 | 1012.5 | 99.1 | 21.3 | 18 | 14.2 | no: below 1356 \\| the target |',
        '| 0.21 (chosen) | 1427.4 | 98.7 | 30.25 | 25 | 20 | yes |',
        '| 0.33 | 2210 | – | – | – | 97.5 (bound) | no: generator bound; web1 &lt;not&gt; at its share |',
      ].join('\n'),
    );
  });
});
