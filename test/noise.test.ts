/**
 * Noisy repetitions (cv above 10 %): one line per scenario on the terminal, from `report` and
 * `run`; every noisy figure in the report, in a section of its own. Stored run folders, written
 * with RunWriter; `run --resume` against a real HTTP server on 127.0.0.1.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newManifest } from '../src/results/manifest.js';
import { RunWriter } from '../src/results/store.js';
import type { RunSample } from '../src/kinds/load/sample.js';
import { loadScenario } from '../src/kinds/scenario-file.js';
import { runCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { grid, sample, scenario, writeRun } from './report-fixtures.js';

const ws = workspace();
const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
  ws.remove();
});

const tmp = () => mkdtempSync(join(tmpdir(), 'lb-noise-'));
const LEVELS = [1000, 5000, 10000];
const SPREAD = [0.5, 1, 1.5, 1, 1]; // cv 35.4 %

/** Every figure the same in all five repetitions (request counts aside), so nothing is noisy. */
const quiet = (level: number, rep: number, extra: Partial<RunSample> = {}) =>
  sample(level, rep, 1, {
    rps: level / 10,
    duration_s: 10,
    throughput_mbps: 1,
    latency_ms: { p50: 10, p90: 20, p99: 40, max: 50 },
    ...extra,
  });

/** rps and p99 noisy at 1000 and 5000, duration at 1000 only; 10000 quiet. */
function noisy(level: number, rep: number): RunSample {
  if (level === 10000) return quiet(level, rep);
  const k = SPREAD[rep - 1];
  return quiet(level, rep, {
    rps: (level / 10) * k,
    latency_ms: { p50: 10, p90: 20, p99: 40 * [1, 2, 3, 1, 1][rep - 1], max: 50 },
    ...(level === 1000 ? { duration_s: [10, 12, 14, 10, 10][rep - 1] } : {}),
  });
}

test('report: one noise line per scenario; every noisy figure in summary.md and index.html, in a section of its own', async () => {
  const results = tmp();
  const load = { ...scenario('x').load, levels: LEVELS, repetitions: 5 };
  writeRun(results, scenario('haproxy-lc', { load }), grid(LEVELS, 5, noisy));
  writeRun(
    results,
    scenario('nginx-rr', { load }),
    grid(LEVELS, 5, (l, r) => quiet(l, r)),
  );
  const out = join(tmp(), 'report');
  const r = await runCli(['report', '--results', results, '--out', out]);
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.deepEqual(
    r.err.filter((l) => /vary|cv /.test(l)),
    ['warning: haproxy-lc: 3 metrics vary by more than 10 % between repetitions at 1000, 5000 — see report'],
  );

  const md = readFileSync(join(out, 'summary.md'), 'utf8');
  const section = md.slice(md.indexOf('## Noise between repetitions'), md.indexOf('## Warnings'));
  assert.ok(md.indexOf('## Noise between repetitions') > md.indexOf('## Requests per second'), 'after the figures');
  assert.match(section, /coefficient of variation \(sd \/ mean\) above 10 %/);
  // rps 50, 100, 150, 100, 100: mean 100, sd √1250 = 35.36; p99 40, 80, 120, 40, 40: mean 64, sd √1280 = 35.78
  const rows = section.split('\n').filter((l) => l.startsWith('| haproxy-lc'));
  assert.deepEqual(rows, [
    '| haproxy-lc | rps | 1000 | 5 | 100.0 | 35.4 |',
    '| haproxy-lc | rps | 5000 | 5 | 500.0 | 35.4 |',
    '| haproxy-lc | duration_s | 1000 | 5 | 11.20 | 16.0 |',
    '| haproxy-lc | latency_ms.p99 | 1000 | 5 | 64.00 | 55.9 |',
    '| haproxy-lc | latency_ms.p99 | 5000 | 5 | 64.00 | 55.9 |',
  ]);
  assert.ok(!/nginx-rr/.test(section), 'a quiet scenario is not listed');
  assert.match(md.slice(md.indexOf('## Warnings')), /## Warnings\n\nNone\./, 'the figures are in their section, not repeated as warnings');

  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.match(html, /<h2 id="noise">Noise between repetitions<\/h2>/);
  assert.match(
    html,
    /<tr><td>haproxy-lc<\/td><td>latency_ms\.p99<\/td><td class="num">5000<\/td><td class="num">5<\/td><td class="num">64\.00<\/td><td class="num">55\.9<\/td><\/tr>/,
  );

  // quiet everywhere: no section, no line
  const calm = await runCli(['report', 'nginx-rr', '--results', results, '--out', join(tmp(), 'calm')]);
  assert.equal(calm.code, 0, calm.err.join('\n'));
  assert.match(calm.err.join('\n'), /^nginx-rr: .* \(15 runs\)$/, 'no warning: only the run it read, on stderr');
  assert.ok(!readFileSync(join(calm.last, 'summary.md'), 'utf8').includes('Noise between repetitions'));
});

test('run: one noise line per scenario when its repetitions disagree', async () => {
  const server = await startServer('ok');
  servers.push(server);
  const file = ws.write('noisy.yaml', loadScenarioYaml(server.url, { levels: [10, 20], repetitions: 3, name: 'spread' }));
  // five of the six runs stored already, far apart; --resume measures the sixth for real
  const resolved = await loadScenario(file);
  const w = RunWriter.create(ws.results, { ...newManifest(resolved, 6), status: 'interrupted' });
  for (const s of grid([10, 20], 3, (l, rep) =>
    // durations and throughput given: the fixture's own are negative at level 10, and such a sample is left out on reading
    sample(l, rep, 1, {
      rps: [10, 1000, 100][rep - 1],
      duration_s: 1,
      throughput_mbps: 0.01,
      latency_ms: { p50: rep, p90: 10 * rep, p99: 100 * rep, max: 1000 * rep },
    }),
  )) {
    if (!(s.level === 20 && s.repetition === 3)) w.appendSample(s);
  }
  w.close();
  const r = await runCli(['run', file, '--out', ws.results, '--resume', w.dir]);
  assert.equal(r.code, 0, r.err.join('\n'));
  const lines = r.err.filter((l) => /vary|cv /.test(l));
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(
    lines[0],
    /^warning: spread: \d+ metrics vary by more than 10 % between repetitions at 10, 20 — lb-bench report lists them$/,
  );
  assert.equal(ws.samples(w.dir).length, 6);
});
