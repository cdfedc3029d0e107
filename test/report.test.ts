/**
 * The report from real run folders (written with RunWriter in a temp dir): the files, their
 * contents, and the command run in-process through main().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join, basename, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/io.js';
import { writeReport } from '../src/report/index.js';
import { CHART_HEIGHT, CHART_WIDTH } from '../src/report/charts.js';
import { grid, sample, scenario, writeRun } from './report-fixtures.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'lb-report-'));
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function collectingIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), interactive: false, debug: false };
}

/** Width and height from a PNG's IHDR chunk (PNG spec §11.2.2: bytes 16–23, big-endian). */
function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path);
  assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${path}: PNG signature`);
  assert.equal(b.subarray(12, 16).toString('ascii'), 'IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Every src= and href= of the page names a file that exists beside it, and nothing is fetched from elsewhere. */
function assertLocalLinks(html: string, dir: string) {
  const refs = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => decodeURI(m[1]));
  assert.ok(refs.length > 0);
  for (const ref of refs) {
    assert.ok(!/^[a-z]+:/i.test(ref) && !isAbsolute(ref), `${ref} is not a relative path`);
    assert.ok(existsSync(join(dir, ref)), `${ref} does not exist`);
  }
}

const HTHESIS = { rps: { 10000: 2352.937, 1000: 98.5 }, throughput_mbps: { max: 3.53 } };

test('one run: CSV, Markdown, PNGs and HTML', async () => {
  const results = tmp();
  const run = writeRun(
    results,
    scenario('haproxy-lc', { reference: HTHESIS }),
    grid([1000, 2000], 3, (l, r) => sample(l, r)),
  );
  const out = join(tmp(), 'report');
  const { files } = await writeReport([run], out);
  assert.deepEqual(
    files.map((f) => basename(f)),
    ['summary.csv', 'summary.md', 'rps.png', 'throughput.png', 'loss.png', 'latency.png', 'index.html'],
  );

  const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'scenario,level,metric,n,mean,sd,ci_low,ci_high,median,min,max,cv');
  const rps = csv.filter((l) => l.startsWith('haproxy-lc,') && l.split(',')[2] === 'rps').map((l) => l.split(','));
  // by hand: rps = level/10 + (rep−2)·10 → 90, 100, 110 and 190, 200, 210
  assert.deepEqual(
    rps.map((c) => [c[1], c[3], c[4], c[5], c[8], c[9], c[10]]),
    [
      ['1000', '3', '100', '10', '100', '90', '110'],
      ['2000', '3', '200', '10', '200', '190', '210'],
    ],
  );
  // loss = repetition → mean 2 at every level
  assert.ok(csv.includes(csv.find((l) => l.startsWith('haproxy-lc,1000,loss,3,2,1,'))!));

  const md = readFileSync(join(out, 'summary.md'), 'utf8');
  assert.match(md, /\| requests \| haproxy-lc \| haproxy-lc thesis \|/);
  assert.match(md, /\| 1000 \| 100\.0 \(75\.2–124\.8\) \| 98\.5 \|/, 'mean ± t(0.975,2)·10/√3 = 24.84, and the reference beside');
  assert.match(md, /\| 10000 \|  \| 2352\.937 \|/, 'a reference level that was not measured still shows');
  assert.match(md, /thesis, haproxy-lc: max 3\.53 MB\/s/);
  assert.match(md, /20260102-\d{6}-haproxy-lc \| haproxy-lc \| Scenario haproxy-lc \| quick \| complete \| 6 of 6/);

  for (const f of files.filter((f) => f.endsWith('.png'))) assert.deepEqual(pngSize(f), { width: CHART_WIDTH, height: CHART_HEIGHT });
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assertLocalLinks(html, out);
  assert.match(html, /2352\.937/);
});

test('several scenarios, with CPU: a cpu chart and one column per scenario', async () => {
  const results = tmp();
  const cpu = (l: number, f: number) => ({ web1: { mean: (l / 100) * f, peak: 90 }, web2: { mean: (l / 120) * f, peak: 80 } });
  const runs = [
    writeRun(
      results,
      scenario('single'),
      grid([1000, 2000], 3, (l, r) => sample(l, r, 0.5, { cpu: { web1: cpu(l, 2).web1 } })),
    ),
    writeRun(
      results,
      scenario('haproxy-rr'),
      grid([1000, 2000], 3, (l, r) => sample(l, r, 1, { cpu: cpu(l, 1) })),
    ),
    writeRun(
      results,
      scenario('nginx-rr', { reference: { loss: { 1000: 101.67 } } }),
      grid([1000, 2000], 3, (l, r) => sample(l, r, 0.9)),
    ),
  ];
  const out = join(tmp(), 'r');
  const { files } = await writeReport(runs, out);
  assert.ok(files.some((f) => f.endsWith('cpu.png')));
  for (const f of files.filter((f) => f.endsWith('.png'))) assert.equal(pngSize(f).width, CHART_WIDTH, f);
  assert.deepEqual(pngSize(files.find((f) => f.endsWith('rps.png'))!), { width: CHART_WIDTH, height: CHART_HEIGHT });
  const md = readFileSync(join(out, 'summary.md'), 'utf8');
  assert.match(md, /\| requests \| single \| haproxy-rr \| nginx-rr \| nginx-rr thesis \|/);
  assert.match(md, /### CPU web2 \(%\)/);
  // loss = repetition (1, 2, 3): 2 ± t(0.975, 2)·1/√3 = 2 ± 2.484, cut at 0: a count is never negative
  assert.match(
    md,
    /\| 1000 \| 2\.000 \(0\.000–4\.484\) \| 2\.000 \(0\.000–4\.484\) \| 2\.000 \(0\.000–4\.484\) \| 101\.67 \|/,
    'loss beside its reference',
  );
  const csv = readFileSync(join(out, 'summary.csv'), 'utf8');
  assert.match(csv, /\nsingle,1000,cpu\.web1\.mean,3,20,0,20,20,20,20,20,0\n/);
  assertLocalLinks(readFileSync(join(out, 'index.html'), 'utf8'), out);
});

test('lb-bench report: choosing runs, exit codes and the last stdout line', async () => {
  const results = tmp();
  const outRoot = tmp();
  let io = collectingIo();
  assert.equal(await main(['report', '--results', results, '--out', join(outRoot, 'x')], io), 2);
  assert.deepEqual(io.stderr, [`lb-bench: no runs under ${results}/: run a scenario first (lb-bench run FILE)`]);

  const old = writeRun(
    results,
    scenario('haproxy-lc'),
    grid([1000], 2, (l, r) => sample(l, r)),
    {},
    '2026-01-01T00:00:00.000Z',
  );
  const newer = writeRun(
    results,
    scenario('haproxy-lc'),
    grid([1000], 3, (l, r) => sample(l, r, 2, { generator_bound: r === 1 })),
    {},
    '2026-01-02T00:00:00.000Z',
  );
  writeRun(
    results,
    scenario('nginx-rr'),
    grid([1000], 3, (l, r) => sample(l, r)),
  );

  // default: the newest run of each scenario
  io = collectingIo();
  const out1 = join(outRoot, 'default');
  assert.equal(await main(['report', '--results', results, '--out', out1], io), 0, io.stderr.join('\n'));
  assert.deepEqual(io.stdout, [out1], 'stdout is the report folder alone');
  assert.ok(io.stderr.includes(`haproxy-lc: ${newer.dir} (3 runs)`) && !io.stderr.some((l) => l.includes(old.dir)), io.stderr.join('\n'));
  assert.ok(
    io.stderr.includes(
      `warning: haproxy-lc level 1000: 1 of 3 runs were generator-bound (the load generator's CPU neared 100 %, or its event loop stalled for a quarter of the median latency) (those figures measure this machine, not the cluster: use a faster generator machine, or more worker processes with load.workers)`,
    ),
    io.stderr.join('\n'),
  );
  assert.match(readFileSync(join(out1, 'summary.md'), 'utf8'), /\| requests \| haproxy-lc \| nginx-rr \|/);

  // a folder name under results, a folder path and a scenario name
  io = collectingIo();
  const out2 = join(outRoot, 'named');
  assert.equal(
    await main(['report', basename(old.dir), newer.dir, 'nginx-rr', '--results', results, '--out', out2], io),
    0,
    io.stderr.join('\n'),
  );
  assert.deepEqual(io.stdout, [out2]);
  assert.match(
    readFileSync(join(out2, 'summary.md'), 'utf8'),
    new RegExp(`\\| requests \\| ${basename(old.dir)} \\| ${basename(newer.dir)} \\| nginx-rr \\|`),
  );

  // unknown: exit 2, naming it and the scenarios there are
  io = collectingIo();
  assert.equal(await main(['report', 'haproxy-xx', '--results', results, '--out', join(outRoot, 'no')], io), 2);
  assert.match(io.stderr[0], /^lb-bench: unknown run "haproxy-xx"/);
  assert.match(io.stderr.join('\n'), /scenarios with runs: haproxy-lc, nginx-rr/);
  assert.ok(!existsSync(join(outRoot, 'no')), 'no report folder for bad input');

  // default --out: reports/<YYYYMMDD-HHMMSS>/ under the working directory
  const cwd = process.cwd();
  process.chdir(outRoot);
  try {
    io = collectingIo();
    assert.equal(await main(['report', '--results', results], io), 0);
    assert.equal(io.stdout.length, 1);
    assert.match(io.stdout[0], /^reports\/\d{8}-\d{6}$/);
    assert.ok(readdirSync(io.stdout.at(-1)!).includes('index.html'));
  } finally {
    process.chdir(cwd);
  }
});

test('out=$(lb-bench report) is the report folder, as a script reads it', async () => {
  const results = tmp();
  writeRun(
    results,
    scenario('haproxy-lc'),
    grid([1000], 3, (l, r) => sample(l, r, 1, { generator_bound: r === 1 })),
  );
  writeRun(
    results,
    scenario('nginx-rr'),
    grid([1000], 3, (l, r) => sample(l, r)),
  );
  const cwd = tmp();
  const script = `out=$("$NODE" "$LB" report --results "$RESULTS") && test -f "$out/summary.md" && test -f "$out/index.html" && printf '%s' "$out"`;
  const r = spawnSync('bash', ['-c', script], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE: process.execPath, LB: join(ROOT, 'bin/lb-bench.js'), RESULTS: results },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^reports\/\d{8}-\d{6}$/, 'the folder and nothing else');
  assert.ok(readdirSync(join(cwd, r.stdout)).includes('summary.csv'));
  // what it read, and its warnings, went to stderr
  assert.match(r.stderr, /^haproxy-lc: .* \(3 runs\)$/m);
  assert.match(r.stderr, /^warning: haproxy-lc level 1000: 1 of 3 runs were generator-bound/m);
});

test('time to report a 1000-run result set', async (t) => {
  const results = tmp();
  const levels = [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000];
  // 4 scenarios × 10 levels × 25 repetitions = 1000 runs, with CPU of three backends
  for (const [i, name] of ['single', 'haproxy-rr', 'haproxy-lc', 'nginx-rr'].entries()) {
    const cpu = (l: number, r: number) =>
      Object.fromEntries(['web1', 'web2', 'web3'].map((h, k) => [h, { mean: l / 200 + k + r / 10, peak: l / 150 }]));
    writeRun(
      results,
      scenario(name),
      grid(levels, 25, (l, r) => sample(l, r, 1 + i / 10, { cpu: cpu(l, r) })),
    );
  }
  const io = collectingIo();
  const out = join(tmp(), 'big');
  const start = process.hrtime.bigint();
  assert.equal(await main(['report', '--results', results, '--out', out], io), 0, io.stderr.join('\n'));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  t.diagnostic(`reporting 1000 runs (4 scenarios × 10 levels × 25 repetitions) took ${ms.toFixed(0)} ms`);
  console.log(`reporting 1000 runs took ${ms.toFixed(0)} ms`);
  assert.ok(existsSync(join(out, 'cpu.png')));
});
