/**
 * The nightly history: `history append` and `compare --history`, on synthetic nights written as
 * run folders and appended one night at a time through the whole CLI, as the nightly workflow
 * does. A single noisy night must not fail the gate; a lasting step must. Absolute figures are
 * judged by the nights of the same machine, portable ones by every night.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { judgeNight } from '../src/compare/history-judge.js';
import { MIN_NIGHTS } from '../src/compare/history-limits.js';
import { predictionBand } from '../src/stats/prediction.js';
import type { Manifest } from '../src/results/types.js';
import type { RunSample } from '../src/kinds/load/sample.js';
import type { LoadScenario } from '../src/kinds/load/scenario.js';
import { runCli } from './helpers/cli.js';
import { workspace } from './helpers/scenario.js';
import { sample, scenario, writeRun } from './report-fixtures.js';

const ws = workspace();
after(() => ws.remove());

/** 20 nights' deviations from the mean, in %: a noise of about 2 % (fixed, so the test is the same every time). */
const NOISE = [0.8, -1.9, 2.4, -0.6, 1.3, -2.2, 0.1, 1.7, -1.1, 2.9, -0.3, -1.6, 0.9, 2.0, -2.6, 1.1, -0.8, 0.4, -1.4, 1.9];
const load = { ...scenario('x').load, levels: [1000], repetitions: 5 };
const X: Partial<Manifest<LoadScenario>> = {
  host: { hostname: 'runner', cpus: 2, cpu_model: 'AMD EPYC 7763', memory_gb: 7.8 },
  generator: { engine: 'net', workers: 0, workers_by_level: {} },
};
const Y: Partial<Manifest<LoadScenario>> = { ...X, host: { ...X.host!, cpu_model: 'Intel Xeon Platinum 8370C' } };

/** One night: five repetitions at 1000 around `rps`, `lost` requests lost in each. */
function night(rps: number, lost = 1): RunSample[] {
  return [-2, -1, 0, 1, 2].map((d, i) => sample(1000, i + 1, 1, { rps: rps + d, loss: lost, errors: lost, completed: 1000 - lost }));
}

let nightNo = 0;
/** Writes night n into its own results folder (as each CI night has), appends it to the history; returns the folder. */
async function nightly(history: string, rps: number, machine = X, lost = 1): Promise<string> {
  nightNo++;
  const results = join(ws.dir, `night-${nightNo}`);
  const at = new Date(Date.UTC(2026, 0, 1, 2, 17) + nightNo * 86_400_000).toISOString();
  writeRun(results, scenario('single', { load }), night(rps, lost), machine, at);
  const r = await runCli(['history', 'append', history, '--results', results]);
  assert.equal(r.code, 0, r.err.join('\n'));
  return results;
}

const judge = (history: string, results: string, ...more: string[]) =>
  runCli(['compare', '--history', history, '--results', results, '--fail-on-regression', '10', '--metric', 'rps', 'loss_ratio', ...more]);

test('14 nights of noise, then one outlier: it is watched, not failed; the night after is fine again', async () => {
  const history = join(ws.dir, 'noise.jsonl');
  for (let i = 0; i < 14; i++) await nightly(history, 1000 * (1 + NOISE[i] / 100));
  const outlier = await nightly(history, 700);
  let r = await judge(history, outlier);
  assert.equal(r.code, 0, [...r.out, ...r.err].join('\n'));
  assert.ok(
    r.err.some((l) =>
      /^watch: history: single: rps at level 1000: -30\.\d %, outside the 99 % band of 14 nights tonight \(1 of 2 nights in a row needed for a regression\)$/.test(
        l,
      ),
    ),
    r.err.join('\n'),
  );
  assert.match(
    r.out.join('\n'),
    /^rps\s+1000\s+700\.0\s+14 \(this machine\)\s+10\d\d\.\d\s+9\d\d\.\d – 10\d\d\.\d\s+-30\.\d %\s+watch \(1 of 2 nights out\)$/m,
  );
  assert.equal(r.err.at(-1), 'no regression of more than 10 %');

  const next = await nightly(history, 1000 * (1 + NOISE[15] / 100));
  r = await judge(history, next, '--json');
  assert.equal(r.code, 0, r.err.join('\n'));
  const rows = JSON.parse(r.out.join('\n')).history.rows as { metric: string; verdict: string; nights_out: number; band: { n: number } }[];
  assert.deepEqual(
    rows.map((x) => [x.metric, x.verdict, x.nights_out, x.band.n]),
    [
      ['rps', '~', 0, 14],
      ['loss_ratio', '~', 0, 14],
    ],
  );
});

test('a lasting 30 % step: the first night is watched, the second and third fail', async () => {
  const history = join(ws.dir, 'step.jsonl');
  for (let i = 0; i < 14; i++) await nightly(history, 1000 * (1 + NOISE[i] / 100));
  const codes: number[] = [];
  let last: Awaited<ReturnType<typeof judge>> | null = null;
  for (let i = 0; i < 3; i++) {
    last = await judge(history, await nightly(history, 700 * (1 + NOISE[14 + i] / 100)));
    codes.push(last.code);
  }
  assert.deepEqual(codes, [0, 1, 1], last!.err.join('\n'));
  // the third night is judged against the 14 nights before the step, not a band the step has widened
  assert.ok(
    last!.err.some((l) =>
      /^regression: history: single: rps at level 1000: -30\.\d % against the mean of 14 nights of this machine \(99 % band 9\d\d\.\d – 10\d\d\.\d\), out 3 nights running$/.test(
        l,
      ),
    ),
    last!.err.join('\n'),
  );
  assert.equal(last!.err.at(-1), 'lb-bench: 1 regression of more than 10 %');
});

test('absolute figures by the nights of this machine only; portable ones by every night', async () => {
  const history = join(ws.dir, 'machines.jsonl');
  // 14 nights on machine Y, 2 % loss; tonight on X: rps at half (a slower machine), loss per request 5 %
  for (let i = 0; i < 14; i++) await nightly(history, 1000 * (1 + NOISE[i] / 100), Y, 20);
  const x1 = await nightly(history, 500, X, 50);
  const r = await judge(history, x1, '--json');
  assert.equal(r.code, 0, 'one night out is only watched');
  const out = JSON.parse(r.out.join('\n'));
  const row = (m: string) => out.history.rows.find((x: { metric: string }) => x.metric === m);
  assert.deepEqual(
    [row('rps').verdict, row('rps').gated, row('rps').nights_of, row('rps').recorded],
    ['too few nights', false, 'this machine', 0],
  );
  assert.deepEqual([row('loss_ratio').verdict, row('loss_ratio').nights_of, row('loss_ratio').band.n], ['watch', 'all machines', 14]);
  assert.ok(
    r.err.includes(`history: single: absolute figures not gated: 0 nights of this machine on record, ${MIN_NIGHTS} needed`),
    r.err.join('\n'),
  );
  // a second night like it: the portable loss per request is a regression, rps still has no nights to be judged by
  const x2 = await nightly(history, 505, X, 50);
  const r2 = await judge(history, x2);
  assert.equal(r2.code, 1, r2.err.join('\n'));
  assert.deepEqual(
    r2.err.filter((l) => l.startsWith('regression: ')).map((l) => l.split(': ')[3].split(' at ')[0]),
    ['loss_ratio'],
  );
});

test('history append: a line per scenario and level with n, mean, sd, CI and the fingerprint; a night appended twice counts once', async () => {
  const history = join(ws.dir, 'append.jsonl');
  const results = await nightly(history, 1000);
  const again = await runCli(['history', 'append', history, '--results', results]);
  assert.equal(again.code, 0);
  assert.equal(again.out[0], `${history}: 0 lines appended (1 already there)`);
  const lines = readFileSync(history, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 1);
  const [l] = lines;
  assert.deepEqual([l.format, l.scenario, l.kind, l.level, l.fingerprint.cpu_model], [1, 'single', 'load', 1000, 'AMD EPYC 7763']);
  assert.match(l.run, /^\d{8}-\d{6}-single$/);
  assert.deepEqual([l.metrics.rps.n, l.metrics.rps.mean, l.metrics.loss_ratio.mean], [5, 1000, 0.001]);
  assert.ok(l.metrics.rps.ci_low < 1000 && l.metrics.rps.ci_high > 1000 && l.metrics.rps.sd > 0);

  // a torn last line (a crash mid-append) is left out with a warning, and cut off by the next append
  appendFileSync(history, '{"format":1,"run":"torn');
  const r = await judge(history, results);
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.ok(
    r.err.some((x) => /line 2 is torn/.test(x)),
    r.err.join('\n'),
  );
  const cut = await nightly(history, 1000);
  assert.ok(cut);
  assert.equal(readFileSync(history, 'utf8').trim().split('\n').length, 2, 'the fragment is gone, the new night is a line of its own');
});

test('compare --history: bad input is one line, exit 2', async () => {
  const history = join(ws.dir, 'bad.jsonl');
  const results = await nightly(history, 1000);
  writeFileSync(history, readFileSync(history, 'utf8') + JSON.stringify({ format: 1, run: 'x', level: 'high' }) + '\n');
  let r = await judge(history, results);
  assert.equal(r.code, 2);
  assert.match(r.err[0], new RegExp(`^lb-bench: ${history}: line 2: at: is required$`));
  assert.ok(r.err.includes(`${history}: line 2: level: must be a number, got "high"`), r.err.join('\n'));

  r = await runCli(['compare', '--history', history, '--results', results, '--nights', '3']);
  assert.deepEqual([r.code, r.err[0]], [2, 'lb-bench: --nights: must be a whole number from 5 to 1000, got "3"']);
  r = await runCli(['compare', 'a', 'b', '--history', history]);
  assert.equal(r.code, 2);
  assert.match(r.err[0], /--history judges the newest run of every scenario under --results; give no A and B/);
  r = await runCli(['compare', 'a', 'b', '--nights', '7']);
  assert.deepEqual([r.code, r.err[0]], [2, 'lb-bench: --nights: only with --history FILE']);
  r = await runCli(['history', 'append', join(ws.dir, 'h.jsonl'), '--results', join(ws.dir, 'nothing')]);
  assert.equal(r.code, 2);
  assert.match(r.err[0], /^lb-bench: history append: no runs under /);

  // a file that does not exist yet: said, nothing judged, nothing failed
  r = await judge(join(ws.dir, 'none.jsonl'), results);
  assert.equal(r.code, 0);
  assert.ok(
    r.err.includes(`history: ${join(ws.dir, 'none.jsonl')} does not exist yet: no nights to judge by (lb-bench history append writes it)`),
  );
});

test('the band and the judgement by hand', () => {
  // 10, 12, 14, 16, 18: mean 14, s = √10; t(0.995, 4) = 4.604094; half = 4.604094·√10·√1.2 = 15.949
  const b = predictionBand([10, 12, 14, 16, 18], 0.99);
  assert.equal(b.mean, 14);
  assert.ok(Math.abs(b.high - 14 - 4.604094 * Math.sqrt(10) * Math.sqrt(1.2)) < 1e-5, String(b.high));
  const o = { nights: 14, confirm: 2, pct: 10, better: 'higher' as const };
  const past = [100, 101, 99, 100, 102, 98, 100];
  assert.equal(judgeNight(past.slice(0, 4), 50, o).verdict, 'too few nights');
  assert.equal(judgeNight(past, 100.5, o).verdict, '~');
  assert.equal(judgeNight(past, 120, o).verdict, 'better');
  assert.equal(judgeNight(past, 80, o).verdict, 'watch');
  assert.equal(judgeNight([...past, 80], 79, o).verdict, 'worse');
  // out of the band, but by less than the gate's 10 %: not out
  assert.equal(judgeNight(past, 94, o).verdict, '~');
  assert.equal(judgeNight([...past, 94], 94, { ...o, pct: 0 }).verdict, 'worse');
  // lower is better: the worse side is above
  assert.equal(judgeNight([...past, 120], 121, { ...o, better: 'lower' }).verdict, 'worse');
});
