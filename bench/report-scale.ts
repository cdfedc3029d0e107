/**
 * Report at scale: a synthetic result set the size of the full thesis — 5 scenarios × 10 levels ×
 * 30 repetitions, with CPU for 3 backends in every sample — written as real run folders, then
 * reported (`lb-bench report`'s readRun + writeReport: CSV, Markdown, every chart, HTML) in a
 * child process, whose wall time (Node's start included) and peak RSS are the figures.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { listRuns } from '../src/kinds/run-folders.js';
import { RunWriter } from '../src/results/store.js';
import type { RunSample } from '../src/kinds/load/sample.js';
import type { LoadScenario } from '../src/kinds/load/scenario.js';
import { writeReport } from '../src/report/index.js';
import { syntheticManifest } from './lib/runs.js';
import { machine, round, runAsScript, type BenchArgs, type BenchResult } from './lib/result.js';

const LEVELS = [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000];
const NAMES = ['single', 'haproxy-lc', 'haproxy-rr', 'nginx-rr', 'nginx-lc'];
const BACKENDS = ['web1', 'web2', 'web3'];

/** A deterministic pseudo-random stream (mulberry32), so every run of the benchmark reports the same data. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function scenarioOf(name: string, reps: number, levels: number[]): LoadScenario {
  const [balancer, algorithm] = name === 'single' ? ['none', undefined] : name.split('-');
  return {
    name,
    kind: 'load',
    title: `Synthetic ${name}`,
    balancer: balancer!,
    algorithm: algorithm === 'lc' ? 'leastconn' : algorithm === 'rr' ? 'roundrobin' : undefined,
    inventory: 'lab',
    target: 'http://198.18.0.10:80/',
    backends: BACKENDS.map((host) => ({ host, cpu: 'cgroup' as const })),
    reference: { rps: { max: 2352.937 } },
    load: { levels, concurrency: 'all', repetitions: reps, timeout: 10_000, cooldown: 2_000, workers: 0, method: 'GET', headers: {} },
  };
}

function sampleOf(level: number, repetition: number, base: number, r: () => number): RunSample {
  const rps = base * (0.9 + 0.2 * r());
  const loss = r() < 0.3 ? Math.floor(r() * level * 0.05) : 0;
  const duration = (level - loss) / rps;
  const cpu = Object.fromEntries(BACKENDS.map((h) => [h, { mean: round(40 + 50 * r()), peak: round(90 + 10 * r()) }]));
  return {
    level,
    repetition,
    started_at: new Date(Date.UTC(2026, 0, 1) + (repetition * 100 + level / 100) * 1000).toISOString(),
    ended_at: new Date(Date.UTC(2026, 0, 1) + (repetition * 100 + level / 100 + duration) * 1000).toISOString(),
    requested: level,
    completed: level - loss,
    loss,
    errors: loss,
    timeouts: 0,
    non2xx: 0,
    bytes: (level - loss) * 1750,
    duration_s: round(duration, 6),
    rps: round(rps, 3),
    throughput_mbps: round((rps * 1750) / 1e6, 6),
    latency_ms: { p50: round(50 + 100 * r()), p90: round(200 + 200 * r()), p99: round(400 + 600 * r()), max: round(1000 + 2000 * r()) },
    generator_cpu: round(20 + 30 * r(), 1),
    generator_bound: false,
    ...(loss ? { error_codes: { ECONNRESET: loss } } : {}),
    cpu,
  };
}

/** Write the synthetic run folders under dir; returns the number of samples. */
export function writeSyntheticRuns(dir: string, reps: number, levels = LEVELS): number {
  const r = rng(7);
  let n = 0;
  NAMES.forEach((name, i) => {
    const sc = scenarioOf(name, reps, levels);
    const m = syntheticManifest(sc, {
      startedAt: new Date(Date.UTC(2026, 0, 1, i)).toISOString(),
      endedAt: new Date(Date.UTC(2026, 0, 1, i + 1)).toISOString(),
      memoryGb: 24,
      profile: 'thesis',
      plannedRuns: levels.length * reps,
    });
    const w = RunWriter.create(dir, m);
    for (let rep = 1; rep <= reps; rep++) {
      for (const level of levels) {
        w.appendSample(sampleOf(level, rep, 1400 + 250 * i, r));
        n++;
      }
    }
    w.close();
  });
  return n;
}

/** The child: what `lb-bench report` does with those folders; prints its own time and peak RSS. */
async function child(resultsDir: string, outDir: string): Promise<void> {
  const t0 = performance.now();
  const runs = await listRuns(resultsDir);
  const written = await writeReport(runs, outDir);
  process.stdout.write(
    JSON.stringify({ inProcessMs: performance.now() - t0, maxRssMb: process.resourceUsage().maxRSS / 1024, files: written.files.length }) +
      '\n',
  );
}

function spawnChild(resultsDir: string, outDir: string): Promise<{ wallMs: number; inProcessMs: number; maxRssMb: number; files: number }> {
  const self = fileURLToPath(import.meta.url);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [self, '--child', resultsDir, outDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    const guard = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.on('exit', (code) => {
      clearTimeout(guard);
      const wallMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`the report child exited with ${code}`));
      resolve({ wallMs, ...JSON.parse(out) });
    });
  });
}

export async function reportScale(a: BenchArgs): Promise<BenchResult> {
  const reps = a.tiny ? 2 : 30;
  const levels = a.tiny ? LEVELS.slice(0, 3) : LEVELS;
  const root = mkdtempSync(path.join(tmpdir(), 'lb-bench-report-'));
  try {
    const results = path.join(root, 'results');
    const n = writeSyntheticRuns(results, reps, levels);
    const out = path.join(root, 'report');
    const c = await spawnChild(results, out);
    const charts = readdirSync(out).filter((f) => f.endsWith('.png')).length;
    return {
      bench: 'report-scale',
      title: 'Report at scale: the full thesis result set',
      tiny: a.tiny,
      figures: [
        { figure: 'samples', value: n },
        {
          figure: 'report wall time (process, Node start included)',
          value: Math.round(c.wallMs),
          unit: 'ms',
          target: '≤ 3000 ms',
          met: c.wallMs <= 3000,
        },
        { figure: 'of which read + aggregate + write', value: Math.round(c.inProcessMs), unit: 'ms' },
        { figure: 'peak memory (max RSS)', value: Math.round(c.maxRssMb), unit: 'MB', target: '≤ 300 MB', met: c.maxRssMb <= 300 },
        { figure: 'files written (charts)', value: `${c.files} (${charts})` },
      ],
      notes: [
        `${NAMES.length} scenarios × ${levels.length} levels × ${reps} repetitions, CPU of ${BACKENDS.length} backends in every sample; reported in a child process on ${machine().cpus} CPUs`,
      ],
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3]!, process.argv[4]!).catch((e) => {
    process.stderr.write(`report child: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
} else {
  runAsScript(import.meta, reportScale);
}
