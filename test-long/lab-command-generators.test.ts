/**
 * Two generators reached by a command on the lab: its client namespaces, each worker started with
 * `ip netns exec` (scenarios/examples/lab-netns-inventory.yaml), 20 000 at once through the VIP.
 * Needs root and the lab up (either missing is a failure, never a skip); a few minutes.
 *
 *   npm run build && node --test dist/test-long/lab-command-generators.test.js
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { requireLab } from '../test/helpers/lab.js';
import { workspace } from '../test/helpers/scenario.js';
import { labProblems } from '../src/lab/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/lb-bench.js');
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

it(
  '20 000 at once from two namespaces reached by ip netns exec: every request accounted for, shares, start skew, exact merge',
  { timeout: 30 * 60_000 },
  () => {
    requireLab();
    assert.deepEqual(labProblems(), [], 'the lab is up');
    const ws = workspace();
    try {
      const r = spawnSync(process.execPath, [BIN, 'run', 'scenarios/examples/lab-command-generators.yaml', '--out', ws.results], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30 * 60_000,
      });
      assert.equal(r.status, 0, r.stderr.slice(-4000));
      const samples = ws.samples(resolve(ROOT, r.stdout.trim().split('\n').at(-1)!));
      assert.equal(samples.length, 3);
      for (const s of samples) {
        assert.equal(s.requested, 20_000);
        assert.equal(s.requested, s.completed + s.errors + s.timeouts + s.non2xx, 'every request accounted for');
        assert.deepEqual(s.workers.map((w: { host: string }) => w.host).sort(), ['gen1', 'gen2']);
        for (const w of s.workers) {
          assert.equal(w.requested, 10_000, 'each worker its share');
          assert.equal(w.requested, w.completed + w.errors + w.timeouts + w.non2xx);
          assert.ok(Number.isFinite(w.start_ms) && Number.isFinite(w.start_skew_ms) && Number.isFinite(w.go_round_trip_ms));
        }
        for (const k of ['requested', 'completed', 'errors', 'timeouts', 'non2xx', 'bytes'])
          assert.equal(sum(s.workers.map((w: Record<string, number>) => w[k])), s[k], `the merge: ${k}`);
        assert.equal(s.start_skew_ms, Math.max(...s.workers.map((w: { start_skew_ms: number }) => w.start_skew_ms)));
        console.log(
          `rep ${s.repetition}: ${s.completed}/${s.requested} completed, loss ${s.loss}, ${s.rps} req/s, start skew ${s.start_skew_ms} ms`,
        );
      }
    } finally {
      ws.remove();
    }
  },
);
