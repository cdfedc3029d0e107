/**
 * The stable result formats (docs/results.md) that every kind's run folder shares. A run folder
 * holds manifest.json, samples.jsonl (one sample per line, of its kind: src/kinds/<kind>/sample.ts)
 * and, where sampled, cpu.jsonl and probes.jsonl. Which sample a folder holds is its scenario's kind
 * (src/kinds/registry.ts, where StoredRun is the union over the kinds).
 */
import type { z } from 'zod';
import type { ScenarioBase } from '../scenario/fields.js';
import type { preflightSchema, warmupSchema } from './manifest-schema.js';
import type { Fingerprint } from './fingerprint.js';
import type { SystemUnderTest } from './system.js';

export type RunStatus = 'running' | 'complete' | 'interrupted' | 'failed';

/** The one request sent to the target before the first run, to see that it is there. */
export type Preflight = z.output<typeof preflightSchema>;

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
export type Warmup = z.output<typeof warmupSchema>;

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
