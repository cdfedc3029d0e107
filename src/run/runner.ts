/**
 * One scenario, start to end: check the environment, then every planned (level, repetition)
 * run in order, each stored the moment it finishes. Interruption drops only the run in flight.
 */
import { interruptible } from '../util/pause.js';
import { startLoad } from '../load/engine.js';
import { ensureOpenFiles, ensurePorts } from '../load/limits.js';
import { checkTarget } from '../net/reach.js';
import { generatorBoundReason, toSample } from '../metrics/run-sample.js';
import { connectionsPerProcess, generatorPlan, workersFor } from '../load/workers/split.js';
import { inRunFolder, type FolderOptions } from '../results/lifecycle.js';
import type { RunWriter } from '../results/writer.js';
import type { Preflight, RunSample } from '../results/types.js';
import type { ResolvedScenario } from '../scenario/resolved.js';
import type { ThresholdCheck } from '../scenario/schema.js';
import { planRuns, type PlannedRun } from './plan.js';
import { createProgress, eta } from '../io/progress.js';
import { thresholdChecks } from './thresholds.js';
import { openEnvironment, type Environment } from './environment.js';
import { targetSummary, targetWarning } from './target-health.js';
import type { LoadRun } from './stored.js';

export interface RunOptions extends FolderOptions {
  /** a stored run to complete instead of starting a new folder */
  resume?: LoadRun;
  acceptNewHostKeys?: boolean;
}

export interface ScenarioResult {
  dir: string;
  samples: RunSample[];
  breaches: string[];
  checks: ThresholdCheck[];
}

const judged = (checks: ThresholdCheck[]) => ({ checks, breaches: checks.flatMap((c) => c.breaches) });

const connectionsFor = (level: number, concurrency: number | 'all') => (concurrency === 'all' ? level : Math.min(concurrency, level));

/** The reachability request is set-up, not measurement: at least this patient, so a busy machine is not taken for a dead target. */
const PREFLIGHT_MIN_MS = 10_000;

/** Everything that can fail before a byte of load is sent: the lab guard first, then hosts, limits, target. */
async function preflight(r: ResolvedScenario, opts: RunOptions): Promise<Environment & { preflight: Preflight }> {
  const { scenario, file } = r;
  const env = await openEnvironment(r, { acceptNewHostKeys: opts.acceptNewHostKeys, log: (l) => opts.io.err(l) });
  try {
    const widest = Math.max(...scenario.load.levels.map((l) => connectionsFor(l, scenario.load.concurrency)));
    // with worker processes, each holds only its share of the sockets; the local ports are shared
    ensureOpenFiles(Math.max(...scenario.load.levels.map((l) => connectionsPerProcess(l, scenario.load))), file);
    ensurePorts(widest, file);
    return { ...env, preflight: await checkTarget(scenario.target, Math.max(scenario.load.timeout, PREFLIGHT_MIN_MS), file) };
  } catch (e) {
    env.close();
    throw e;
  }
}

export async function runScenario(r: ResolvedScenario, opts: RunOptions): Promise<ScenarioResult> {
  const { scenario } = r;
  const { load } = scenario;
  const done: RunSample[] = [...(opts.resume?.samples ?? [])];
  const plan = planRuns(load.levels, load.repetitions, done);
  const total = load.levels.length * load.repetitions;
  const env = await preflight(r, opts);
  return inRunFolder(
    r,
    opts,
    { unit: 'run', planned: total, manifest: { generator: generatorPlan(scenario.load) } },
    env,
    async (writer) => {
      const measured = await runPlan(r, plan, done, env, writer, opts);
      return {
        kept: done.length,
        closing: targetSummary(scenario.name, measured),
        result: { dir: writer.dir, samples: done, ...judged(thresholdChecks(scenario.thresholds, done)) },
      };
    },
  );
}

/** Every planned run in order, each stored the moment it finishes; the runs measured now. */
async function runPlan(
  r: ResolvedScenario,
  plan: PlannedRun[],
  done: RunSample[],
  env: Environment,
  writer: RunWriter,
  opts: RunOptions,
): Promise<RunSample[]> {
  const { scenario } = r;
  const { load } = scenario;
  const total = load.levels.length * load.repetitions;
  const measured: RunSample[] = [];
  const progress = createProgress(opts.io);
  // ETA: seconds per request measured so far (load windows only), times what is left, plus cooldowns
  let measuredSeconds = 0;
  let measuredRequests = 0;
  try {
    for (const [i, run] of plan.entries()) {
      if (i > 0 && load.cooldown > 0) await interruptible(load.cooldown, opts.signal);
      if (opts.signal.aborted) break;
      const label = runLabel(scenario.name, run, load.repetitions, done.length + 1, total);
      const remainingRequests = plan.slice(i).reduce((n, p) => n + p.level, 0);
      const perRequest = measuredRequests ? measuredSeconds / measuredRequests : NaN;
      progress.running(`${label}  ETA ${eta(perRequest * remainingRequests + ((plan.length - i - 1) * load.cooldown) / 1000)}`);

      const runStarted = Date.now();
      const sample = await measure(r, run, opts.signal, env, writer);
      if (!sample) break; // interrupted: the run in flight is dropped
      measuredSeconds += (Date.now() - runStarted) / 1000;
      for (const w of sample.warnings ?? []) progress.note(`warning: ${w}`);
      writer.appendSample(sample);
      done.push(sample);
      measured.push(sample);
      measuredRequests += run.level;
      progress.done(doneLine(label, sample));
    }
  } finally {
    progress.stop();
  }
  return measured;
}

function doneLine(label: string, sample: RunSample): string {
  return (
    `${label}  ${sample.rps} req/s  loss ${sample.loss}` +
    (sample.loss ? ` (errors ${sample.errors}, timeouts ${sample.timeouts}, non2xx ${sample.non2xx})` : '') +
    `  p99 ${sample.latency_ms.p99 ?? '-'} ms` +
    (sample.generator_bound ? `  generator-bound (${generatorBoundReason(sample)})` : '')
  );
}

function runLabel(name: string, run: PlannedRun, reps: number, index: number, total: number): string {
  return `${name}  level ${run.level}  rep ${run.repetition}/${reps}  [${index}/${total}]`;
}

/** One run; null when it was interrupted (its partial figures are not kept). */
async function measure(
  r: ResolvedScenario,
  run: PlannedRun,
  signal: AbortSignal,
  env: Environment,
  writer: RunWriter,
): Promise<RunSample | null> {
  const { load, target } = r.scenario;
  // CPU counters are read right before and right after the load window (bounded: never holds up the load)
  await env.monitor?.begin({ level: run.level, repetition: run.repetition });
  const inflight = startLoad({
    url: target,
    requests: run.level,
    connections: connectionsFor(run.level, load.concurrency),
    timeoutMs: load.timeout,
    method: load.method,
    headers: load.headers,
    engine: load.engine,
    workers: workersFor(run.level, load),
  });
  const onAbort = () => inflight.stop();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const outcome = await inflight.done;
    const window = await env.monitor?.end();
    await inflight.closed;
    if (signal.aborted) return null;
    for (const record of window?.records ?? []) writer.appendTo('cpu.jsonl', record);
    const sample = toSample(run.level, run.repetition, outcome, window?.cpu, window?.warnings);
    const target = targetWarning(sample);
    if (target) sample.warnings = [...(sample.warnings ?? []), target];
    return sample;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
