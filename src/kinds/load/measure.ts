/**
 * One load scenario's parts around a run: what must hold before the first byte is sent (the
 * preflight), one run measured, and the lines the terminal shows for it.
 */
import { readable, readableMs } from '../../io/progress.js';
import { startLoad } from '../../load/engine.js';
import { backlogDrops, backlogWarning } from '../../load/backlog-drops.js';
import { ensureOpenFiles, ensurePorts } from '../../load/limits.js';
import { checkTarget, type HttpAnswer } from '../../net/reach.js';
import { inputError } from '../../errors.js';
import { redactUrl } from '../../util/redact.js';
import { generatorBoundReason, toSample } from './run-sample.js';
import { connectionsPerProcess, workersFor } from '../../load/workers/split.js';
import type { RunWriter } from '../../results/writer.js';
import type { Preflight } from '../../results/types.js';
import type { RunSample } from './sample.js';
import type { LoadScenario } from './scenario.js';
import type { ResolvedScenario } from '../../scenario/resolved.js';
import type { PlannedRun } from './plan.js';
import { firstTimeout } from './timeout.js';
import { openEnvironment, type Environment } from './environment.js';
import { targetWarning } from './target-health.js';
import { warmupRequests } from './warmup.js';

export const connectionsFor = (level: number, concurrency: number | 'all') =>
  concurrency === 'all' ? level : Math.min(concurrency, level);

/** The reachability request is set-up, not measurement: at least this patient, so a busy machine is not taken for a dead target. */
const PREFLIGHT_MIN_MS = 10_000;

export type ReadyEnvironment = Environment & { preflight: Preflight };

/** The engine's look at the target's answer: autocannon cannot measure answers that end with the connection. */
async function engineJudge({ scenario, file }: ResolvedScenario<LoadScenario>): Promise<((a: HttpAnswer) => void) | undefined> {
  if (scenario.load.engine !== 'autocannon') return undefined;
  const { closeDelimited, CLOSE_DELIMITED } = await import('../../load/engines/autocannon.js');
  return (a) => {
    if (closeDelimited(a.status, a.headers, scenario.load.method))
      throw inputError(
        `${file}: load.engine: target ${redactUrl(scenario.target)} ${CLOSE_DELIMITED}`,
        'use load.engine: net (the default), which reads such answers',
      );
  };
}

/** Everything that can fail before a byte of load is sent: the lab guard first, then hosts, limits, target. */
export async function preflight(
  r: ResolvedScenario<LoadScenario>,
  opts: { acceptNewHostKeys?: boolean; log: (line: string) => void; signal?: AbortSignal },
): Promise<ReadyEnvironment> {
  const { scenario, file } = r;
  const env = await openEnvironment(r, opts);
  try {
    // on generator hosts each worker checks its own limits (and refuses its share, named); here, this machine's
    if (!env.generators) {
      // every burst: the levels', and the warm-up's (which may be larger than any level)
      const bursts = [...scenario.load.levels, warmupRequests(scenario.load)];
      const widest = Math.max(...bursts.map((l) => connectionsFor(l, scenario.load.concurrency)));
      // with worker processes, each holds only its share of the sockets; the local ports are shared
      ensureOpenFiles(Math.max(...bursts.map((l) => connectionsPerProcess(l, scenario.load))), file);
      ensurePorts(widest, file);
    }
    const bound = Math.max(firstTimeout(scenario.load.timeout), PREFLIGHT_MIN_MS);
    return { ...env, preflight: await checkTarget(scenario.target, bound, file, opts.signal, await engineJudge(r)) };
  } catch (e) {
    env.close();
    throw e;
  }
}

export function doneLine(label: string, sample: RunSample): string {
  return (
    `${label}  ${readable(sample.rps)} req/s  loss ${sample.loss}` +
    (sample.loss ? ` (errors ${sample.errors}, timeouts ${sample.timeouts}, non2xx ${sample.non2xx})` : '') +
    `  p99 ${sample.latency_ms.p99 === null ? '-' : readableMs(sample.latency_ms.p99)}` +
    ((sample.workers?.length ?? 0) > 1 && typeof sample.start_skew_ms === 'number'
      ? `  start skew ${readableMs(sample.start_skew_ms)}`
      : '') +
    (sample.generator_bound ? `  generator-bound (${generatorBoundReason(sample)})` : '')
  );
}

export function runLabel(name: string, run: PlannedRun, reps: number, index: number, total: number): string {
  return `${name}  level ${run.level}  rep ${run.repetition}/${reps}  [${index}/${total}]`;
}

/** One run; null when it was interrupted (its partial figures are not kept). */
export async function measure(
  r: ResolvedScenario<LoadScenario>,
  run: PlannedRun & { timeoutMs: number },
  signal: AbortSignal,
  env: Environment,
  writer: RunWriter,
): Promise<RunSample | null> {
  const { load, target } = r.scenario;
  // CPU counters are read right before and right after the load window (bounded: never holds up the load)
  await env.monitor?.begin({ level: run.level, repetition: run.repetition });
  const drops = backlogDrops();
  const inflight = startLoad({
    url: target,
    requests: run.level,
    connections: connectionsFor(run.level, load.concurrency),
    timeoutMs: run.timeoutMs,
    method: load.method,
    headers: load.headers,
    engine: load.engine,
    workers: workersFor(run.level, load),
    spawners: env.generators?.spawnersFor(run.level, load),
  });
  const onAbort = () => inflight.stop();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const outcome = await inflight.done;
    const window = await env.monitor?.end();
    await inflight.closed;
    if (signal.aborted) return null;
    for (const record of window?.records ?? []) writer.appendTo('cpu.jsonl', record);
    const sample = { ...toSample(run.level, run.repetition, outcome, window?.cpu, window?.warnings), timeout_ms: run.timeoutMs };
    const target = targetWarning(sample);
    if (target) sample.warnings = [...(sample.warnings ?? []), target];
    const dropped = backlogWarning(drops, backlogDrops());
    if (dropped) sample.warnings = [...(sample.warnings ?? []), dropped];
    return sample;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
