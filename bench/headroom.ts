/**
 * Generator headroom: lb-bench's load engine against wrk, on the same local Nginx, with the same
 * 100 connections, both keeping their connections alive (the engine sends `requests` over
 * `connections` < requests, so each connection carries many requests, as wrk's do). Runs are
 * alternated engine, wrk, engine, wrk…; the figure is the median of the per-pair ratios.
 * Both sides use one thread: the engine's event loop, and `wrk -t1`; Nginx has one worker, so on a
 * 2-core machine each side has a core.
 */
import { startLoad } from '../src/load/engine.js';
import { startNginx } from './lib/nginx.js';
import { runWrk } from './lib/wrk.js';
import { findProgram } from './lib/programs.js';
import { round, runAsScript, runQueueMeter, type BenchArgs, type BenchResult } from './lib/result.js';

const CONNECTIONS = 100;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function headroom(a: BenchArgs): Promise<BenchResult> {
  const title = 'Generator headroom: engine vs wrk';
  const missing = ['nginx', 'wrk'].filter((p) => !findProgram(p));
  if (missing.length) return { bench: 'headroom', title, tiny: a.tiny, figures: [], notes: [], skipped: `${missing.join(' and ')} not installed (scripts/setup.sh installs them)` };
  const pairs = a.tiny ? 1 : 5;
  const seconds = a.tiny ? 1 : 5;
  const nginx = await startNginx({ workers: 1 });
  try {
    // warm-up, and the engine's request count that fills about `seconds`
    const warmRun = startLoad({ url: nginx.url, requests: a.tiny ? 2000 : 20_000, connections: CONNECTIONS, timeoutMs: 10_000 });
    const warm = await warmRun.done;
    await warmRun.closed;
    await runWrk(nginx.url, { threads: 1, connections: CONNECTIONS, seconds: 1 });
    const requests = Math.max(1000, Math.round((warm.completed / warm.duration_s) * seconds));

    const engineRps: number[] = [];
    const wrkRps: number[] = [];
    const ratios: number[] = [];
    const cpu: number[] = [];
    const engineUs: number[] = [];
    const wrkUs: number[] = [];
    const waited: number[] = [];
    let lost = 0;
    for (let i = 0; i < pairs; i++) {
      const c0 = process.cpuUsage();
      const wait = runQueueMeter();
      const run = startLoad({ url: nginx.url, requests, connections: CONNECTIONS, timeoutMs: 10_000 });
      const e = await run.done;
      await run.closed;
      const c = process.cpuUsage(c0);
      const w0 = wait();
      if (w0 !== null) waited.push((w0 / (e.duration_s * 1000)) * 100);
      engineUs.push((c.user + c.system) / e.completed);
      lost += e.requested - e.completed;
      const w = await runWrk(nginx.url, { threads: 1, connections: CONNECTIONS, seconds });
      if (w.cpuMs !== null) wrkUs.push((w.cpuMs * 1000) / w.requests);
      const rps = e.completed / e.duration_s;
      engineRps.push(rps);
      wrkRps.push(w.rps);
      ratios.push(rps / w.rps);
      cpu.push(e.generator_cpu);
    }
    const ratio = median(ratios);
    return {
      bench: 'headroom',
      title,
      tiny: a.tiny,
      figures: [
        { figure: 'engine req/s (median)', value: Math.round(median(engineRps)) },
        { figure: 'wrk -t1 req/s (median)', value: Math.round(median(wrkRps)) },
        { figure: 'engine / wrk (median of pairs)', value: round(ratio, 3), target: '≥ 0.9', met: ratio >= 0.9 },
        { figure: "engine's event-loop CPU (median)", value: round(median(cpu), 1), unit: '% of a core' },
        { figure: "engine's event loop waiting for a CPU (median)", value: waited.length ? round(median(waited), 1) : 'n/a', unit: '% of the window' },
        { figure: 'CPU per request: engine (all threads) / wrk', value: `${round(median(engineUs), 1)} / ${wrkUs.length ? round(median(wrkUs), 1) : 'n/a'}`, unit: 'µs' },
        { figure: 'engine requests lost', value: lost, target: '0', met: lost === 0 },
      ],
      notes: [
        `${pairs} pairs, alternated engine then wrk; ${CONNECTIONS} keep-alive connections each; engine: ${requests} requests a run, wrk -t1 -d ${seconds}s`,
        `target: ${nginx.version}, 1 worker, 1.5 KB static page on ${nginx.url}`,
        `ratios: ${ratios.map((r) => round(r, 3)).join(', ')}`,
      ],
    };
  } finally {
    await nginx.stop();
  }
}

runAsScript(import.meta, headroom);
