/** Synthetic run folders for the stats and report tests: real files, written with RunWriter. */
import type { FailoverSample, FailoverRun } from '../src/kinds/failover/sample.js';
import type { Manifest } from '../src/results/types.js';
import type { RunSample, LoadRun } from '../src/kinds/load/sample.js';
import type { FailoverScenario } from '../src/kinds/failover/scenario.js';
import type { LoadScenario } from '../src/kinds/load/scenario.js';
import type { ScenarioBase } from '../src/scenario/fields.js';
import { RunWriter } from '../src/results/store.js';
import { fingerprintOf } from '../src/results/fingerprint.js';
import { systemOf } from '../src/results/system.js';

export function scenario(name: string, extra: Partial<LoadScenario> = {}): LoadScenario {
  return {
    name,
    kind: 'load',
    title: `Scenario ${name}`,
    balancer: 'haproxy',
    algorithm: 'roundrobin',
    target: 'http://127.0.0.1:8080/',
    backends: [],
    load: {
      levels: [1000, 2000],
      concurrency: 'all',
      repetitions: 3,
      timeout: 10_000,
      cooldown: 0,
      workers: 0,
      method: 'GET',
      headers: {},
    },
    ...extra,
  };
}

export function manifest<S extends ScenarioBase>(sc: S, planned: number, started = '2026-01-02T03:04:05.000Z'): Omit<Manifest<S>, 'id'> {
  const machine = {
    os: { platform: 'linux', release: 'test', kernel: 'test', arch: 'x64' },
    host: { hostname: 'test', cpus: 4, cpu_model: 'test', memory_gb: 8 },
  };
  return {
    format: 1,
    tool: { name: 'lb-bench', version: '0.0.0-test' },
    node: process.version,
    ...machine,
    fingerprint: fingerprintOf(machine),
    scenario_file: `scenarios/${sc.name}.yaml`,
    scenario: sc,
    scenario_hash: 'test',
    profile: 'quick',
    overrides: {},
    started_at: started,
    ended_at: started,
    status: 'complete',
    planned_runs: planned,
    warnings: [],
  };
}

/** One run whose figures follow from level, repetition and a factor, so means are easy by hand. */
export function sample(level: number, repetition: number, factor = 1, extra: Partial<RunSample> = {}): RunSample {
  const rps = (level / 10) * factor + (repetition - 2) * 10; // reps 1..3 → −10, 0, +10 around level/10·factor
  return {
    level,
    repetition,
    started_at: '2026-01-02T03:04:05.000Z',
    ended_at: '2026-01-02T03:04:06.000Z',
    requested: level,
    completed: level - repetition,
    loss: repetition,
    errors: repetition,
    timeouts: 0,
    non2xx: 0,
    bytes: level * 1500,
    duration_s: level / rps,
    rps,
    throughput_mbps: (rps * 1500) / 1e6,
    latency_ms: { p50: 10 * repetition, p90: 20 * repetition, p99: 40 * repetition, max: 50 * repetition },
    generator_cpu: 30,
    generator_bound: false,
    ...extra,
  };
}

/**
 * Write a run folder under dir and return it as readRun would. Its fingerprint and system under
 * test follow the patch's fields, as lb-bench makes them; `fingerprint: undefined` in the patch
 * writes a folder as lb-bench did before there were fingerprints.
 */
export function writeRun(
  dir: string,
  sc: LoadScenario,
  samples: RunSample[],
  patch: Partial<Manifest<LoadScenario>> = {},
  started?: string,
): LoadRun {
  const m = { ...manifest(sc, sc.load.levels.length * sc.load.repetitions, started), ...patch };
  const w = RunWriter.create(dir, 'fingerprint' in patch ? m : { ...m, fingerprint: fingerprintOf(m), system: systemOf(m) });
  for (const s of samples) w.appendSample(s);
  w.close();
  return { dir: w.dir, manifest: w.manifest, samples };
}

export function grid(levels: number[], reps: number, make: (level: number, rep: number) => RunSample): RunSample[] {
  const out: RunSample[] = [];
  for (let rep = 1; rep <= reps; rep++) for (const level of levels) out.push(make(level, rep));
  return out;
}

/** A failover scenario as the loader resolves it (failover.yaml's labels: haproxy, roundrobin). */
export function failoverScenario(name: string, extra: Partial<FailoverScenario> = {}): FailoverScenario {
  return {
    name,
    kind: 'failover',
    title: `Failover ${name}`,
    balancer: 'haproxy',
    algorithm: 'roundrobin',
    target: 'http://127.0.0.1:9/',
    backends: [],
    probe: [{ type: 'http', interval: 5, timeout: 500 }],
    fault: { host: 'lb1', inject: 'true', recover: 'true', settle: 0, hold: 100, bound: 1_000 },
    repetitions: 5,
    ...extra,
  };
}

/** Write a failover run folder: one repetition per downtime (ms), HTTP probes only. */
export function writeFailoverRun(dir: string, sc: FailoverScenario, downtimes: number[], started?: string): FailoverRun {
  const samples: FailoverSample[] = downtimes.map((d, i) => ({
    repetition: i + 1,
    started_at: '2026-01-02T03:04:05.000Z',
    ended_at: '2026-01-02T03:04:20.000Z',
    injected_at: '2026-01-02T03:04:06.000Z',
    recovered_at: '2026-01-02T03:04:12.000Z',
    downtime_ms: { http: d },
    failback_downtime_ms: { http: 0 },
    availability: { http: (10_000 / (10_000 + d)) * 100 },
    window_ms: 10_000 + d,
    probes: { http: { sent: 2000, ok: 1900 } },
    recovered: true,
    failed_back: true,
  }));
  const w = RunWriter.create(dir, manifest(sc, downtimes.length, started));
  for (const s of samples) w.appendSample(s);
  w.close();
  return { dir: w.dir, manifest: w.manifest, samples };
}
