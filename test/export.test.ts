/**
 * The exporters (src/export): pure, a table or a document in, text out; tested with literal
 * tables. That every command's tables go through them: compare, report and reproduce's own tests,
 * whose assertions did not change when their tables moved here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXPORTERS, FORMATS } from '../src/export/registry.js';
import { cellText, spell, table, type Block } from '../src/export/table.js';
import { csv } from '../src/export/csv.js';
import { html } from '../src/export/html.js';
import { json } from '../src/export/json.js';
import { md } from '../src/export/md.js';
import { text } from '../src/export/text.js';
import { runCli } from './helpers/cli.js';

const BASELINE = resolve(import.meta.dirname, '../../baselines/lab-quick');

const right = (name: string) => ({ name, align: 'right' as const });
// a name with a comma, a pipe and markup; a mean with more digits than a person reads; no value; a change from 0
const T = table(
  ['scenario', right('level'), right('mean'), right('p'), 'gated', { name: 'verdict', strong: true }],
  [
    ['a|b, <c>', 1000, 2352.937123456789, 0.0079365, true, 'worse'],
    ['single', 5000, null, Infinity, false, '~'],
  ],
);

test('markup formats spell values as a person reads them; data formats keep them exact', () => {
  assert.deepEqual([null, 1000, 2352.937123, 0.0079365, -Infinity, true, 'x'].map(cellText), [
    '–',
    '1000',
    '2352.9',
    '0.0079',
    '-inf',
    'yes',
    'x',
  ]);

  assert.equal(
    text.table(T),
    [
      'scenario  level    mean       p  gated  verdict',
      'a|b, <c>   1000  2352.9  0.0079  yes    worse',
      'single     5000       –    +inf  no     ~',
    ].join('\n'),
  );

  const m = md.table(T).split('\n');
  assert.equal(m[0], '| scenario | level | mean | p | gated | verdict |');
  assert.equal(m[1], '|---|---:|---:|---:|---|---|');
  assert.equal(m[2], '| a\\|b, &lt;c&gt; | 1000 | 2352.9 | 0.0079 | yes | worse |');

  const h = html.table(T);
  assert.match(h, /<th class="num">level<\/th>/);
  assert.match(h, /<td>a\|b, &lt;c&gt;<\/td><td class="num">1000<\/td>/);
  assert.match(h, /<td><strong>worse<\/strong><\/td>/);

  assert.equal(
    csv.table(T),
    ['scenario,level,mean,p,gated,verdict', '"a|b, <c>",1000,2352.937123456789,0.0079365,true,worse', 'single,5000,,inf,false,~', ''].join(
      '\n',
    ),
  );

  assert.deepEqual(JSON.parse(json.table(T)), [
    { scenario: 'a|b, <c>', level: 1000, mean: 2352.937123456789, p: 0.0079365, gated: true, verdict: 'worse' },
    { scenario: 'single', level: 5000, mean: null, p: null, gated: false, verdict: '~' },
  ]);
});

test('a document: text as the terminal reads it, md and html with their headings; data formats take the data table', () => {
  const doc: Block[] = [
    { heading: 'lb-bench compare', level: 1 },
    { lines: ['gate: pass'], style: 'strong' },
    { heading: 'x: a vs b', level: 2 },
    { lines: ['warning (a): noisy'], style: 'list' },
    { heading: 'rps', level: 3 },
    { table: T },
    { lines: ['a = dir'], style: 'list' },
    { lines: [] },
    { lines: ['2 rows not shown'], apart: true },
  ];
  const t = text.document(doc).split('\n');
  assert.deepEqual(t.slice(0, 5), ['gate: pass', '', '== x: a vs b ==', 'warning (a): noisy', '']);
  assert.deepEqual(t.slice(5, 7), ['rps', 'scenario  level    mean       p  gated  verdict']);
  assert.deepEqual(t.slice(-4), ['', 'a = dir', '', '2 rows not shown']);

  const m = md.document(doc);
  assert.match(m, /^# lb-bench compare\n\n\*\*gate: pass\*\*\n\n## x: a vs b\n\n- warning \(a\): noisy\n\n### rps\n\n\| scenario \|/);
  assert.match(m, /\| single \| 5000 \| – \| \+inf \| no \| ~ \|\n\n- a = dir\n\n2 rows not shown$/);

  const h = html.document(doc);
  assert.match(
    h,
    /^<!doctype html>[\s\S]*<title>lb-bench compare<\/title>[\s\S]*<h2>x: a vs b<\/h2>\n<ul><li>warning \(a\): noisy<\/li><\/ul>\n<h3>rps<\/h3>\n<table>/,
  );

  const data = table(['n'], [[1]]);
  assert.equal(spell(csv, { document: () => doc, data: () => data }), 'n\n1\n');
  assert.equal(spell(text, { document: () => doc, data: () => data }), text.document(doc));
});

test("compare --format offers the registry's formats, and each one prints", async () => {
  assert.deepEqual(Object.keys(EXPORTERS), FORMATS);
  const bad = await runCli(['compare', '--format', 'xml']);
  assert.equal(bad.code, 2);
  assert.ok(bad.err.join('\n').includes(`Allowed choices are ${FORMATS.join(', ')}.`), bad.err.join('\n'));

  const [a, b] = ['single', 'haproxy-lc'].map((s) =>
    join(
      BASELINE,
      readdirSync(BASELINE).find((d) => d.endsWith(`-${s}`))!,
    ),
  );
  const csvRows = (await runCli(['compare', a, b, '--metric', 'rps', '--format', 'csv'])).out.length - 1;
  for (const f of FORMATS) {
    const r = await runCli(['compare', a, b, '--metric', 'rps', '--format', f]);
    assert.equal(r.code, 0, `${f}: ${r.err.join('\n')}`);
    assert.ok(
      r.out.join('\n').includes(EXPORTERS[f].kind === 'data' ? '20261126-091621-haproxy-lc' : '1787.7'),
      `${f}: ${r.out.join('\n')}`,
    );
    if (f === 'json') assert.equal((JSON.parse(r.out.join('\n')) as unknown[]).length, csvRows, 'a row per csv line');
  }
});
