/**
 * compare on two real runs against local HTTP servers (port 0): the same scenario against a
 * server that answers at once, then against one that waits 100 ms before every answer. Both
 * runs are made by `lb-bench run` in-process, so this is the whole path: load, store, compare.
 * The delay is large against a busy machine's stalls: a fast repetition would have to stall for
 * half a second (five rounds of 100 ms) to overlap the slow side, which at n = 5 a side would
 * cost Mann-Whitney its p < 0.05 (one stall of 300 ms beside two busy loops did, at 20 ms).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/http-server.js';

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

/** Run the scenario `local` against url, into resultsDir; returns the run folder. */
async function runAgainst(url: string, resultsDir: string): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'lb-compare-sc-')), 'local.yaml');
  writeFileSync(
    file,
    [
      'name: local',
      'balancer: none',
      `target: ${url}`,
      'load:',
      '  levels: [50, 100]',
      '  concurrency: 10',
      '  repetitions: 5',
      '  timeout: 5s',
      '  cooldown: 0',
      '',
    ].join('\n'),
  );
  const r = await runCli(['run', file, '--out', resultsDir]);
  assert.equal(r.code, 0, r.err.join('\n'));
  const [dir] = readdirSync(resultsDir);
  return join(resultsDir, dir);
}

interface Row {
  metric: string;
  level: number;
  verdict: string;
  p: number;
  change_pct: number;
  a: { n: number };
  b: { n: number };
}

test('a 100 ms delay: rps and latency worse at every level, exit 1 under --fail-on-regression 5, and as a --baseline', async () => {
  const fast = await startServer('ok');
  const slow = await startServer('ok', { delayMs: 100 });
  servers.push(fast, slow);
  const baseline = mkdtempSync(join(tmpdir(), 'lb-compare-base-'));
  const current = mkdtempSync(join(tmpdir(), 'lb-compare-cur-'));
  const before = await runAgainst(fast.url, baseline);
  const afterDelay = await runAgainst(slow.url, current);

  const r = await runCli(['compare', before, afterDelay, '--json']);
  assert.equal(r.code, 0, r.err.join('\n'));
  const rows = (JSON.parse(r.out.join('\n')) as { comparisons: { rows: Row[] }[] }).comparisons[0].rows;
  const show = (m: string) =>
    rows
      .filter((x) => x.metric === m)
      .map((x) => `${x.level}: ${x.change_pct.toFixed(1)} % p ${x.p.toFixed(4)} ${x.verdict}`)
      .join('; ');
  // The tails (p90, p99, max of 50 or 100 requests) are not asserted: on the fast side they are a few
  // requests each, and one GC pause or a busy neighbour on this machine (seen: 300 ms) outweighs them.
  for (const metric of ['rps', 'throughput_mbps', 'duration_s', 'latency_ms.p50']) {
    const mine = rows.filter((x) => x.metric === metric);
    assert.deepEqual(
      mine.map((x) => x.level),
      [50, 100],
      metric,
    );
    for (const x of mine) {
      assert.equal(x.verdict, 'worse', `${metric}: ${show(metric)}`);
      // five repetitions a side, not 50 or 100 requests
      assert.deepEqual([x.a.n, x.b.n], [5, 5]);
    }
  }
  for (const x of rows.filter((x) => x.metric === 'latency_ms.p50'))
    assert.ok(x.change_pct > 100, `p50 grows by 100 ms on a few ms: ${show('latency_ms.p50')}`);

  const gated = await runCli(['compare', before, afterDelay, '--fail-on-regression', '5', '--verbose']);
  assert.equal(gated.code, 1);
  assert.match(gated.out[0], /^gate: FAIL — \d+ significant regressions of more than 5 %$/, 'the outcome comes first');
  assert.match(gated.out.join('\n'), /^rps: [\s\S]*^latency_ms\.max: [\s\S]*^mean ± 95 % CI/m, 'then, with --verbose, every table');
  const breaches = gated.err.filter((l) => l.startsWith('regression: '));
  for (const m of ['rps', 'latency_ms.p50'])
    for (const level of [50, 100])
      assert.ok(
        breaches.some((l) => l.includes(`: ${m} at level ${level}: `)),
        `${m} ${level}:\n${breaches.join('\n')}`,
      );

  // the nightly way: the newest run of every scenario against last night's folder
  const nightly = await runCli(['compare', '--results', current, '--baseline', baseline, '--fail-on-regression', '5', '--metric', 'rps']);
  assert.equal(nightly.code, 1, nightly.err.join('\n'));
  assert.match(nightly.err[0], /^local: baseline .*-local vs .*-local$/);
  assert.equal(nightly.out[0], 'gate: FAIL — 2 significant regressions of more than 5 %');
  assert.ok(nightly.out.includes('== local: baseline vs current =='), nightly.out.join('\n'));
  assert.equal(
    nightly.err.filter((l) => /^regression: local: baseline vs current: rps at level (50|100): -\d+\.\d %/.test(l)).length,
    2,
    nightly.err.join('\n'),
  );
});
