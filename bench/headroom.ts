/**
 * Generator headroom: each engine of the registry against wrk, on the same local Nginx, with the
 * same 100 connections, all keeping their connections alive (an engine sends `requests` over
 * `connections` < requests, so each connection carries many requests, as wrk's do). Runs are
 * alternated engine, engine, wrk, …; the figure is the median of the per-round ratios.
 * Every side uses one thread: the engine's event loop, and `wrk -t1`; Nginx has one worker, so on
 * a 2-core machine each side has a core. An engine's req/s is over its run, whose connect phase
 * (100 connections, a few ms of a 5 s run) is part of wrk's run too.
 */
import { startLoad } from '../src/load/engine.js';
import { ENGINE_NAMES, type EngineName } from '../src/load/engines/registry.js';
import { startNginx } from './lib/nginx.js';
import { runWrk } from './lib/wrk.js';
import { findProgram } from './lib/programs.js';
import { median, range } from './burst.js';
import { round, runAsScript, runQueueMeter, type BenchArgs, type BenchResult, type Figure } from './lib/result.js';

const CONNECTIONS = 100;

interface Measured {
  rps: number[];
  ratios: number[];
  cpu: number[];
  us: number[];
  waited: number[];
  lost: number;
}

async function runEngine(url: string, engine: EngineName, requests: number) {
  const c0 = process.cpuUsage();
  const wait = runQueueMeter();
  const run = startLoad({ url, requests, connections: CONNECTIONS, timeoutMs: 10_000, engine });
  const e = await run.done;
  await run.closed;
  const c = process.cpuUsage(c0);
  const w = wait();
  return { e, us: (c.user + c.system) / e.completed, waitedPct: w === null ? null : (w / (e.duration_s * 1000)) * 100 };
}

/** Warm-up, and each engine's request count that fills about `seconds`. */
async function sizeRuns(url: string, engines: EngineName[], tiny: boolean, seconds: number): Promise<Map<EngineName, number>> {
  const requests = new Map<EngineName, number>();
  for (const e of engines) {
    const warm = (await runEngine(url, e, tiny ? 2000 : 20_000)).e;
    requests.set(e, Math.max(1000, Math.round((warm.completed / warm.duration_s) * seconds)));
  }
  await runWrk(url, { threads: 1, connections: CONNECTIONS, seconds: 1 });
  return requests;
}

interface Rounds {
  m: Map<EngineName, Measured>;
  wrkRps: number[];
  wrkUs: number[];
}

/** The measured rounds: every engine (in alternating order), then wrk; each engine's ratio to its round's wrk. */
async function measureRounds(url: string, requests: Map<EngineName, number>, rounds: number, seconds: number): Promise<Rounds> {
  const engines = [...requests.keys()];
  const m = new Map<EngineName, Measured>(engines.map((e) => [e, { rps: [], ratios: [], cpu: [], us: [], waited: [], lost: 0 }]));
  const wrkRps: number[] = [];
  const wrkUs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const got = new Map<EngineName, number>();
    for (const e of i % 2 ? [...engines].reverse() : engines) {
      const r = await runEngine(url, e, requests.get(e)!);
      const x = m.get(e)!;
      got.set(e, r.e.completed / r.e.duration_s);
      x.rps.push(r.e.completed / r.e.duration_s);
      x.cpu.push(r.e.generator_cpu);
      x.us.push(r.us);
      if (r.waitedPct !== null) x.waited.push(r.waitedPct);
      x.lost += r.e.requested - r.e.completed;
    }
    const w = await runWrk(url, { threads: 1, connections: CONNECTIONS, seconds });
    if (w.cpuMs !== null) wrkUs.push((w.cpuMs * 1000) / w.requests);
    wrkRps.push(w.rps);
    for (const e of engines) m.get(e)!.ratios.push(got.get(e)! / w.rps);
  }
  return { m, wrkRps, wrkUs };
}

/** wrk's figure, then each engine's figures and a note on how its runs went. */
function headroomFigures({ m, wrkRps, wrkUs }: Rounds, requests: Map<EngineName, number>): { figures: Figure[]; notes: string[] } {
  const figures: Figure[] = [{ figure: 'wrk -t1 req/s (median, range)', value: `${Math.round(median(wrkRps))}${range(wrkRps)}` }];
  const notes: string[] = [];
  for (const [e, x] of m) {
    const ratio = median(x.ratios);
    figures.push(
      { figure: `${e} req/s (median, range)`, value: `${Math.round(median(x.rps))}${range(x.rps)}` },
      { figure: `${e} / wrk (median of rounds)`, value: round(ratio, 3), target: '≥ 0.9', met: ratio >= 0.9 },
      {
        figure: `${e} CPU per request (all threads) / wrk's`,
        value: `${round(median(x.us), 1)} / ${wrkUs.length ? round(median(wrkUs), 1) : 'n/a'}`,
        unit: 'µs',
      },
      { figure: `${e} requests lost`, value: x.lost, target: '0', met: x.lost === 0 },
    );
    notes.push(
      `${e}: ${requests.get(e)} requests a run; event-loop CPU ${round(median(x.cpu), 1)} % of a core` +
        (x.waited.length ? `, waiting for a CPU ${round(median(x.waited), 1)} % of the window` : '') +
        `; ratios ${x.ratios.map((r) => round(r, 3)).join(', ')}`,
    );
  }
  return { figures, notes };
}

export async function headroom(a: BenchArgs): Promise<BenchResult> {
  const title = 'Generator headroom: each engine vs wrk';
  const missing = ['nginx', 'wrk'].filter((p) => !findProgram(p));
  if (missing.length)
    return {
      bench: 'headroom',
      title,
      tiny: a.tiny,
      figures: [],
      notes: [],
      skipped: `${missing.join(' and ')} not installed (scripts/setup.sh installs them)`,
    };
  const rounds = a.tiny ? 1 : 5;
  const seconds = a.tiny ? 1 : 5;
  const nginx = await startNginx({ workers: 1 });
  try {
    const requests = await sizeRuns(nginx.url, [...ENGINE_NAMES], a.tiny, seconds);
    const { figures, notes } = headroomFigures(await measureRounds(nginx.url, requests, rounds, seconds), requests);
    notes.push(
      `${rounds} rounds, alternated; ${CONNECTIONS} keep-alive connections each; wrk -t1 -d ${seconds}s; target: ${nginx.version}, 1 worker, 1.5 KB static page on ${nginx.url}`,
    );
    return { bench: 'headroom', title, tiny: a.tiny, figures, notes };
  } finally {
    await nginx.stop();
  }
}

runAsScript(import.meta, headroom);
