/**
 * Report over many scenarios: N run folders, each of its own scenario name (a results folder that
 * collected every experiment ever run), reported by the real `lb-bench report` in a child process,
 * whose wall time (Node's start included) and peak RSS are the figures. A report holds at most
 * MAX_REPORT_SCENARIOS; the rest are left out, and the report says so: that line is a figure too.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { RunWriter } from '../src/results/store.js';
import type { RunSample } from '../src/kinds/load/sample.js';
import type { LoadScenario } from '../src/kinds/load/scenario.js';
import { MAX_REPORT_SCENARIOS } from '../src/report/index.js';
import { syntheticManifest } from './lib/runs.js';
import { runAsScript, type BenchArgs, type BenchResult } from './lib/result.js';

function sampleOf(level: number, repetition: number, rps: number): RunSample {
  const duration = level / rps;
  const at = Date.UTC(2026, 0, 1) + repetition * 1000;
  return {
    level,
    repetition,
    started_at: new Date(at).toISOString(),
    ended_at: new Date(at + duration * 1000).toISOString(),
    requested: level,
    completed: level,
    loss: 0,
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    bytes: level * 1750,
    duration_s: Number(duration.toFixed(6)),
    rps: Number((level / Number(duration.toFixed(6))).toFixed(3)),
    throughput_mbps: Number(((rps * 1750) / 1e6).toFixed(6)),
    latency_ms: { p50: 5, p90: 9, p99: 12, max: 20 },
    generator_cpu: 20,
    generator_bound: false,
  };
}

/** N folders under dir, scenario s00001 … sN, 2 repetitions of one level each. */
export function writeScenarios(dir: string, n: number): void {
  for (let i = 1; i <= n; i++) {
    const name = `s${String(i).padStart(5, '0')}`;
    const sc: LoadScenario = {
      name,
      kind: 'load',
      balancer: 'none',
      target: 'http://127.0.0.1:8080/',
      backends: [],
      load: { levels: [100], concurrency: 'all', repetitions: 2, timeout: 10_000, cooldown: 0, workers: 0, method: 'GET', headers: {} },
    };
    const started = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    const m = syntheticManifest(sc, { startedAt: started, endedAt: started, memoryGb: 8, profile: null, plannedRuns: 2 });
    const w = RunWriter.create(dir, m);
    for (let rep = 1; rep <= 2; rep++) w.appendSample(sampleOf(100, rep, 1000 + i + rep));
    w.close();
  }
}

/** The real CLI in a child: its wall time, peak RSS and stderr. */
function reportChild(results: string, out: string): Promise<{ wallMs: number; maxRssMb: number; code: number; stderr: string }> {
  const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/main.js');
  const script = `const { main } = await import(${JSON.stringify(main)});
const code = await main(['report', '--results', ${JSON.stringify(results)}, '--out', ${JSON.stringify(out)}]);
process.stdout.write(JSON.stringify({ code, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\\n');
process.exit(0);`;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const guard = setTimeout(() => p.kill('SIGKILL'), 600_000);
    p.on('exit', (code) => {
      clearTimeout(guard);
      const wallMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`the report child exited with ${code}: ${stderr.trim().split('\n').at(-1)}`));
      const last = JSON.parse(stdout.trim().split('\n').at(-1)!) as { code: number; maxRssMb: number };
      resolve({ wallMs, maxRssMb: last.maxRssMb, code: last.code, stderr });
    });
  });
}

export async function reportScenarios(a: BenchArgs): Promise<BenchResult> {
  const n = a.tiny ? MAX_REPORT_SCENARIOS + 20 : 10_000;
  const root = mkdtempSync(path.join(tmpdir(), 'lb-bench-scenarios-'));
  try {
    const results = path.join(root, 'results');
    writeScenarios(results, n);
    const out = path.join(root, 'report');
    const c = await reportChild(results, out);
    const leftOut = c.stderr.split('\n').find((l) => l.includes('scenarios left out')) ?? '(none)';
    const html = statSync(path.join(out, 'index.html')).size;
    return {
      bench: 'report-scenarios',
      title: `Report over ${n} scenarios, each of its own name`,
      tiny: a.tiny,
      figures: [
        { figure: 'run folders (one scenario each)', value: n },
        {
          figure: 'report wall time (process, Node start included)',
          value: Math.round(c.wallMs),
          unit: 'ms',
          target: '≤ 30000 ms',
          met: c.wallMs <= 30_000,
        },
        { figure: 'peak memory (max RSS)', value: Math.round(c.maxRssMb), unit: 'MB', target: '≤ 500 MB', met: c.maxRssMb <= 500 },
        { figure: 'index.html', value: Math.round(html / 1024), unit: 'KB' },
        { figure: 'exit code', value: c.code },
        { figure: 'what it says it left out', value: leftOut.replace(/^warning: /, '') },
        {
          figure: 'scenarios in summary.csv',
          value: new Set(
            readFileSync(path.join(out, 'summary.csv'), 'utf8')
              .split('\n')
              .slice(1)
              .filter(Boolean)
              .map((l) => l.split(',')[0]),
          ).size,
        },
      ],
      notes: [
        `${n} run folders of 2 repetitions of one level, one scenario name each; lb-bench report --results over all of them, in a child process`,
      ],
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

runAsScript(import.meta, reportScenarios);
