/**
 * reproduce's report is the report of every run it measured, the failover run included, with the
 * conclusions as its leading section: the failover run has its own section, chart and rows, not
 * only lines among the conclusions' notes (which conclusions.json keeps for scripts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conclusions } from '../src/reproduce/conclusions.js';
import { writeReproduceReport } from '../src/reproduce/report.js';
import { failoverScenario, grid, sample, scenario, writeFailoverRun, writeRun } from './report-fixtures.js';

test('the failover run of a reproduce is a section of its report, with downtime.png and its rows in summary.csv', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-reproduce-report-'));
  const single = writeRun(
    join(dir, 'results'),
    scenario('single', { balancer: 'none' }),
    grid([1000, 2000], 3, (l, r) => sample(l, r)),
  );
  const fo = writeFailoverRun(join(dir, 'results'), failoverScenario('failover'), [1900, 2000, 2100, 1950, 2050]);
  const failover = { dir: fo.dir, samples: fo.samples };
  const rows = conclusions({ runs: { single }, failover, alpha: 0.05 });
  const err: string[] = [];
  const io = { out: () => {}, err: (t: string) => void err.push(t), interactive: false, debug: false };
  const outDir = join(dir, 'report');
  await writeReproduceReport({
    runs: { single },
    failover,
    rows,
    context: { alpha: 0.05, profile: 'quick', runs: [], notes: [] },
    outDir,
    io,
  });

  const md = readFileSync(join(outDir, 'summary.md'), 'utf8');
  // the verdict first, then the conclusions, then the report's own sections
  assert.match(md, /^# lb-bench report\n\n## Verdict\n/);
  assert.ok(md.indexOf('## Verdict') < md.indexOf('## Conclusions of the thesis, reproduced'));
  assert.ok(md.indexOf('## Conclusions of the thesis, reproduced') < md.indexOf('## Runs'));
  assert.match(md, /- failover \(true\), http probes: downtime \*\*2000\.0 ms\*\* \(95 % CI 1901\.8–2098\.2\), n = 5/);
  const report = md.slice(md.indexOf('## Runs'));
  assert.match(report, /## Failover\n\nDowntime: last successful probe/);
  assert.match(report, /\| failover \| true \| http \| 5 \| 2000\.0 \(1901\.8–2098\.2\) /);
  assert.ok(!md.includes('failover, http probe: downtime mean'), 'the figures are in the section, not among the notes');
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  assert.ok(html.indexOf('<h2>Verdict</h2>') < html.indexOf('<h2 id="conclusions">'));
  assert.ok(html.indexOf('<h2 id="conclusions">') < html.indexOf('<h2>Runs</h2>'));
  assert.ok(html.indexOf('<h2 id="conclusions">') < html.indexOf('<h2>Failover</h2>'));
  assert.match(html, /<img src="downtime\.png"/);
  assert.ok(existsSync(join(outDir, 'downtime.png')));
  assert.match(readFileSync(join(outDir, 'summary.csv'), 'utf8'), /\nfailover,0,downtime_ms\.http,5,2000,/);
  const json = JSON.parse(readFileSync(join(outDir, 'conclusions.json'), 'utf8')) as { notes: string[] };
  assert.ok(
    json.notes.some((n) => /^failover, http probe: downtime mean 2000\.0 ms/.test(n)),
    json.notes.join('\n'),
  );
});
