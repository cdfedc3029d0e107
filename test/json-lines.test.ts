/**
 * `--format json-lines`, a format added as one exporter file and one registry line: the real CLI
 * (bin/lb-bench.js over dist/) on a copy of the committed baseline, every line parsed, every figure
 * the one `--json` holds, for compare and for compare --history.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DATA_COLUMNS } from '../src/compare/compare-tables.js';
import { HISTORY_DATA_COLUMNS } from '../src/compare/history-format.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BASELINE = join(ROOT, 'baselines/lab-quick');
const dir = mkdtempSync(join(tmpdir(), 'lb-json-lines-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const copy = join(dir, 'lab-quick');
cpSync(BASELINE, copy, { recursive: true });

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/lb-bench.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Every line of stdout, each one JSON object, none left over. */
function lines(out: string): Record<string, unknown>[] {
  assert.ok(out.endsWith('\n'), 'the last line ends');
  return out
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

interface Everything {
  comparisons: {
    a: { id: string };
    rows: { metric: string; level: number; a: { mean: number; n: number }; b: { mean: number }; p: number | null }[];
  }[];
  history: { rows: { scenario: string; metric: string; level: number; tonight: number; verdict: string }[] } | null;
}

test('compare --baseline --format json-lines: a line per row of every comparison, its keys the csv columns, every figure exact', () => {
  const r = cli('compare', '--baseline', BASELINE, '--results', copy, '--format', 'json-lines');
  assert.equal(r.code, 0, r.err);
  const got = lines(r.out);
  const all = JSON.parse(cli('compare', '--baseline', BASELINE, '--results', copy, '--json').out) as Everything;
  const rows = all.comparisons.flatMap((c) => c.rows.map((x) => ({ run: c.a.id, ...x })));
  assert.equal(got.length, rows.length);
  assert.equal(new Set(got.map((l) => l.a_run)).size, 5, 'the five scenarios');
  got.forEach((l, i) => {
    assert.deepEqual(Object.keys(l), [...DATA_COLUMNS], `line ${i + 1}`);
    const x = rows[i];
    assert.deepEqual(
      [l.a_run, l.metric, l.level, l.a_n, l.a_mean, l.b_mean, l.p],
      [x.run, x.metric, x.level, x.a.n, x.a.mean, x.b.mean, x.p],
    );
  });
  assert.equal(cli('compare', '--baseline', BASELINE, '--results', copy, '--format', 'csv').out.trim().split('\n').length, got.length + 1);
});

test('compare --history --format json-lines: a line per scenario, metric and level; with --baseline too it is one table, exit 2', () => {
  const history = join(dir, 'history.jsonl');
  assert.equal(cli('history', 'append', history, '--results', copy).code, 0);
  const r = cli('compare', '--history', history, '--results', copy, '--format', 'json-lines');
  assert.equal(r.code, 0, r.err);
  const got = lines(r.out);
  const all = JSON.parse(cli('compare', '--history', history, '--results', copy, '--json').out) as Everything;
  assert.equal(got.length, all.history!.rows.length);
  got.forEach((l, i) => {
    assert.deepEqual(Object.keys(l), [...HISTORY_DATA_COLUMNS], `line ${i + 1}`);
    const x = all.history!.rows[i];
    assert.deepEqual([l.scenario, l.metric, l.level, l.tonight, l.verdict], [x.scenario, x.metric, x.level, x.tonight, x.verdict]);
  });

  const both = cli('compare', '--history', history, '--baseline', BASELINE, '--results', copy, '--format', 'json-lines');
  assert.equal(both.code, 2);
  assert.match(
    both.err,
    /^lb-bench: compare: --format json-lines is one table: give --history or --baseline, not both \(or use --json\)$/m,
  );
});
