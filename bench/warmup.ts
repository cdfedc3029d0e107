/**
 * The warm-up (`load.warmup`), argued with figures. A first burst from a new process was measured
 * slower than the ones after it; this finds out what is cold and whether the warm-up removes it:
 *
 * - the server: ab (a C client: nothing of it is compiled at run time) against a server just
 *   started, its first burst against the next ones (only with the benchmark's own server);
 * - the generator: a new process's first burst, against the first burst of a process that sent a
 *   burst to another server first (its code warm, the target not), each after ab has warmed the
 *   target;
 * - `lb-bench run` as a user runs it (a new process each time), `--repetitions 5`, without
 *   (`warmup: 0`) and with the default warm-up: is the first repetition's req/s within the range
 *   of the other four?
 * - a single-repetition `run` against ab's req/s, alternated round by round, median of the rounds.
 *
 * By default against a private Apache configured as the lab's web servers are (bench/lib/apache.ts);
 * `--target URL` against another (the lab's VIP: http://198.18.0.10:80/, after the lab guard).
 * Options: --level N (1000), --runs N of 5 repetitions (3), --rounds N (5), --cooldown MS (2000).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { guardBenchAddress } from '../src/lab/guard.js';
import { startLoad } from '../src/load/engine.js';
import type { RunSample } from '../src/kinds/load/sample.js';
import type { Warmup } from '../src/results/types.js';
import { runAb } from './lib/ab.js';
import { startApache, type LocalServer } from './lib/apache.js';
import { median, range } from './burst.js';
import { findProgram } from './lib/programs.js';
import { isMain, round, runAsScript, type BenchArgs, type BenchResult, type Figure } from './lib/result.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/lb-bench.js');

interface Options {
  url: string;
  level: number;
  runs: number;
  rounds: number;
  cooldownMs: number;
  work: string;
}

function options(a: BenchArgs): Omit<Options, 'url' | 'work'> {
  const { values } = parseArgs({
    options: { level: { type: 'string' }, runs: { type: 'string' }, rounds: { type: 'string' }, cooldown: { type: 'string' } },
    strict: false,
  });
  const num = (v: unknown, d: number) => (typeof v === 'string' && Number(v) > 0 ? Math.floor(Number(v)) : d);
  return {
    level: num(values.level, a.tiny ? 200 : 1000),
    runs: num(values.runs, a.tiny ? 1 : 3),
    rounds: num(values.rounds, a.tiny ? 1 : 5),
    cooldownMs: num(values.cooldown, a.tiny ? 200 : 2000),
  };
}

const abRps = async (url: string, n: number) => (await runAb(url, { requests: n, concurrency: n })).rps;

/** ab's bursts against a server just started, `cooldownMs` apart: the server's own cold start. */
async function serverCold(o: Options): Promise<{ figures: Figure[]; notes: string[] }> {
  const rps: number[] = [];
  for (let i = 0; i < 5; i++) {
    if (i) await sleep(o.cooldownMs);
    rps.push(await abRps(o.url, o.level));
  }
  const rest = rps.slice(1);
  return {
    figures: [
      { figure: `server: ab's first burst on a server just started / its next four (median)`, value: round(rps[0]! / median(rest), 2) },
    ],
    notes: [`server: ab on a server just started, ${o.cooldownMs} ms apart: ${rps.map((r) => Math.round(r)).join(', ')} req/s`],
  };
}

/** One burst of `n` at once in this process: req/s (connect phase included), connect phase, CPU per request. */
async function burst(url: string, n: number): Promise<{ rps: number; connect: number; cpuUs: number }> {
  const c0 = process.cpuUsage();
  const run = startLoad({ url, requests: n, connections: n, timeoutMs: 10_000 });
  const out = await run.done;
  const c = process.cpuUsage(c0);
  await run.closed;
  return { rps: out.duration_s > 0 ? out.completed / out.duration_s : 0, connect: out.connect_ms ?? 0, cpuUs: (c.user + c.system) / n };
}

/** The child process of `generatorCold`: [a burst to another server,] then two bursts to the target; JSON on stdout. */
async function child(): Promise<void> {
  const { values } = parseArgs({
    options: { child: { type: 'string' }, n: { type: 'string' }, other: { type: 'string' }, pause: { type: 'string' } },
    strict: false,
  });
  const n = Number(values.n);
  if (typeof values.other === 'string') {
    await burst(values.other, n);
    await sleep(Number(values.pause));
  }
  const first = await burst(String(values.child), n);
  await sleep(Number(values.pause));
  const second = await burst(String(values.child), n);
  process.stdout.write(JSON.stringify({ first, second }) + '\n');
}

function node(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { timeout: 300_000, maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${args.slice(0, 2).join(' ')}: ${(stderr || err.message).trim().split('\n').at(-1)}`)) : resolve(stdout),
    ),
  );
}

/** A page server on another port, for a process to warm its code against without touching the target. */
async function otherServer(): Promise<{ url: string; close(): Promise<void> }> {
  const page = 'x'.repeat(1500);
  const s = http.createServer((_q, r) => r.end(page));
  await new Promise<void>((r) => s.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
  const { port } = s.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => s.close(() => r())) };
}

/** A new process's first burst, and one whose first burst went to another server; the target warmed by ab before each. */
async function generatorCold(o: Options): Promise<{ figures: Figure[]; notes: string[] }> {
  const other = await otherServer();
  const self = fileURLToPath(import.meta.url);
  type Two = { first: { rps: number; connect: number; cpuUs: number }; second: { rps: number; connect: number; cpuUs: number } };
  const fresh: Two[] = [];
  const warmed: Two[] = [];
  try {
    for (let i = 0; i < o.rounds; i++) {
      for (const [list, extra] of [
        [fresh, []],
        [warmed, ['--other', other.url]],
      ] as const) {
        await abRps(o.url, o.level);
        await sleep(o.cooldownMs);
        const out = await node([self, '--child', o.url, '--n', String(o.level), '--pause', String(o.cooldownMs), ...extra]);
        list.push(JSON.parse(out.trim().split('\n').at(-1)!) as Two);
      }
    }
  } finally {
    await other.close();
  }
  const ratio = (xs: Two[], f: (b: Two['first']) => number) => round(median(xs.map((x) => f(x.first) / f(x.second))), 2);
  const describe = (xs: Two[]) =>
    `req/s ${xs.map((x) => `${Math.round(x.first.rps)}→${Math.round(x.second.rps)}`).join(', ')}; ` +
    `connect phase ${xs.map((x) => `${Math.round(x.first.connect)}→${Math.round(x.second.connect)}`).join(', ')} ms; ` +
    `CPU a request ${xs.map((x) => `${Math.round(x.first.cpuUs)}→${Math.round(x.second.cpuUs)}`).join(', ')} µs`;
  return {
    figures: [
      { figure: 'generator: a new process, first burst / second (req/s, median)', value: ratio(fresh, (b) => b.rps) },
      { figure: 'generator: a new process, first burst / second (CPU a request, median)', value: ratio(fresh, (b) => b.cpuUs) },
      { figure: 'generator: warmed on another server, first burst / second (req/s, median)', value: ratio(warmed, (b) => b.rps) },
      { figure: 'generator: warmed on another server, first burst / second (CPU a request, median)', value: ratio(warmed, (b) => b.cpuUs) },
    ],
    notes: [
      `generator, a new process, first→second burst: ${describe(fresh)}`,
      `generator, warmed on another server first: ${describe(warmed)}`,
    ],
  };
}

interface CliRun {
  samples: RunSample[];
  warmup: Warmup | undefined;
}

/** `lb-bench run` as a user runs it, in a new process, on a scenario of `level` at once; its samples. */
async function cliRun(o: Options, repetitions: number, warmup: number | null, tag: string): Promise<CliRun> {
  const file = path.join(o.work, `${tag}.yaml`);
  const out = path.join(o.work, `results-${tag}`);
  writeFileSync(
    file,
    [
      `name: warmup-bench`,
      `target: ${o.url}`,
      'load:',
      `  levels: [${o.level}]`,
      `  repetitions: ${repetitions}`,
      `  cooldown: ${o.cooldownMs}ms`,
      ...(warmup === null ? [] : [`  warmup: ${warmup}`]),
      '',
    ].join('\n'),
  );
  await node([CLI, 'run', file, '--out', out]);
  const dir = path.join(out, readdirSync(out)[0]!);
  const samples = readFileSync(path.join(dir, 'samples.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunSample);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { warmup?: Warmup };
  rmSync(out, { recursive: true, force: true });
  return { samples, warmup: manifest.warmup };
}

const firstWithinRest = (rps: number[]) => rps[0]! >= Math.min(...rps.slice(1)) && rps[0]! <= Math.max(...rps.slice(1));

/** Runs of 5 repetitions, without and with the warm-up, alternated: the first repetition against the other four. */
async function firstRepetition(o: Options): Promise<{ figures: Figure[]; notes: string[] }> {
  const variants = [
    ['warm-up 0', 0],
    ['default warm-up', null],
  ] as const;
  const got = new Map<string, CliRun[]>(variants.map(([l]) => [l, []]));
  for (let i = 0; i < o.runs; i++)
    for (const [label, w] of i % 2 ? [...variants].reverse() : variants) got.get(label)!.push(await cliRun(o, 5, w, `first-${i}`));
  const figures: Figure[] = [];
  const notes: string[] = [];
  for (const [label] of variants) {
    const runs = got.get(label)!;
    const within = runs.filter((r) => firstWithinRest(r.samples.map((s) => s.rps))).length;
    const ratio = median(runs.map((r) => r.samples[0]!.rps / median(r.samples.slice(1).map((s) => s.rps))));
    figures.push(
      {
        figure: `run, ${label}: first repetition within the range of the other four`,
        value: `${within} of ${runs.length}`,
        target: 'all',
        met: label === 'warm-up 0' ? null : within === runs.length,
      },
      { figure: `run, ${label}: first repetition / median of the other four (req/s, median)`, value: round(ratio, 2) },
    );
    for (const r of runs)
      notes.push(
        `run, ${label}: req/s ${r.samples.map((s) => Math.round(s.rps)).join(', ')}; connect phase ${r.samples.map((s) => Math.round(s.connect_ms ?? 0)).join(', ')} ms` +
          (r.warmup
            ? `; its warm-up ${r.warmup.requested} requests at ${Math.round(r.warmup.rps)} req/s, connect ${Math.round(r.warmup.connect_ms ?? 0)} ms`
            : ''),
      );
  }
  return { figures, notes };
}

/** Single-repetition runs against ab, alternated round by round: the CLI's req/s over ab's, median of the rounds. */
async function againstAb(o: Options): Promise<{ figures: Figure[]; notes: string[] }> {
  const ab: number[] = [];
  const cli = { 'warm-up 0': [] as number[], 'default warm-up': [] as number[] };
  for (let i = 0; i < o.rounds; i++) {
    const steps: (() => Promise<void>)[] = [
      async () => void ab.push(await abRps(o.url, o.level)),
      async () => void cli['warm-up 0'].push((await cliRun(o, 1, 0, `ab-off-${i}`)).samples[0]!.rps),
      async () => void cli['default warm-up'].push((await cliRun(o, 1, null, `ab-on-${i}`)).samples[0]!.rps),
    ];
    for (const step of i % 2 ? steps.reverse() : steps) {
      await step();
      await sleep(o.cooldownMs);
    }
  }
  const figures: Figure[] = [];
  const notes = [`ab req/s, round by round: ${ab.map(Math.round).join(', ')}`];
  for (const [label, rps] of Object.entries(cli)) {
    const ratio = median(rps.map((r, i) => r / ab[i]!));
    figures.push({
      figure: `single-repetition run, ${label} / ab (req/s, median of ${o.rounds} rounds)`,
      value: `${round(ratio, 2)}${range(
        rps.map((r, i) => r / ab[i]!),
        2,
      )}`,
      target: '≥ 0.95',
      met: label === 'warm-up 0' ? null : ratio >= 0.95,
    });
    notes.push(`single-repetition run, ${label}, req/s: ${rps.map(Math.round).join(', ')}`);
  }
  return { figures, notes };
}

export async function warmupBench(a: BenchArgs): Promise<BenchResult> {
  const title = 'Warm-up: what is cold in a first burst, and the warm-up that leaves it out';
  if (!findProgram('ab') || (!a.target && !findProgram('apache2')))
    return {
      bench: 'warmup',
      title,
      tiny: a.tiny,
      figures: [],
      notes: [],
      skipped: 'ab or apache2 not installed (scripts/setup.sh installs them)',
    };
  if (a.target) await guardBenchAddress(new URL(a.target).hostname, '--target');
  const server: LocalServer | null = a.target ? null : await startApache();
  const work = mkdtempSync(path.join(tmpdir(), 'lb-bench-warmup-'));
  const o: Options = { ...options(a), url: a.target ?? server!.url, work };
  const figures: Figure[] = [];
  const notes: string[] = [];
  const load0 = loadavg()[0]!;
  try {
    const parts = [...(server ? [serverCold] : []), generatorCold, firstRepetition, againstAb];
    for (const part of parts) {
      const p = await part(o);
      figures.push(...p.figures);
      notes.push(...p.notes);
    }
    notes.push(
      // on a shared machine the others' work is noise in every wall-time figure: CPU a request is the steadier one
      `load average (1 min) ${round(load0, 1)} at the start, ${round(loadavg()[0]!, 1)} at the end, on ${cpus().length} cores`,
      `level ${o.level} at once; cooldown ${o.cooldownMs} ms; target ${server ? `${server.version} as the lab's web servers (mpm_event, Debian's limits) on ${o.url}` : o.url}`,
    );
    return { bench: 'warmup', title, tiny: a.tiny, figures, notes };
  } finally {
    rmSync(work, { recursive: true, force: true });
    await server?.stop();
  }
}

if (isMain(import.meta) && process.argv.includes('--child')) void child();
else runAsScript(import.meta, warmupBench);
