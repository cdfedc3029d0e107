/**
 * The life of a run folder, the same for every kind of scenario. It is opened only once the
 * environment is up (so a scenario that cannot start leaves no folder): a new folder, or a resumed
 * one under its lock. It is marked `running` with what the environment found, the kind's runner
 * appends to it, and it is closed `complete`, `interrupted` (the work in flight is dropped, every
 * finished run kept) or `failed` (the first error is the one reported).
 */
import { Interrupted } from '../errors.js';
import type { Io } from '../io/io.js';
import type { ResolvedScenario } from '../scenario/resolved.js';
import type { ScenarioBase } from '../scenario/fields.js';
import type { RunLock } from './lock.js';
import { fingerprintOf } from './fingerprint.js';
import { systemOf } from './system.js';
import { newManifest } from './manifest.js';
import { RunWriter } from './writer.js';
import type { Manifest, ManifestCalibration, Preflight, StoredScenarioBase } from './types.js';

/** Where a runner writes, and what it continues. */
export interface FolderOptions {
  outDir: string;
  io: Io;
  signal: AbortSignal;
  /** a stored run to complete instead of starting a new folder */
  resume?: { dir: string; manifest: Manifest<StoredScenarioBase> };
  /** its lock, taken before it was read */
  lock?: RunLock;
}

/** What the environment found before the first byte was sent, for the manifest; and how to let it go. */
export interface SetUp {
  servers?: Record<string, Record<string, string>>;
  /** said on stderr and kept in the manifest */
  warnings?: readonly string[];
  /** the reachability request: a new folder's `preflight`, or its entry in `resumes` */
  preflight?: Preflight;
  /** a run on the lab: the calibration it runs (null: not calibrated); undefined elsewhere */
  calibration?: ManifestCalibration | null;
  /** a run on the lab: the hash of its generated configs (null: none found); undefined elsewhere */
  labConfigs?: string | null;
  close(): void;
}

/** A new folder records the lab's calibration; a resumed one keeps its own, and says so if the lab's changed since. */
function calibrationPatch(manifest: Manifest<StoredScenarioBase>, resumed: boolean, env: SetUp): Partial<Manifest<StoredScenarioBase>> {
  if (env.calibration === undefined) return {};
  if (!resumed) return env.calibration ? { calibration: env.calibration } : {};
  const share = (c: ManifestCalibration | null | undefined) => c?.lab_web_cpus ?? c?.web_cpus ?? null;
  const was = share(manifest.calibration);
  const now = share(env.calibration);
  if (was === now) return {};
  const say = (v: number | null) => (v === null ? 'not calibrated' : `whose web servers ran at ${v} CPU each`);
  return { warnings: [`resumed on a lab ${say(now)}; this folder's first runs were on a lab ${say(was)}`] };
}

export interface Plan {
  /** what one unit of work is called: run, repetition */
  unit: string;
  /** units the scenario plans in all (the manifest's planned_runs) */
  planned: number;
  /** what the kind records of its own in a new folder's manifest */
  manifest?: Pick<Manifest<StoredScenarioBase>, 'generator'>;
}

/** What the runner's work in the folder came to. */
export interface Outcome<T> {
  /** units the folder holds now */
  kept: number;
  /** one last line about the whole scenario, said on stderr and kept in the manifest */
  closing?: string | null;
  result: T;
}

function open<S extends ScenarioBase>(r: ResolvedScenario<S>, opts: FolderOptions, plan: Plan, env: SetUp): RunWriter<StoredScenarioBase> {
  if (opts.signal.aborted) {
    env.close();
    throw new Interrupted(`interrupted before the first ${plan.unit}; nothing was measured`);
  }
  try {
    return opts.resume ? RunWriter.reopen(opts.resume, opts.lock) : RunWriter.create(opts.outDir, newManifest(r, plan.planned, plan.manifest));
  } catch (e) {
    env.close();
    throw e;
  }
}

/** Marked running, with what this start found; the reachability request on the record, so that the target's logs reconcile. */
function start(writer: RunWriter<StoredScenarioBase>, resumed: boolean, env: SetUp, io: Io): void {
  for (const w of env.warnings ?? []) io.err(`warning: ${w}`);
  const request =
    env.preflight === undefined
      ? {}
      : resumed
        ? { resumes: [...(writer.manifest.resumes ?? []), { started_at: new Date().toISOString(), preflight: env.preflight }] }
        : { preflight: env.preflight };
  const calibration = calibrationPatch(writer.manifest, resumed, env);
  for (const w of calibration.warnings ?? []) io.err(`warning: ${w}`);
  const patch = {
    status: 'running' as const,
    ended_at: null,
    ...(env.servers ? { servers: { ...writer.manifest.servers, ...env.servers } } : {}),
    ...(calibration.calibration ? { calibration: calibration.calibration } : {}),
    warnings: [...writer.manifest.warnings, ...(env.warnings ?? []), ...(calibration.warnings ?? [])],
    ...request,
  };
  // the machine and the system under test as this start found them: the servers' versions are known only now
  const next = { ...writer.manifest, ...patch };
  writer.update({ ...patch, fingerprint: fingerprintOf(next), system: systemOf(next, env.labConfigs) });
}

/** Record how the folder ended, and close it (which releases its lock). */
export function finish(writer: RunWriter<StoredScenarioBase>, status: 'complete' | 'interrupted' | 'failed', closing?: string | null): void {
  try {
    writer.update({ status, ended_at: new Date().toISOString(), ...(closing ? { warnings: [...writer.manifest.warnings, closing] } : {}) });
  } finally {
    writer.close();
  }
}

/**
 * Opens the scenario's folder and marks it running, for a runner that keeps several folders open
 * at once (scenarios run together); it closes each with `finish`. `env` is closed if it cannot open.
 */
export function openRunFolder<S extends ScenarioBase>(r: ResolvedScenario<S>, opts: FolderOptions, plan: Plan, env: SetUp): RunWriter<StoredScenarioBase> {
  const writer = open(r, opts, plan, env);
  try {
    start(writer, opts.resume !== undefined, env, opts.io);
  } catch (e) {
    env.close();
    try {
      finish(writer, 'failed');
    } catch {
      /* the first failure is the one to report */
    }
    throw e;
  }
  return writer;
}

/** Opens the scenario's folder around `work`, and closes it as it ended; `env` is closed either way. */
export async function inRunFolder<S extends ScenarioBase, T>(
  r: ResolvedScenario<S>,
  opts: FolderOptions,
  plan: Plan,
  env: SetUp,
  work: (writer: RunWriter<StoredScenarioBase>) => Promise<Outcome<T>>,
): Promise<T> {
  const writer = open(r, opts, plan, env);
  let outcome: Outcome<T>;
  try {
    start(writer, opts.resume !== undefined, env, opts.io);
    outcome = await work(writer);
  } catch (e) {
    try {
      finish(writer, opts.signal.aborted ? 'interrupted' : 'failed');
    } catch {
      /* the first failure is the one to report (a full disk may also refuse the status update) */
    }
    throw e;
  } finally {
    env.close();
  }
  if (outcome.closing) opts.io.err(`warning: ${outcome.closing}`);
  finish(writer, opts.signal.aborted ? 'interrupted' : 'complete', outcome.closing);
  if (opts.signal.aborted) {
    throw new Interrupted(
      `interrupted: ${outcome.kept} of ${plan.planned} ${plan.unit}s are kept in ${writer.dir}; finish them with: lb-bench run ${r.file} --resume ${writer.dir}`,
    );
  }
  return outcome.result;
}
