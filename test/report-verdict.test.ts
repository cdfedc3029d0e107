/**
 * The report read in thirty seconds, on the committed baseline (baselines/lab-quick, read by
 * `lb-bench report` in-process): the verdict and its caveats before the first chart, a caption on
 * every figure, the same verdict atop summary.md, no interval below zero in summary.csv; and each
 * verdict on a copy of the baseline (or a run) edited to trip it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/io.js';
import { failoverScenario, grid, sample, scenario, writeFailoverRun, writeRun } from './report-fixtures.js';

const BASELINE = 'baselines/lab-quick';
const tmp = () => mkdtempSync(join(tmpdir(), 'lb-verdict-'));

async function report(results: string, ...runs: string[]): Promise<{ html: string; md: string; csv: string; out: string }> {
  const out = join(tmp(), 'report');
  const err: string[] = [];
  const io: Io = { out: () => {}, err: (t) => void err.push(t), interactive: false, debug: false };
  assert.equal(await main(['report', ...runs, '--results', results, '--out', out], io), 0, err.join('\n'));
  const read = (f: string) => readFileSync(join(out, f), 'utf8');
  return { html: read('index.html'), md: read('summary.md'), csv: read('summary.csv'), out };
}

/** The text of an HTML fragment, as a reader sees it. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The Markdown verdict's list items, as plain text. */
const mdItems = (md: string) =>
  md
    .slice(md.indexOf('## Verdict'), md.indexOf('### Read with care'))
    .split('\n')
    .filter((l) => l.startsWith('- '))
    .map((l) =>
      l
        .slice(2)
        .replace(/\*\*|`/g, '')
        .replace(/&gt;/g, '>')
        .replace(/&lt;/g, '<')
        .replace(/&amp;/g, '&'),
    );

test('the baseline: the verdict and the generator-bound caveat before the first chart, a caption on every figure', async () => {
  const { html, md } = await report(BASELINE);
  const verdict = html.indexOf('<h2>Verdict</h2>');
  const caveat = html.indexOf('nginx-rr at 10,000: generator-bound in 5 of 5 runs');
  const firstChart = html.indexOf('<img');
  assert.ok(verdict > 0 && verdict < html.indexOf('<h2>', html.indexOf('<h1>') + 1) + 1, 'the verdict is the first section');
  assert.ok(caveat > verdict && caveat < firstChart, `the caveat (${caveat}) before the first chart (${firstChart})`);
  const first = text(html.slice(verdict, html.indexOf('</ul>', verdict)));
  assert.match(
    first,
    /10,000: haproxy-lc serves the most, 3218\.0 req\/s \(95 % CI 3066\.3–3369\.7\): 2\.54× single \(95 % CI 2\.24–2\.92\)/,
  );
  assert.match(first, /the thesis's ratio of peaks, 1\.65×, lies below this interval/);
  assert.match(first, /Left out: nginx-rr lost 92 % of its requests/);
  assert.match(
    text(html),
    /failover \(keepalived-stop\), icmp probes: downtime 617\.2 ms \(95 % CI 604\.1–630\.3\), n = 3; the thesis's mean, 1992\.8 ms, is 3\.2× longer, outside this interval/,
  );

  // every chart is a figure with a caption: n, the interval's method, the machine, the version, the date
  const images = [...html.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(images, ['ratio.png', 'rps.png', 'throughput.png', 'loss.png', 'latency.png', 'cpu.png', 'downtime.png']);
  const figures = [...html.matchAll(/<figure>([\s\S]*?)<\/figure>/g)].map((m) => m[1]);
  assert.equal(figures.length, images.length);
  for (const f of figures) {
    const caption = text(/<figcaption>([\s\S]*?)<\/figcaption>/.exec(f)?.[1] ?? '');
    assert.match(caption, /n = \d+ (repetitions|pairs) per point/, caption);
    assert.match(caption, /95 % interval/, caption);
    assert.match(caption, /machine [0-9a-f]{12} \(2 × AMD EPYC, Linux 6\.18\.44-fc-v669\)/, caption);
    assert.match(caption, /lb-bench 0\.1\.0 · runs of 2026-11-26/, caption);
  }

  // summary.md opens with the same verdict
  assert.match(md, /^# lb-bench report\n\n## Verdict\n\n- /);
  const htmlItems = [...html.slice(verdict, html.indexOf('<h3 id="caveats">')).matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => text(m[1]));
  assert.deepEqual(mdItems(md), htmlItems);
  assert.ok(md.indexOf('### Read with care') < md.indexOf('![') && md.indexOf('generator-bound in 5 of 5 runs') < md.indexOf('!['));
});

test("summary.csv: no interval of a figure that cannot be negative reaches below 0 (the baseline had 6, idle hosts' CPU)", async () => {
  const { csv } = await report(BASELINE);
  const lines = csv.trim().split('\n');
  const header = lines[0].split(',');
  const low = header.indexOf('ci_low');
  const rows = lines.slice(1).map((l) => l.split(','));
  assert.ok(rows.length > 100);
  const negative = rows.filter((r) => r[low] !== '' && Number(r[low]) < 0);
  assert.deepEqual(negative, []);
  // single's web2 at 1000 (0, 0, 0, 0.09, 0.04 %): Student's t gives −0.023–0.075; cut at 0
  const web2 = rows.find((r) => r[0] === 'single' && r[1] === '1000' && r[2] === 'cpu.web2.mean')!;
  assert.equal(Number(web2[low]), 0);
  assert.ok(Math.abs(Number(web2[low + 1]) - 0.0754) < 1e-3, web2.join(','));
  // availability cannot pass 100 %
  const high = header.indexOf('ci_high');
  for (const r of rows.filter((x) => x[2].startsWith('availability.'))) assert.ok(Number(r[high]) <= 100, r.join(','));
});

test('a copy of the baseline where haproxy-rr serves 1.5× as much at 10000: the verdict names it, clearly ahead', async () => {
  const results = tmp();
  cpSync(BASELINE, results, { recursive: true });
  const file = join(results, '20261126-091621-haproxy-rr', 'samples.jsonl');
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const edited = lines.map((l) => {
    const s = JSON.parse(l) as { level: number; rps: number };
    return JSON.stringify(s.level === 10000 ? { ...s, rps: s.rps * 1.5 } : s);
  });
  writeFileSync(file, edited.join('\n') + '\n');
  const { md } = await report(results);
  const at10000 = mdItems(md).find((l) => l.startsWith('10,000'))!;
  assert.match(at10000, /^10,000: haproxy-rr serves the most, 4660\.7 req\/s .*: 3\.68× single/, at10000);
  assert.match(at10000, /Next: haproxy-lc \(2\.54×\), clearly less\./);
  // the other levels are as they were
  assert.match(
    mdItems(md).find((l) => l.startsWith('1,000'))!,
    /^1,000: haproxy-lc serves the most/,
  );
});

test('one scenario: the verdict is its thresholds and headline figures; a broken threshold says so', async () => {
  const results = tmp();
  writeRun(
    results,
    scenario('staging', { thresholds: { loss: 1, rps_min: 95 } }),
    grid([1000, 2000], 3, (l, r) => sample(l, r)),
  );
  const { md, html } = await report(results);
  const items = mdItems(md);
  // rps 90, 100, 110 at 1000: one run under 95; loss = repetition: 2 and 3 are over 1, at both levels
  assert.deepEqual(items, [
    'staging at 1,000: 100.0 req/s (95 % CI 75.2–124.8), 0.2 % of requests lost, p99 80.00 ms (95 % CI 0.00–179.37)',
    'staging at 2,000: 200.0 req/s (95 % CI 175.2–224.8), 0.1 % of requests lost, p99 80.00 ms (95 % CI 0.00–179.37)',
    'staging: loss ≤ 1 broken 4 times, judged over 6 runs (level 1000 rep 2: loss 2 > 1; level 2000 rep 2: loss 2 > 1; …)',
    // a level's mean is judged: 90, 100, 110 has its interval (75.2–124.8) across 95
    "staging: rps ≥ 95 held over 2 levels over 6 runs: each level's mean, 95 % CI",
  ]);
  assert.match(html, /<code>loss ≤ 1<\/code> <strong>broken<\/strong>/);
  assert.match(md, /### Read with care\n\nNothing: no run was generator-bound/);
  // judged run by run (the opt-in), the one run under 95 breaks it
  const perRun = tmp();
  writeRun(
    perRun,
    scenario('staging', { thresholds: { rps_min: 95, judge: 'run' } }),
    grid([1000, 2000], 3, (l, r) => sample(l, r)),
  );
  assert.ok(
    mdItems((await report(perRun)).md).includes(
      'staging: rps ≥ 95 broken 1 time, judged over 6 runs, each on its own (level 1000 rep 1: rps 90 < 95)',
    ),
  );
});

test("failover: the thesis's mean inside the interval is said so; outside, which way", async () => {
  const results = tmp();
  writeFailoverRun(results, failoverScenario('failover', { reference: { downtime_ms: { mean: 1992.8 } } }), [1900, 2000, 2100, 1950, 2050]);
  const { md } = await report(results);
  assert.deepEqual(mdItems(md), [
    "failover (true), http probes: downtime 2000.0 ms (95 % CI 1901.8–2098.2), n = 5; the thesis's mean, 1992.8 ms, is about the same, inside this interval",
  ]);
});
