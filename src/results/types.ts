/**
 * The stable result formats (docs/results.md). A run folder holds manifest.json, samples.jsonl
 * (one sample per line: a RunSample for the load kind, a FailoverSample for failover) and, where
 * sampled, cpu.jsonl and probes.jsonl. Which sample a folder holds is its scenario's kind
 * (src/kinds/registry.ts, where StoredRun is the union over the kinds).
 */
import type { ScenarioBase } from '../scenario/schema.js';
import type { ProbeType } from '../kinds/failover/scenario.js';
import type { Fingerprint } from './fingerprint.js';
import type { SystemUnderTest } from './system.js';

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
  /** the generator's event-loop thread CPU, % of one core (with workers: their sum) */
  generator_cpu: number;
  /** the request timeout this run had, ms (load.timeout at its level) */
  timeout_ms?: number;
  /** the generator, not the target, may have set these figures (README, Metrics) */
  generator_bound: boolean;
  /** the generator's event loop over the send window: its longest block and all blocks, ms */
  generator_block_max_ms?: number;
  generator_block_total_ms?: number;
  /** the connect phase before the first request, ms; null for an engine that connects while sending */
  connect_ms?: number | null;
  /** per worker process (`load.workers`), each with its own exact accounting */
  workers?: WorkerFigures[];
  /** with workers: the largest of their start_skew_ms (null: not known for every worker) */
  start_skew_ms?: number | null;
  /** connection errors by code (ECONNRESET, closed-without-response, …) */
  error_codes?: Record<string, number>;
  /** per backend host, when the scenario samples backends */
  cpu?: Record<string, CpuFigure>;
  /** things that went wrong in this run without stopping it */
  warnings?: string[];
  /**
   * The reference scenario's run at the same level and repetition, measured in the same invocation
   * (`relative_to`): attached when the folder is read, from its reference.jsonl; never a field of
   * a samples.jsonl line.
   */
  pair?: PairedFigures;
}

/** What a ratio to the reference needs of the reference's run paired with a sample. */
export interface PairedFigures {
  rps: number;
  /** the busy CPU of the reference's busiest backend (web1 for `single`), % of its share; null where not measured */
  cpu: number | null;
}

/** One worker process's share of a run; times are relative to its own start signal. */
export interface WorkerFigures {
  /** 1-based */
  worker: number;
  /** the generator host it ran on (`load.generators`); absent: this machine */
  host?: string;
  /** its first request after the release (`go` to all workers), ms; estimated, see docs/results.md */
  start_ms?: number;
  /** its first request after the earliest worker's, ms */
  start_skew_ms?: number;
  /** the round trip of its `go` (to its `going`), ms: start_ms is uncertain by half of it */
  go_round_trip_ms?: number;
  requested: number;
  completed: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  bytes: number;
  /** its first request written to its last outcome */
  duration_s: number;
  connect_ms: number | null;
  latency_ms: Latency;
  generator_cpu: number;
  generator_block_max_ms: number;
  generator_block_total_ms: number;
  error_codes?: Record<string, number>;
}

/**
 * One repetition of a failover scenario (samples.jsonl of a `kind: failover` run). Times are ISO
 * strings; every probe behind these figures is in probes.jsonl. Per probe type, null where that
 * phase never came back within its bound (`recovered` / `failed_back` false).
 */
export interface FailoverSample {
  repetition: number;
  started_at: string;
  ended_at: string;
  /** when the inject and recover steps began */
  injected_at: string;
  recovered_at: string | null;
  /** last success before the outage to the first success after it, per probe type; 0: no outage seen */
  downtime_ms: Partial<Record<ProbeType, number | null>>;
  /** the same, for the outage that recovery causes (the master taking the address back) */
  failback_downtime_ms: Partial<Record<ProbeType, number | null>>;
  /** uptime / (uptime + downtime) × 100 over the repetition's probe window (thesis eq. 2.1) */
  availability: Partial<Record<ProbeType, number | null>>;
  /** first to last probe sent in this repetition */
  window_ms: number;
  /** probes sent and answered, per type */
  probes: Partial<Record<ProbeType, { sent: number; ok: number }>>;
  /** with a steady load: requests sent during the repetition, and those without a 2xx/3xx answer */
  requests_sent?: number;
  requests_lost?: number;
  /** answers returned and stayed (and the address moved to the backup, if one is named) within the bound */
  recovered: boolean;
  /** after recovery: answers returned and stayed (and the address is back on the master) within the bound */
  failed_back: boolean;
  /** who held the target address after the failover and after the failback, when a backup is named */
  holder_after_failover?: string[];
  holder_after_failback?: string[];
  warnings?: string[];
}

export type RunStatus = 'running' | 'complete' | 'interrupted' | 'failed';

/** The one request sent to the target before the first run, to see that it is there. */
export interface Preflight {
  status: number;
  /** bytes received, headers and body, as a sample's `bytes` */
  bytes: number;
  time_ms: number;
}

/**
 * The lab's calibration (`lb-bench lab calibrate`) that a run on the lab ran with: the web
 * servers' CPU share it chose, the thesis's single peak it aimed at and what single reached there,
 * the balancer's and generator's CPU (% of one core) at the top level, and the machine it holds for.
 */
export interface ManifestCalibration {
  web_cpus: number;
  target_rps: number;
  measured_rps: number;
  headroom: { balancer_pct: number; generator_pct: number };
  machine: { cpu_model: string; cpus: number; kernel: string; haproxy: string | null; nginx: string | null; apache: string | null };
  at: string;
  /**
   * the share each web server ran at when it was not the calibrated one (a `lab up --config` that
   * names web.cpus); absent while the lab runs the calibration's. The machine is the same, so its
   * fingerprint is too: a share cut by a setting is a change to what is measured, and gated as one.
   */
  lab_web_cpus?: number;
}

/** The warm-up burst of an invocation (`load.warmup`): sent before its first run, in no sample's figures. */
export interface Warmup {
  started_at: string;
  requested: number;
  completed: number;
  loss: number;
  /** bytes received, headers and body, as a sample counts them */
  bytes: number;
  duration_s: number;
  rps: number;
  connect_ms: number | null;
}

/** manifest.json; S is the scenario of the folder's kind (as written, or as read back). */
export interface Manifest<S extends StoredScenarioBase = ScenarioBase> {
  format: 1;
  id: string;
  tool: { name: string; version: string };
  node: string;
  os: { platform: string; release: string; kernel: string; arch: string };
  host: { hostname: string; cpus: number; cpu_model: string; memory_gb: number };
  scenario_file: string;
  /** as resolved, credentials replaced */
  scenario: S;
  scenario_hash: string;
  profile: string | null;
  overrides: { repetitions?: number; levels?: number[] };
  /** load scenarios: the engine and the worker processes of each level (`load.workers: auto` resolved) */
  generator?: { engine: string; workers: number | 'auto'; hosts?: string[]; workers_by_level: Record<string, number> };
  /** per inventory host: program → version line, read over SSH */
  servers?: Record<string, Record<string, string>>;
  /** a run on the lab while it ran its calibrated share; absent elsewhere */
  calibration?: ManifestCalibration;
  /** the machine, as far as absolute figures depend on it (fingerprint.ts); derived on reading a folder written without it */
  fingerprint?: Fingerprint;
  /** what was measured (system.ts): the servers' versions, the lab's configs, the declared version; derived on reading a folder written without it */
  system?: SystemUnderTest;
  started_at: string;
  ended_at: string | null;
  status: RunStatus;
  planned_runs: number;
  warnings: string[];
  /** the reachability request of the run that started the folder (load scenarios) */
  preflight?: Preflight;
  /** load: the warm-up burst of the run that started the folder (absent: none was sent) */
  warmup?: Warmup;
  /** each `run --resume` of the folder, with its own reachability request and warm-up */
  resumes?: { started_at: string; preflight?: Preflight; warmup?: Warmup }[];
  /** the folders of the scenarios run together in one invocation, interleaved run by run (this one's among them) */
  interleaved?: string[];
  /** load scenarios with `relative_to`: the reference scenario and its run folder, run together with this one */
  relative_to?: { scenario: string; run: string };
}

/** What a manifest's scenario has however it was read: a name and a kind. */
export interface StoredScenarioBase {
  name: string;
  kind: string;
}

/** A run folder read back from disk: a scenario of one kind (as the reader checked it) and that kind's samples. */
export interface StoredRunOf<S extends StoredScenarioBase, X> {
  dir: string;
  manifest: Manifest<S>;
  samples: X[];
}
