/**
 * Scale: one level of 50 000 simultaneous requests against a local Nginx, through runScenario as
 * `lb-bench run` does it. Where this machine's limits refuse it, the figures are the tool's own
 * message (which limit, what to set) and, instead, the widest level the limits allow: 50 000
 * requests over as many simultaneous connections as fit, every request accounted for, and the
 * memory it took; and the same level over worker processes (`load.workers: auto`), which the
 * open-file limit of one process no longer refuses. Nginx runs 4 workers with SO_REUSEPORT, each
 * under its own open-file limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Io } from '../src/cli/io.js';
import { LbError } from '../src/errors.js';
import { ensurePorts, ephemeralPorts, openFileLimit } from '../src/load/limits.js';
import { runScenario } from '../src/kinds/load/runner.js';
import { isLoad, resolveScenarioText } from '../src/kinds/scenario-file.js';
import type { RunSample } from '../src/kinds/load/sample.js';
import { startNginx } from './lib/nginx.js';
import { findProgram } from './lib/programs.js';
import { round, runAsScript, type BenchArgs, type BenchResult, type Figure } from './lib/result.js';
import { endIdleWorkers } from '../src/load/workers/pool.js';

const silent: Io = { out: () => {}, err: () => {}, interactive: false, debug: false };
/** open files that Node, Nginx's pipes and the results folder need besides the load (limits.ts keeps 256) */
const FD_RESERVE = 300;

interface LevelRun {
  sample: RunSample;
  wallMs: number;
  /** the longest lb-bench's event loop was blocked over the whole run (connect phase included), ms */
  loopBlockedMs: number;
  /** kernel CPU of the generator process over the level (connect, send, receive), s */
  systemS: number;
}

async function runLevel(url: string, level: number, concurrency: number | 'all', workers: number | 'auto' = 0): Promise<LevelRun> {
  const text = `name: bench-scale\ntarget: ${url}\nload:\n  levels: [${level}]\n  concurrency: ${concurrency}\n  workers: ${workers}\n  repetitions: 1\n  timeout: 30s\n  cooldown: 0s\n`;
  const r = resolveScenarioText('bench-scale.yaml', text);
  if (!r.ok || !isLoad(r.value)) throw new Error(`bench scenario invalid: ${r.ok ? 'not a load scenario' : r.problems.join('; ')}`);
  const out = mkdtempSync(path.join(tmpdir(), 'lb-bench-scale-'));
  try {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const res = await runScenario(r.value, { outDir: out, io: silent, signal: new AbortController().signal });
    delay.disable();
    return {
      sample: res.samples[0]!,
      wallMs: performance.now() - t0,
      loopBlockedMs: delay.max / 1e6,
      systemS: process.cpuUsage(cpu0).system / 1e6,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** What the tool says when a level does not fit; null when it fits. */
function refusal(e: unknown): string {
  if (e instanceof LbError) return `${e.message}${e.hint ? ` — ${e.hint}` : ''}`;
  throw e;
}

/** what the benchmark prints, filled in phase by phase */
interface Report {
  figures: Figure[];
  notes: string[];
}

interface WholeLevel {
  /** the level's run, in this process or over worker processes; null when both were refused */
  run: LevelRun | null;
  refused: string | null;
  refusedOverWorkers: string | null;
  portRefusal: string | null;
  /** RSS before the first try, for the memory the level added */
  rssBefore: number;
}

/** The whole level at once, as a user would ask for it; if refused, over worker processes. */
async function tryWholeLevel(url: string, level: number): Promise<WholeLevel> {
  let refused: string | null = null;
  let run: LevelRun | null = null;
  const rssBefore = process.memoryUsage().rss;
  try {
    run = await runLevel(url, level, 'all');
  } catch (e) {
    refused = refusal(e);
  }
  // over worker processes, each under its own open-file limit: what refuses then is the port range
  let refusedOverWorkers: string | null = null;
  if (refused) {
    try {
      run = await runLevel(url, level, 'all', 'auto');
    } catch (e) {
      refusedOverWorkers = refusal(e);
    }
  }
  // the port limit, which the open-file check (first) hides
  let portRefusal: string | null = null;
  try {
    ensurePorts(level, 'bench-scale.yaml');
  } catch (e) {
    portRefusal = refusal(e);
  }
  return { run, refused, refusedOverWorkers, portRefusal, rssBefore };
}

/** Whether the whole level ran, and what the tool said where it did not. */
function reportWholeLevel(level: number, w: WholeLevel, out: Report): void {
  out.figures.push({
    figure: `${level} simultaneous (concurrency: all)`,
    value: w.run ? 'ran' : 'refused before sending',
    target: 'completes',
    met: w.run !== null && w.run.sample.loss === 0,
  });
  if (w.refused) out.notes.push(`lb-bench says: ${w.refused}`);
  if (w.refusedOverWorkers) out.notes.push(`with load.workers: auto: ${w.refusedOverWorkers}`);
  else if (w.portRefusal) out.notes.push(`and then: ${w.portRefusal}`);
}

/** How the level's run went: requests, time, CPU, event-loop blocks, memory. */
function reportRun(run: LevelRun, connections: number, rssBefore: number, out: Report): void {
  const s = run.sample;
  const accounted = s.completed + s.errors + s.timeouts + s.non2xx === s.requested;
  out.figures.push(
    { figure: 'simultaneous connections used', value: connections },
    { figure: 'requests: completed / requested', value: `${s.completed} / ${s.requested}`, target: 'all completed', met: s.loss === 0 },
    { figure: 'every request accounted for', value: accounted ? 'yes' : 'NO', target: 'yes', met: accounted },
    { figure: 'loss (errors, timeouts, non2xx)', value: `${s.loss} (${s.errors}, ${s.timeouts}, ${s.non2xx})` },
    { figure: 'load window (req/s)', value: `${round(s.duration_s, 2)} s (${Math.round(s.rps)})` },
    { figure: 'latency p50 / p99 / max', value: `${s.latency_ms.p50} / ${s.latency_ms.p99} / ${s.latency_ms.max}`, unit: 'ms' },
    { figure: "generator's event-loop CPU", value: s.generator_cpu, unit: '% of a core' },
    { figure: "generator's kernel CPU (connect, send, receive)", value: round(run.systemS, 2), unit: 's' },
    {
      figure: 'connect phase',
      value: s.connect_ms === null || s.connect_ms === undefined ? 'none (connects while sending)' : Math.round(s.connect_ms),
      unit: s.connect_ms ? 'ms' : undefined,
    },
    {
      figure: 'longest event-loop block: send window / whole run',
      value: `${Math.round(s.generator_block_max_ms ?? NaN)} / ${Math.round(run.loopBlockedMs)}`,
      unit: 'ms',
    },
    { figure: 'peak RSS of the generator process', value: Math.round(process.resourceUsage().maxRSS / 1024), unit: 'MB' },
    { figure: 'RSS added by the level', value: Math.round((process.memoryUsage().rss - rssBefore) / 2 ** 20), unit: 'MB' },
  );
  if (s.error_codes) out.notes.push(`error codes: ${JSON.stringify(s.error_codes)}`);
}

/** The thesis's top level, for scale: how long the generator blocks while it opens the connections. */
async function thesisFigure(url: string, tiny: boolean): Promise<Figure> {
  const thesis = await runLevel(url, tiny ? 1000 : 10_000, 'all');
  return {
    figure: `thesis top level ${thesis.sample.requested} (all): window / connect phase / longest block in the send window`,
    value: `${round(thesis.sample.duration_s, 2)} s / ${Math.round(thesis.sample.connect_ms ?? 0)} ms / ${Math.round(thesis.sample.generator_block_max_ms ?? NaN)} ms`,
  };
}

export async function scale(a: BenchArgs): Promise<BenchResult> {
  const title = 'Scale: 50 000 simultaneous requests';
  if (!findProgram('nginx'))
    return { bench: 'scale', title, tiny: a.tiny, figures: [], notes: [], skipped: 'nginx not installed (scripts/setup.sh installs it)' };
  const level = a.tiny ? 2000 : 50_000;
  const nginx = await startNginx({ workers: 4, workerConnections: 19_000, reusePort: true });
  const out: Report = { figures: [], notes: [] };
  try {
    const fd = openFileLimit();
    const ports = ephemeralPorts();
    out.notes.push(
      `this machine: open files soft ${fd?.soft ?? '?'} / hard ${fd?.hard ?? '?'}, ephemeral ports ${ports ?? '?'} per destination`,
    );
    const whole = await tryWholeLevel(nginx.url, level);
    reportWholeLevel(level, whole, out);
    let run = whole.run;
    let connections = level;
    if (!run && fd) {
      // the widest that fits: the hard open-file limit less what the process needs besides sockets
      connections = Math.min(fd.hard - FD_RESERVE, ports ?? Infinity);
      run = await runLevel(nginx.url, level, connections);
      out.notes.push(
        `instead: ${level} requests over ${connections} simultaneous connections (the open-file hard limit less ${FD_RESERVE}), each connection reused`,
      );
    }
    if (run) reportRun(run, connections, whole.rssBefore, out);
    out.figures.push(await thesisFigure(nginx.url, a.tiny));
    out.notes.push(`target: ${nginx.version}, 4 workers with reuseport, worker_connections 19000, on ${nginx.url}`);
    return { bench: 'scale', title, tiny: a.tiny, figures: out.figures, notes: out.notes };
  } finally {
    await endIdleWorkers();
    await nginx.stop();
  }
}

runAsScript(import.meta, scale);
