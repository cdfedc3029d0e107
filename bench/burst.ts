/**
 * The burst, the thesis's workload: N requests over N connections, all at once, against a local
 * Nginx (1 worker), by each engine of the registry (and the default over two worker processes)
 * and by ApacheBench (`ab -n N -c N`, a C client, no keep-alive), alternated engine, engine, ab, …
 * for N = 1000 and 5000. With `--target URL` (e.g. the lab's HAProxy, http://198.18.0.10:81/) the
 * same against that target instead, after the lab guard: nothing is sent to an address of the
 * benchmarking range that is not on this machine.
 *
 * Like for like: ab's time runs from its first connect to its last answer, and so does a run's
 * duration (its connect phase included); the send window alone is shown beside. Latency: the
 * engine's median (request
 * written to answer read) against ab's median "Processing" time (connection established to answer
 * read; ab writes the request as soon as the connection is up). Figures are medians over the runs,
 * with ranges; the ratios are medians of per-round ratios, each engine against the ab run of its round.
 */
import { startLoad } from '../src/load/engine.js';
import type { LoadOutcome } from '../src/load/engine-types.js';
import { DEFAULT_ENGINE, ENGINE_NAMES, type EngineName } from '../src/load/engines/registry.js';
import { endIdleWorkers } from '../src/load/workers/pool.js';
import { runAb, type AbRun } from './lib/ab.js';
import { startNginx } from './lib/nginx.js';
import { guardBenchAddress } from '../src/lab/guard.js';
import { findProgram } from './lib/programs.js';
import { backlogDrops } from '../src/load/backlog-drops.js';
import { round, runAsScript, runQueueMeter, type BenchArgs, type BenchResult, type Figure } from './lib/result.js';

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const range = (xs: number[], digits = 0) =>
  xs.length > 1 ? ` (${round(Math.min(...xs), digits)}–${round(Math.max(...xs), digits)})` : '';

interface EngineRun {
  outcome: LoadOutcome;
  /** completed / duration, connect phase included: ab's definition */
  rpsWithConnect: number;
  /** this process's CPU (user + system) per request, µs */
  cpuUs: number;
  /** the share of the run the event loop's thread waited for a CPU, % */
  waitedPct: number | null;
}

/** an engine in lb-bench's own process, or over worker processes */
interface Variant {
  label: string;
  engine: EngineName;
  workers: number;
}

async function runEngine(url: string, v: Variant, n: number): Promise<EngineRun> {
  const c0 = process.cpuUsage();
  const wait = runQueueMeter();
  const t0 = performance.now();
  const run = startLoad({ url, requests: n, connections: n, timeoutMs: 10_000, engine: v.engine, workers: v.workers });
  const o = await run.done;
  const wallMs = performance.now() - t0;
  const waited = wait();
  const c = process.cpuUsage(c0);
  await run.closed;
  return {
    outcome: o,
    rpsWithConnect: o.duration_s > 0 ? o.completed / o.duration_s : 0,
    cpuUs: (c.user + c.system) / n,
    waitedPct: waited === null ? null : (waited / wallMs) * 100,
  };
}

interface Round {
  ab: AbRun;
  engines: Map<string, EngineRun>;
}

function levelFigures(n: number, rounds: Round[], variants: Variant[]): { figures: Figure[]; notes: string[] } {
  const abRps = rounds.map((r) => r.ab.rps);
  const abProc = rounds.map((r) => r.ab.processingMedianMs);
  const figures: Figure[] = [
    { figure: `${n}: ab req/s (median, range)`, value: `${Math.round(median(abRps))}${range(abRps)}` },
    { figure: `${n}: ab median latency, Processing (median, range)`, value: `${median(abProc)}${range(abProc)}`, unit: 'ms' },
  ];
  const notes: string[] = [];
  for (const { label: e, workers } of variants) {
    const runs = rounds.map((r) => r.engines.get(e)!);
    const rps = runs.map((r) => r.rpsWithConnect);
    const own = runs.map((r) => r.outcome.completed / (r.outcome.duration_s - (r.outcome.connect_ms ?? 0) / 1000));
    const p50 = runs.map((r) => r.outcome.latency_ms.p50 ?? NaN);
    const rpsRatio = median(rounds.map((r) => r.engines.get(e)!.rpsWithConnect / r.ab.rps));
    const latRatio = median(rounds.map((r) => (r.engines.get(e)!.outcome.latency_ms.p50 ?? NaN) / Math.max(1, r.ab.processingMedianMs)));
    const lost = runs.reduce((s, r) => s + r.outcome.requested - r.outcome.completed, 0);
    const connect = runs.map((r) => r.outcome.connect_ms ?? 0);
    const block = runs.map((r) => r.outcome.generator_block_max_ms);
    figures.push(
      { figure: `${n}: ${e} req/s with connect (median, range)`, value: `${Math.round(median(rps))}${range(rps)}` },
      { figure: `${n}: ${e} / ab req/s`, value: round(rpsRatio, 2), target: '≥ 0.9', met: rpsRatio >= 0.9 },
      { figure: `${n}: ${e} median latency (median, range)`, value: `${round(median(p50), 1)}${range(p50, 1)}`, unit: 'ms' },
      { figure: `${n}: ${e} / ab median latency`, value: round(latRatio, 2), target: '≤ 1.1', met: latRatio <= 1.1 },
      { figure: `${n}: ${e} requests lost`, value: lost, target: '0', met: lost === 0 },
    );
    const waited = runs.map((r) => r.waitedPct).filter((w): w is number => w !== null);
    notes.push(
      `${n}, ${e}: send-window req/s ${Math.round(median(own))}${range(own)}; connect phase ${round(median(connect), 1)} ms${range(connect, 1)}; ` +
        `longest loop block ${round(median(block), 1)} ms${range(block, 1)}` +
        // with workers, this process only waits: their CPU is theirs
        (workers ? '' : `; CPU ${round(median(runs.map((r) => r.cpuUs)), 1)} µs a request`) +
        (waited.length && !workers ? `; its thread waited for a CPU ${round(median(waited), 0)} % of the run` : ''),
    );
  }
  const abCpu = rounds.map((r) => r.ab.cpuMs).filter((c): c is number => c !== null);
  if (abCpu.length)
    notes.push(
      `${n}, ab: CPU ${round((median(abCpu) * 1000) / n, 1)} µs a request (10 ms ticks); failed ${rounds.reduce((s, r) => s + r.ab.failed, 0)}`,
    );
  return { figures, notes };
}

export async function burst(a: BenchArgs): Promise<BenchResult> {
  const title = 'Burst: N at once, each engine vs ab';
  const missing = ['nginx', 'ab'].filter((p) => !findProgram(p));
  if (missing.length)
    return {
      bench: 'burst',
      title,
      tiny: a.tiny,
      figures: [],
      notes: [],
      skipped: `${missing.join(' and ')} not installed (scripts/setup.sh installs them)`,
    };
  const levels = a.tiny ? [200] : [1000, 5000];
  const rounds = a.tiny ? 1 : 7;
  // every engine in lb-bench's process, and the default over two worker processes (CPU per
  // request then counts lb-bench's own process only, not the workers')
  const variants: Variant[] = [
    ...ENGINE_NAMES.map((engine) => ({ label: engine, engine, workers: 0 })),
    { label: `${DEFAULT_ENGINE} ×2 workers`, engine: DEFAULT_ENGINE, workers: 2 },
  ];
  if (a.target) await guardBenchAddress(new URL(a.target).hostname, '--target');
  const nginx = a.target ? null : await startNginx({ workers: 1, workerConnections: 12_000 });
  const url = a.target ?? nginx!.url;
  const figures: Figure[] = [];
  const notes: string[] = [];
  try {
    for (const n of levels) {
      const drops = backlogDrops();
      const l = levelFigures(n, await measureLevel(url, n, rounds, variants), variants);
      figures.push(...l.figures);
      notes.push(...l.notes);
      const after = backlogDrops();
      // SYNs dropped before any program sees them: retried a second later, by ab and lb-bench alike
      if (drops !== null && after !== null)
        notes.push(
          `${n}: packets this machine's kernel dropped, its input backlog full (/proc/net/softnet_stat), over the level's runs: ${after - drops}`,
        );
    }
    const target = nginx ? `${nginx.version}, 1 worker, 1.5 KB static page on ${url}` : url;
    notes.push(`${rounds} rounds per level, alternated; target: ${target}`);
    return { bench: 'burst', title, tiny: a.tiny, figures, notes };
  } finally {
    await endIdleWorkers();
    await nginx?.stop();
  }
}

/** A warm-up, then `rounds` rounds of every variant and ab, the order alternated. */
async function measureLevel(url: string, n: number, rounds: number, variants: Variant[]): Promise<Round[]> {
  // warm-up: code paths, the target's memory, the page in the cache
  for (const v of variants) await runEngine(url, v, n);
  await runAb(url, { requests: n, concurrency: n });
  const measured: Round[] = [];
  for (let i = 0; i < rounds; i++) {
    const engineRuns = new Map<string, EngineRun>();
    // alternate the order too, so that neither side always follows the other
    const order = i % 2 ? [...variants].reverse() : variants;
    for (const v of order) engineRuns.set(v.label, await runEngine(url, v, n));
    measured.push({ ab: await runAb(url, { requests: n, concurrency: n }), engines: engineRuns });
  }
  return measured;
}

runAsScript(import.meta, burst);
