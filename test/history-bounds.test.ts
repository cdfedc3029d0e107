/**
 * The nightly history kept bounded and corrected: `history append` prunes to each scenario's newest
 * N nights and to a number of bytes, `history prune` does it alone, and `history accept` makes an
 * intended change the new normal, so that the nights after it pass. Through the whole CLI, on
 * synthetic nights written as run folders.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunSample } from '../src/kinds/load/sample.js';
import { pruneHistory } from '../src/compare/history-prune.js';
import type { HistoryEntry } from '../src/compare/history.js';
import { runCli } from './helpers/cli.js';
import { workspace } from './helpers/scenario.js';
import { sample, scenario, writeRun } from './report-fixtures.js';

const ws = workspace();
after(() => ws.remove());

const NOISE = [0.8, -1.9, 2.4, -0.6, 1.3, -2.2, 0.1, 1.7, -1.1, 2.9, -0.3, -1.6, 0.9, 2.0, -2.6, 1.1, -0.8, 0.4, -1.4, 1.9];
const load = { ...scenario('x').load, levels: [1000, 2000], repetitions: 5 };
const night = (rps: number): RunSample[] =>
  [1000, 2000].flatMap((level) => [-2, -1, 0, 1, 2].map((d, i) => sample(level, i + 1, 1, { rps: rps + d })));

let nightNo = 0;
/** Night n of the named scenarios into its own results folder; returns the folder. */
function write(rps: number, names = ['single']): string {
  nightNo++;
  const results = join(ws.dir, `night-${nightNo}`);
  const at = new Date(Date.UTC(2026, 0, 1, 2, 17) + nightNo * 86_400_000).toISOString();
  for (const name of names) writeRun(results, scenario(name, { load }), night(rps), {}, at);
  return results;
}

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as HistoryEntry & { run: string; scenario: string });
const nightsOf = (file: string, name: string) =>
  new Set(
    lines(file)
      .filter((l) => l.scenario === name && !('accept' in l))
      .map((l) => l.run),
  ).size;

test('history append keeps each scenario its newest N nights (default 30), and says what it pruned', async () => {
  const history = join(ws.dir, 'keep.jsonl');
  for (let i = 0; i < 8; i++) {
    const names = i < 3 ? ['single', 'nginx-rr'] : ['single'];
    const r = await runCli(['history', 'append', history, '--results', write(1000 * (1 + NOISE[i] / 100), names), '--keep-nights', '5']);
    assert.equal(r.code, 0, r.err.join('\n'));
    if (i === 5)
      assert.ok(
        r.err.includes(
          `history: ${history}: pruned 2 lines (1 night older than each scenario's newest 5); ${statSync(history).size} bytes kept`,
        ),
        r.err.join('\n'),
      );
  }
  assert.equal(nightsOf(history, 'single'), 5, 'the newest 5 of 8');
  assert.equal(nightsOf(history, 'nginx-rr'), 3, 'a scenario with fewer nights keeps them all');
  const runs = [
    ...new Set(
      lines(history)
        .filter((l) => l.scenario === 'single')
        .map((l) => l.run),
    ),
  ];
  assert.deepEqual(runs, [...runs].sort(), 'oldest first, as appended');
  assert.match(runs[0], /^20260105-/, 'nights 1–3 of single were dropped');

  // the default: 30
  const many = join(ws.dir, 'default.jsonl');
  for (let i = 0; i < 32; i++) assert.equal((await runCli(['history', 'append', many, '--results', write(1000)])).code, 0);
  assert.equal(nightsOf(many, 'single'), 30);
});

test('history prune --max-bytes drops the oldest nights until the file fits, never the newest', async () => {
  const history = join(ws.dir, 'bytes.jsonl');
  for (let i = 0; i < 10; i++)
    assert.equal((await runCli(['history', 'append', history, '--results', write(1000, ['single', 'nginx-rr'])])).code, 0);
  const night = statSync(history).size / 20; // 10 nights × 2 scenarios, all alike in size
  const r = await runCli(['history', 'prune', history, '--max-bytes', `${Math.floor(night * 6.5)}`]);
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.equal(r.out[0], `${history}: 28 lines pruned`);
  assert.match(r.err[0], /pruned 28 lines \(the oldest 14 nights to stay within \d+ bytes\)/);
  assert.ok(statSync(history).size <= night * 6.5);
  assert.equal(nightsOf(history, 'single') + nightsOf(history, 'nginx-rr'), 6);

  const tiny = await runCli(['history', 'prune', history, '--max-bytes', '1K']);
  assert.equal(tiny.code, 0);
  assert.equal(nightsOf(history, 'single') + nightsOf(history, 'nginx-rr'), 1, 'the newest night stays, whatever its size');
});

test('history accept: an intended step fails the gate until it is accepted; then the nights after it pass', async () => {
  const history = join(ws.dir, 'accept.jsonl');
  const judge = (results: string) =>
    runCli(['compare', '--history', history, '--results', results, '--fail-on-regression', '10', '--metric', 'rps']);
  for (let i = 0; i < 10; i++) await runCli(['history', 'append', history, '--results', write(1000 * (1 + NOISE[i] / 100))]);
  // the upgrade halves req/s: watched, then failed
  let step = write(500);
  assert.equal((await judge(step)).code, 0);
  await runCli(['history', 'append', history, '--results', step]);
  step = write(505);
  const failed = await judge(step);
  assert.equal(failed.code, 1, 'the second night of the step is a regression');

  const accepted = await runCli(['history', 'accept', history, '--results', step]);
  assert.equal(accepted.code, 0, accepted.err.join('\n'));
  assert.deepEqual(accepted.out, [
    `${history}: single: accepted ${lines(history).at(-1)!.run} as the new normal; the nights before it are no longer judged by`,
  ]);
  const marker = lines(history).at(-1) as unknown as Record<string, unknown>;
  assert.equal(marker.accept, true);
  assert.ok(
    lines(history).some((l) => l.run === marker.run && !('accept' in l)),
    'the accepted night is in the history',
  );

  // the next nights, at the new level: not judged by the old nights, so nothing fails
  for (const rps of [498, 503, 501]) {
    const next = write(rps);
    const r = await judge(next);
    assert.equal(r.code, 0, [...r.out, ...r.err].join('\n'));
    assert.ok(!r.err.some((l) => l.startsWith('watch:')), r.err.join('\n'));
    await runCli(['history', 'append', history, '--results', next]);
  }
  // five nights of the new normal: judged by them, a fall from 500 is seen again
  await runCli(['history', 'append', history, '--results', write(499)]);
  const lower = await judge(write(300));
  assert.ok(
    lower.err.some((l) => /^watch: history: single: rps at level 1000: -40\.\d %/.test(l)),
    lower.err.join('\n'),
  );

  // the acceptance survives pruning while nights older than it are kept, and goes with them
  assert.equal((await runCli(['history', 'prune', history, '--keep-nights', '8'])).code, 0);
  assert.ok(lines(history).some((l) => 'accept' in l));
  assert.equal((await runCli(['history', 'prune', history, '--keep-nights', '5'])).code, 0);
  assert.ok(!lines(history).some((l) => 'accept' in l), 'nothing older than it is left: it no longer leaves anything out');
});

test('pruneHistory keeps only the newest acceptance of a scenario', () => {
  const base = { format: 1 as const, kind: 'load', level: 1000, fingerprint: {} as never, metrics: {} };
  const n = (run: string, at: string) => ({ ...base, run, at, scenario: 's' });
  const a = (run: string, at: string) => ({ format: 1 as const, accept: true as const, scenario: 's', run, at, accepted_at: at });
  const entries: HistoryEntry[] = [n('r1', '1'), n('r2', '2'), a('r2', '2'), n('r3', '3'), a('r3', '3'), n('r4', '4')];
  const p = pruneHistory(entries, { keepNights: 30, maxBytes: 1e9 });
  assert.deepEqual(
    p.kept.map((e) => ('accept' in e ? `accept ${e.run}` : e.run)),
    ['r1', 'r2', 'r3', 'accept r3', 'r4'],
  );
  assert.equal(p.lines, 1);
});

test('history: bad input is one line, exit 2', async () => {
  const history = join(ws.dir, 'bad.jsonl');
  const results = write(1000);
  for (const [args, message] of [
    [['history', 'append', history, '--results', results, '--keep-nights', '3'], /--keep-nights: must be a whole number of at least 5/],
    [['history', 'append', history, '--results', results, '--max-bytes', 'lots'], /--max-bytes: must be a size of at least 1K/],
    [['history', 'prune', join(ws.dir, 'none.jsonl')], /history prune: .*none\.jsonl does not exist/],
    [['history', 'accept', history, '--results', results, '--scenario', 'nope'], /--scenario: no runs of "nope"/],
    [['history', 'accept', history, '--results', results, '--keep-nights', '9'], /--keep-nights and --max-bytes go with append or prune/],
    [['history', 'forget', history], /history: unknown action "forget"/],
  ] as const) {
    const r = await runCli([...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err[0], message);
  }
});
