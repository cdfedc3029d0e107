/**
 * The stable result formats (README, "Results"). A run folder holds manifest.json,
 * samples.jsonl (one RunSample per line) and, where sampled, cpu.jsonl and probes.jsonl.
 */
import type { Scenario } from '../scenario/schema.js';

export interface Latency {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** One backend's CPU over one run's load window, in % of its share (null: not measured). */
export interface CpuFigure {
  mean: number | null;
  peak: number | null;
}

/** One run: one level, one repetition. Every request is one of completed, errors, timeouts, non2xx. */
export interface RunSample {
  level: number;
  /** 1-based */
  repetition: number;
  started_at: string;
  ended_at: string;
  requested: number;
  completed: number;
  loss: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** bytes received, headers and body, of every response */
  bytes: number;
  duration_s: number;
  rps: number;
  throughput_mbps: number;
  latency_ms: Latency;
  /** the generator process's CPU, % of one core */
  generator_cpu: number;
  generator_bound: boolean;
  /** connection errors by code (ECONNRESET, closed-without-response, …) */
  error_codes?: Record<string, number>;
  /** per backend host, when the scenario samples backends */
  cpu?: Record<string, CpuFigure>;
  /** things that went wrong in this run without stopping it */
  warnings?: string[];
}

export type RunStatus = 'running' | 'complete' | 'interrupted' | 'failed';

export interface Manifest {
  format: 1;
  id: string;
  tool: { name: string; version: string };
  node: string;
  os: { platform: string; release: string; kernel: string; arch: string };
  host: { hostname: string; cpus: number; cpu_model: string; memory_gb: number };
  scenario_file: string;
  scenario: Scenario;
  scenario_hash: string;
  profile: string | null;
  overrides: { repetitions?: number; levels?: number[] };
  /** per inventory host: program → version line, read over SSH */
  servers?: Record<string, Record<string, string>>;
  started_at: string;
  ended_at: string | null;
  status: RunStatus;
  planned_runs: number;
  warnings: string[];
}

/** A run folder read back from disk. */
export interface StoredRun {
  dir: string;
  manifest: Manifest;
  samples: RunSample[];
}
