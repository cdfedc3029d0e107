/**
 * Orchestration overhead: a whole scenario (30 runs of 1000 simultaneous requests against a local
 * Nginx) through the same runScenario that `lb-bench run` calls, its wall time against the sum of
 * its load windows (each run's duration_s, its engine's connect phase included) and cooldowns.
 * What is left is lb-bench's own work:
 * preflight, the results folder, fsynced samples, progress, starting and stopping the engine.
 * The cooldown is 100 ms, not the shipped scenarios' 2 s, so that the overhead is not hidden in it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Io } from '../src/cli/io.js';
import { runScenario } from '../src/kinds/load/runner.js';
import type { Manifest } from '../src/results/types.js';
import { isLoad, resolveScenarioText } from '../src/kinds/scenario-file.js';
import { startNginx } from './lib/nginx.js';
import { findProgram } from './lib/programs.js';
import { round, runAsScript, type BenchArgs, type BenchResult } from './lib/result.js';

const readRunManifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Pick<Manifest, 'warmup'>;

const silent: Io = { out: () => {}, err: () => {}, interactive: false, debug: false };

interface Measured {
  wallMs: number;
  windowsMs: number;
  cooldownsMs: number;
  runs: number;
  lost: number;
}

async function measureScenario(url: string, reps: number, cooldownMs: number): Promise<Measured> {
  const text = `name: bench-overhead
target: ${url}
load:
  levels: [1000]
  concurrency: all
  repetitions: ${reps}
  timeout: 10s
  cooldown: ${cooldownMs}ms
`;
  const r = resolveScenarioText('bench-overhead.yaml', text);
  if (!r.ok || !isLoad(r.value)) throw new Error(`bench scenario invalid: ${r.ok ? 'not a load scenario' : r.problems.join('; ')}`);
  const out = mkdtempSync(path.join(tmpdir(), 'lb-bench-overhead-'));
  try {
    const t0 = performance.now();
    const res = await runScenario(r.value, { outDir: out, io: silent, signal: new AbortController().signal });
    const wallMs = performance.now() - t0;
    // the warm-up (load.warmup, on by default) is a load window too, and the cooldown after it
    const warmup = readRunManifest(res.dir).warmup;
    const windowsMs = res.samples.reduce((s, x) => s + x.duration_s * 1000, 0) + (warmup ? warmup.duration_s * 1000 : 0);
    return {
      wallMs,
      windowsMs,
      cooldownsMs: (res.samples.length - (warmup ? 0 : 1)) * cooldownMs,
      runs: res.samples.length,
      lost: res.samples.reduce((s, x) => s + x.loss, 0),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export async function overhead(a: BenchArgs): Promise<BenchResult> {
  const title = 'Orchestration overhead: scenario wall time vs load windows + cooldowns';
  if (!findProgram('nginx'))
    return {
      bench: 'overhead',
      title,
      tiny: a.tiny,
      figures: [],
      notes: [],
      skipped: 'nginx not installed (scripts/setup.sh installs it)',
    };
  const reps = a.tiny ? 3 : 30;
  const cooldown = 100;
  const nginx = await startNginx({ workers: 1 });
  try {
    const m = await measureScenario(nginx.url, reps, cooldown);
    const bare = await measureScenario(nginx.url, reps, 0);
    const ratio = m.wallMs / (m.windowsMs + m.cooldownsMs);
    const perRun = (m.wallMs - m.windowsMs - m.cooldownsMs) / m.runs;
    return {
      bench: 'overhead',
      title,
      tiny: a.tiny,
      figures: [
        { figure: 'scenario wall time', value: Math.round(m.wallMs), unit: 'ms' },
        { figure: 'sum of load windows', value: Math.round(m.windowsMs), unit: 'ms' },
        { figure: 'sum of cooldowns', value: m.cooldownsMs, unit: 'ms' },
        { figure: 'wall / (windows + cooldowns)', value: round(ratio, 3), target: '≤ 1.10', met: ratio <= 1.1 },
        { figure: 'overhead per run', value: round(perRun, 1), unit: 'ms' },
        { figure: 'same, cooldown 0: wall / windows', value: round(bare.wallMs / bare.windowsMs, 3) },
        { figure: 'requests lost', value: m.lost + bare.lost, target: '0', met: m.lost + bare.lost === 0 },
      ],
      notes: [
        `${m.runs} runs × 1000 simultaneous requests (concurrency: all), cooldown ${cooldown} ms, through runScenario with results written and fsynced`,
        `target: ${nginx.version}, 1 worker, on ${nginx.url}`,
      ],
    };
  } finally {
    await nginx.stop();
  }
}

runAsScript(import.meta, overhead);
