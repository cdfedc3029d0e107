/**
 * The benchmarks are not tests (they measure this machine), but each is run once here with
 * `--tiny`, through `bench/all.js` as `npm run bench` runs them, so that they cannot rot. Without
 * nginx, wrk or ab a benchmark reports itself skipped: that is a skip here, and a failure under CI,
 * where scripts/setup.sh has installed both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCHES } from '../bench/all.js';
import { ENGINE_NAMES } from '../src/load/engines/registry.js';
import { formatResult, type BenchResult } from '../bench/lib/result.js';

const ALL = fileURLToPath(new URL('../bench/all.js', import.meta.url));
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false';

interface AllOutput {
  machine: Record<string, unknown>;
  results: (BenchResult | { bench: string; error: string })[];
}

const run: Promise<AllOutput> = new Promise((resolve, reject) => {
  execFile(process.execPath, [ALL, '--tiny', '--json'], { timeout: 300_000, maxBuffer: 10 * 2 ** 20 }, (err, stdout, stderr) => {
    // exit 1 means a benchmark failed: its error is in the JSON, asserted below
    if (err && err.code !== 1) return reject(new Error(`bench/all.js failed: ${err.message}\n${stderr}`));
    try {
      resolve(JSON.parse(stdout) as AllOutput);
    } catch {
      reject(new Error(`bench/all.js printed no JSON:\n${stdout}\n${stderr}`));
    }
  });
});
run.catch(() => {});

const figure = (r: BenchResult, name: string) => r.figures.find((f) => f.figure.startsWith(name));

/** Each check gets the benchmark's result once it ran (not skipped). */
const checks: Record<(typeof BENCHES)[number], (r: BenchResult) => void> = {
  burst: (r) => {
    assert.ok(parseFloat(String(figure(r, '200: ab req/s')?.value)) > 0, 'ab ran');
    for (const e of ENGINE_NAMES) {
      assert.ok(parseFloat(String(figure(r, `200: ${e} req/s with connect`)?.value)) > 0, `${e} sent requests`);
      assert.ok(Number(figure(r, `200: ${e} / ab req/s`)?.value) > 0);
      assert.equal(figure(r, `200: ${e} requests lost`)?.value, 0);
    }
  },
  headroom: (r) => {
    assert.ok(parseFloat(String(figure(r, 'wrk -t1 req/s')?.value)) > 0, 'wrk ran');
    for (const e of ENGINE_NAMES) {
      assert.ok(parseFloat(String(figure(r, `${e} req/s`)?.value)) > 0, `${e} sent requests`);
      assert.equal(figure(r, `${e} requests lost`)?.value, 0);
    }
  },
  overhead: (r) => {
    assert.ok(Number(figure(r, 'wall / (windows + cooldowns)')?.value) >= 1, 'wall time covers the windows');
    assert.equal(figure(r, 'requests lost')?.value, 0);
  },
  'report-scale': (r) => {
    assert.equal(figure(r, 'samples')?.value, 5 * 3 * 2);
    assert.ok(Number(figure(r, 'peak memory')?.value) > 0);
  },
  'report-scenarios': (r) => {
    // more scenarios than a report holds: the rest are left out, and it says so
    assert.equal(figure(r, 'exit code')?.value, 0);
    assert.match(String(figure(r, 'what it says it left out')?.value), /^20 of 220 scenarios left out: a report holds at most 200/);
    assert.equal(figure(r, 'scenarios in summary.csv')?.value, 200);
  },
  'probe-precision': (r) => {
    const [sent, ok] = String(figure(r, 'probes sent')?.value).match(/\d+/g)!.map(Number);
    assert.ok(sent! >= 390, `about 400 probes in 2 s, got ${sent}`);
    assert.equal(ok, sent, 'every probe to a local Nginx answered');
    assert.ok(Number(figure(r, 'send lateness p99')?.value) >= 0);
  },
  scale: (r) => {
    assert.equal(figure(r, 'every request accounted for')?.value, 'yes');
    assert.equal(figure(r, 'requests: completed / requested')?.value, '2000 / 2000');
  },
  warmup: (r) => {
    assert.ok(Number(figure(r, 'generator: a new process, first burst / second (req/s')?.value) > 0, 'bursts from new processes');
    for (const v of ['warm-up 0', 'default warm-up']) {
      assert.match(String(figure(r, `run, ${v}: first repetition within`)?.value), /^[01] of 1$/);
      assert.ok(parseFloat(String(figure(r, `single-repetition run, ${v} / ab`)?.value)) > 0, `${v}: the CLI and ab ran`);
    }
    assert.ok(
      r.notes.some((n) => /its warm-up 200 requests at \d+ req\/s/.test(n)),
      'the default warm-up is in the manifest',
    );
  },
};

for (const name of BENCHES) {
  test(`bench ${name} runs with --tiny and prints its figures`, async (t) => {
    const out = await run;
    const r = out.results.find((x) => x.bench === name);
    assert.ok(r, `${name} is in the output`);
    assert.ok(!('error' in r), `${name} failed: ${'error' in r ? r.error : ''}`);
    if (r.skipped) {
      assert.ok(!inCi, `${name} was skipped under CI (${r.skipped}); scripts/setup.sh installs nginx, wrk and ab`);
      t.skip(r.skipped);
      return;
    }
    assert.equal(r.tiny, true);
    assert.ok(r.figures.length > 0);
    checks[name](r);
    assert.match(formatResult(r), /\| figure +\| value +\| target +\| verdict \|/);
  });
}
