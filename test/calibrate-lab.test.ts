/**
 * `lab calibrate` on the real lab, with a tiny profile (a few hundred requests per burst, two
 * shares): it brings the lab up, measures, keeps its choice and brings the lab down again; `lab up`
 * then gives web1's Apache cgroup exactly the calibrated quota, and a run on the lab carries the
 * calibration in its manifest; a --config naming web.cpus wins over it, and the run says nothing of
 * a calibration then. Root on Linux only; elsewhere the test says why it cannot run, and with
 * CI=true that is a failure. Uses its own state and calibration folders, and refuses to touch a lab
 * that is already up on this machine.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { calibrate } from '../src/calibrate/calibrate.js';
import { detectCgroups, groupQuota } from '../src/lab/cgroup.js';
import { calibrationOf, findCalibration, thisMachine, type CalibrationRecord } from '../src/lab/calibration.js';
import { labDown, labLeftovers, labProblems } from '../src/lab/index.js';
import { labTests } from './helpers/lab.js';
import { labPaths } from '../src/lab/topology.js';
import { runCli } from './helpers/cli.js';

const SCENARIO = path.resolve(import.meta.dirname, '../../scenarios/haproxy-lc.yaml');

labTests('calibration lab tests', () => {
  describe('lab calibrate, on the lab', { concurrency: false }, () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'lb-bench-lab-'));
    const store = mkdtempSync(path.join(tmpdir(), 'lb-bench-calibrations-'));
    const out = mkdtempSync(path.join(tmpdir(), 'lb-bench-calibrated-runs-'));
    const err: string[] = [];
    const io = { out: () => {}, err: (t: string) => err.push(t), interactive: false, debug: false };
    let ours = false;
    let record: CalibrationRecord;

    before(async () => {
      const already = await labLeftovers();
      if (already.length) throw new Error(`a lab is already on this machine (${already.join(', ')}); run \`lb-bench lab down\` first`);
      process.env.LB_BENCH_LAB_DIR = stateDir;
      process.env.LB_BENCH_CALIBRATION_DIR = store;
      ours = true;
    });

    after(async () => {
      if (ours) await labDown().catch((e) => console.error(`lab down after the tests: ${e.message}`));
      delete process.env.LB_BENCH_LAB_DIR;
      delete process.env.LB_BENCH_CALIBRATION_DIR;
      for (const d of [stateDir, store, out]) rmSync(d, { recursive: true, force: true });
    });

    it('a short calibration measures shares, keeps one of them for this machine, and leaves the lab down as found', async () => {
      const r = await calibrate({
        io,
        signal: new AbortController().signal,
        profile: { probeLevel: 200, probeBursts: 1, topLevel: 300, cooldownMs: 100 },
        search: { maxTries: 2 },
        // any share is valid here: the judgement is test/calibrate.test.ts's; this checks the measuring and the plumbing
        budget: { web_min_pct: 0, balancer_pct: 1000, generator_pct: 1000, reject_generator_bound: false },
      });
      record = r.record;
      assert.equal(r.up, null, 'the lab was down, and is brought down again');
      assert.ok(labProblems().length > 0, 'the lab is down');
      assert.ok(record.evidence.length >= 1 && record.evidence.length <= 2, JSON.stringify(record.evidence));
      assert.ok(
        record.evidence.some((p) => p.web_cpus === record.web_cpus),
        'the share kept was measured',
      );
      for (const p of record.evidence) {
        assert.ok(p.single_rps > 0, `single answered at ${p.web_cpus}`);
        assert.ok(p.web_pct !== null && p.web_pct > 0, `web1's CPU measured at ${p.web_cpus}`);
        assert.ok(p.haproxy_pct !== null && p.haproxy_pct > 0, `HAProxy's CPU measured at ${p.web_cpus}`);
        assert.ok(p.nginx_pct !== null && p.nginx_pct > 0, `Nginx's CPU measured at ${p.web_cpus}`);
        assert.ok(p.generator_pct > 0);
      }
      assert.equal(findCalibration(await thisMachine())?.file, r.file);
      assert.equal(path.dirname(r.file), store);
    });

    it("lab up gives web1's Apache cgroup the calibrated quota, and a run on the lab carries the calibration", async () => {
      const up = await runCli(['lab', 'up']);
      assert.equal(up.code, 0, up.err.join('\n'));
      assert.match(up.out.join('\n'), new RegExp(`web servers at ${record.web_cpus} CPU each, this machine's calibration`));
      const layout = detectCgroups();
      for (const web of ['web1', 'web2', 'web3']) assert.equal(groupQuota(layout, web), record.web_cpus, web);
      assert.match(readFileSync(labPaths().inventory, 'utf8'), new RegExp(`cpus: ${record.web_cpus} \\}`));

      const run = await runCli(['run', SCENARIO, '--levels', '60', '--repetitions', '1', '--out', out]);
      assert.equal(run.code, 0, run.err.join('\n'));
      const manifest = JSON.parse(readFileSync(path.join(run.last, 'manifest.json'), 'utf8'));
      assert.deepEqual(manifest.calibration, calibrationOf(record));
      const report = await runCli(['report', run.last, '--out', path.join(out, 'report')]);
      assert.equal(report.code, 0, report.err.join('\n'));
      assert.match(
        readFileSync(path.join(out, 'report', 'summary.md'), 'utf8'),
        new RegExp(`Calibrated lab \\(haproxy-lc\\): web servers at ${record.web_cpus} CPU`),
      );
    });

    it("a --config that names web.cpus wins; its runs say the share beside the machine's calibration, and keep its fingerprint", async () => {
      const config = path.join(out, 'mine.yaml');
      const share = record.web_cpus === 0.3 ? 0.31 : 0.3;
      writeFileSync(config, `web: { cpus: ${share} }\n`);
      const up = await runCli(['lab', 'up', '--config', config]);
      assert.equal(up.code, 0, up.err.join('\n'));
      assert.match(
        up.out.join('\n'),
        new RegExp(
          `web servers at ${share} CPU each, as ${config} names web.cpus \\(this machine's calibration, ${record.web_cpus}, is not used\\)`,
        ),
      );
      assert.equal(groupQuota(detectCgroups(), 'web1'), share);
      const run = await runCli(['run', SCENARIO, '--levels', '60', '--repetitions', '1', '--out', out]);
      assert.equal(run.code, 0, run.err.join('\n'));
      const manifest = JSON.parse(readFileSync(path.join(run.last, 'manifest.json'), 'utf8'));
      assert.deepEqual(manifest.calibration, { ...calibrationOf(record), lab_web_cpus: share });
      // the same machine: a share cut by a setting is a change to what is measured, gated as one
      assert.deepEqual(manifest.fingerprint.calibration, { web_cpus: record.web_cpus, target_rps: record.target_rps });
    });
  });
});
