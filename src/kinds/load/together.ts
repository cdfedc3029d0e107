/**
 * Load scenarios run together, in one invocation: a scenario and the reference it names
 * (`relative_to`), or reproduce's four. Every member's environment is checked and its folder
 * opened first; then the runs are interleaved run by run (plan.ts: interleave), each stored the
 * moment it finishes, in its member's own folder. A reference's runs are also copied into the
 * folders of the scenarios that name it (reference.jsonl), so that their ratios travel with them.
 * One scenario run alone is the case of one member.
 *
 * A member that fails mid-way (a worker killed, a target gone for good) has its folder marked
 * `failed` and the others go on; its error is its outcome. Interruption stops them all: every
 * finished run is kept, and one `--resume` of any of the folders continues all of them.
 */
import { join, resolve } from 'node:path';
import { Interrupted } from '../../errors.js';
import { createProgress, eta, type Progress } from '../../io/progress.js';
import { slowestRps, timeoutAt } from './timeout.js';
import { generatorPlan } from '../../load/workers/split.js';
import { finish, openRunFolder, type FolderOptions } from '../../results/lifecycle.js';
import { readJsonl } from '../../results/read.js';
import type { RunSample, LoadRun } from './sample.js';
import type { RunWriter } from '../../results/writer.js';
import { referenceFile } from './relative-to.js';
import type { LoadScenario } from './scenario.js';
import type { ResolvedScenario } from '../../scenario/resolved.js';
import { interruptible } from '../../util/pause.js';
import { doneLine, measure, preflight, runLabel, type ReadyEnvironment } from './measure.js';
import { interleave, type ScheduledRun } from './plan.js';
import { REFERENCE_FILE, sampleKey } from './stored.js';
import { targetSummary } from './target-health.js';
import { thresholdChecks } from './thresholds.js';
import { warmUp, warmupLine, warmupRequests } from './warmup.js';
import type { ThresholdCheck } from '../../scenario/fields.js';
import type { TogetherMember, TogetherOptions, TogetherOutcome } from '../kind.js';

type Member = TogetherMember<LoadScenario, LoadRun>;

const judged = (checks: ThresholdCheck[]) => ({ checks, breaches: checks.flatMap((c) => c.breaches) });

/** A member whose folder is open. */
interface Live {
  index: number;
  r: ResolvedScenario<LoadScenario>;
  env: ReadyEnvironment;
  writer: RunWriter;
  /** a folder continued (`--resume`): its warm-up goes into its last `resumes` entry */
  resumed: boolean;
  planned: number;
  /** every run its folder holds: resumed, then measured now */
  done: RunSample[];
  measured: RunSample[];
  dependents: Live[];
  reference: Live | null;
  /** what stopped it mid-way */
  error?: unknown;
}

const plannedRuns = (r: ResolvedScenario<LoadScenario>) => r.scenario.load.levels.length * r.scenario.load.repetitions;

/** Each member's reference among the members, by its file: the index, or -1. */
export function referencesAmong(members: readonly ResolvedScenario<LoadScenario>[]): number[] {
  const files = members.map((m) => resolve(m.file));
  return members.map((m, i) => {
    const file = referenceFile(m);
    const j = file === null ? -1 : files.indexOf(resolve(file));
    return j === i ? -1 : j;
  });
}

/** Every member's environment, in order; a failure stops all (closing those opened) unless `partial`. */
async function openEnvironments(members: readonly Member[], opts: TogetherOptions): Promise<(ReadyEnvironment | { error: unknown })[]> {
  const envs: (ReadyEnvironment | { error: unknown })[] = [];
  for (const m of members) {
    try {
      envs.push(
        await preflight(m.scenario, { acceptNewHostKeys: opts.acceptNewHostKeys, log: (l) => opts.io.err(l), signal: opts.signal }),
      );
    } catch (error) {
      if (!opts.partial) {
        for (const e of envs) if ('close' in e) e.close();
        throw error;
      }
      envs.push({ error });
    }
  }
  return envs;
}

/** Every member's folder, new or resumed, marked running; a failure to open one closes those opened (failed) and is thrown. */
function openFolders(members: readonly Member[], envs: (ReadyEnvironment | { error: unknown })[], opts: TogetherOptions): (Live | null)[] {
  const lives: (Live | null)[] = [];
  try {
    members.forEach((m, index) => {
      const env = envs[index];
      if (!('close' in env)) return void lives.push(null);
      const folder: FolderOptions = { outDir: opts.outDir, io: opts.io, signal: opts.signal, resume: m.resume, lock: m.lock };
      const plan = {
        unit: 'run',
        planned: plannedRuns(m.scenario),
        manifest: { generator: generatorPlan(m.scenario.scenario.load, env.generators) },
      };
      const writer = openRunFolder(m.scenario, folder, plan, env);
      const done = [...(m.resume?.samples ?? [])].map(({ pair: _pair, ...s }) => s);
      const resumed = m.resume !== undefined;
      lives.push({
        index,
        r: m.scenario,
        env,
        writer,
        resumed,
        planned: plan.planned,
        done,
        measured: [],
        dependents: [],
        reference: null,
      });
    });
  } catch (e) {
    for (const l of lives) if (l) close(l, opts.signal.aborted ? 'interrupted' : 'failed');
    envs.slice(lives.length + 1).forEach((env) => 'close' in env && env.close());
    throw e;
  }
  return lives;
}

/** The folder ended as `status`, its environment let go; a failure to record it is not the one to report. */
function close(l: Live, status: 'complete' | 'interrupted' | 'failed', closing?: string | null): void {
  try {
    finish(l.writer, status, closing);
  } catch (e) {
    if (status !== 'failed') throw e;
  } finally {
    l.env.close();
  }
}

/**
 * The manifests of members run together name each other's folders (`interleaved`), a dependent
 * its reference's (`relative_to`); a resumed dependent gets the reference's runs it is missing
 * (a crash between storing a reference's run and copying it).
 */
async function link(lives: readonly Live[], refs: readonly number[]): Promise<void> {
  if (lives.length < 2) return;
  const ids = lives.map((l) => l.writer.manifest.id);
  for (const l of lives) {
    const j = refs[l.index];
    l.reference = lives.find((x) => x.index === j) ?? null;
    l.reference?.dependents.push(l);
  }
  for (const l of lives) {
    const ref = l.reference;
    l.writer.update({ interleaved: ids, ...(ref ? { relative_to: { scenario: ref.r.scenario.name, run: ref.writer.manifest.id } } : {}) });
    if (!ref) continue;
    const copied = new Set((await readJsonl(join(l.writer.dir, REFERENCE_FILE))).map(({ value }) => sampleKey(value as RunSample)));
    for (const s of ref.done) if (!copied.has(sampleKey(s))) l.writer.appendTo(REFERENCE_FILE, s, true);
  }
}

/** Stored in its folder, and copied into the folders of the members that name it as their reference. */
function store(l: Live, sample: RunSample): void {
  l.writer.appendSample(sample);
  l.done.push(sample);
  l.measured.push(sample);
  for (const d of l.dependents) if (d.error === undefined) d.writer.appendTo(REFERENCE_FILE, sample, true);
}

/**
 * A member's warm-up before its first run of this invocation (every invocation is a new process,
 * cold), recorded in its manifest; false when it was interrupted.
 */
async function warmUpMember(l: Live, level: number, progress: Progress, signal: AbortSignal): Promise<boolean> {
  const { name, load } = l.r.scenario;
  const requests = warmupRequests(load);
  if (requests === 0) return true;
  const timeoutMs = timeoutAt(load.timeout, requests, slowestRps(l.done));
  progress.running(`${name}  warm-up  ${requests} requests, left out of the figures`);
  const w = await warmUp(l.r, level, timeoutMs, signal, l.env);
  if (!w) return false;
  const resumes = l.writer.manifest.resumes ?? [];
  if (!l.resumed) l.writer.update({ warmup: w });
  else if (resumes.length) l.writer.update({ resumes: [...resumes.slice(0, -1), { ...resumes.at(-1)!, warmup: w }] });
  else l.writer.update({ resumes: [{ started_at: w.started_at, warmup: w }] });
  progress.done(`${name}  ${warmupLine(w)}`);
  return true;
}

/** The runs in their interleaved order; a member that fails is closed (failed) and its remaining runs skipped. */
async function runSchedule(lives: Live[], schedule: readonly ScheduledRun[], opts: TogetherOptions): Promise<void> {
  const total = lives.reduce((n, l) => n + l.planned, 0);
  const progress = createProgress(opts.io);
  const failed = (l: Live, e: unknown) => {
    l.error = e;
    close(l, 'failed');
    if (lives.length > 1)
      progress.note(`${l.r.scenario.name}: stopped (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); the others go on`);
  };
  // ETA: seconds per request measured so far (load windows only), times what is left, plus cooldowns
  let seconds = 0;
  let requests = 0;
  let ran = 0;
  const warmed = new Set<number>();
  const live = (run: ScheduledRun) => lives.find((l) => l.index === run.member && l.error === undefined);
  try {
    for (const [i, run] of schedule.entries()) {
      const l = live(run);
      if (!l) continue;
      const { load, name } = l.r.scenario;
      // every burst, a warm-up too, is followed by the cooldown: the first run meets the target as the others do
      const cooldown = async () => {
        if (ran++ > 0 && load.cooldown > 0) await interruptible(load.cooldown, opts.signal);
        return !opts.signal.aborted;
      };
      if (!(await cooldown())) break;
      if (!warmed.has(l.index)) {
        warmed.add(l.index);
        try {
          if (!(await warmUpMember(l, run.level, progress, opts.signal))) break;
        } catch (e) {
          if (opts.signal.aborted) break;
          failed(l, e);
          continue;
        }
        if (warmupRequests(load) > 0 && !(await cooldown())) break;
      }
      const rest = schedule.slice(i).filter(live);
      const label = runLabel(name, run, load.repetitions, lives.reduce((n, x) => n + x.done.length, 0) + 1, total);
      const left = rest.reduce((n, p) => n + p.level, 0) * (requests ? seconds / requests : NaN);
      progress.running(`${label}  ETA ${eta(left + rest.slice(1).reduce((n, p) => n + live(p)!.r.scenario.load.cooldown, 0) / 1000)}`);
      const started = Date.now();
      try {
        const timeoutMs = timeoutAt(load.timeout, run.level, slowestRps(l.done));
        const sample = await measure(l.r, { ...run, timeoutMs }, opts.signal, l.env, l.writer);
        if (!sample) break; // interrupted: the run in flight is dropped
        seconds += (Date.now() - started) / 1000;
        requests += run.level;
        for (const w of sample.warnings ?? []) progress.note(`warning: ${w}`);
        store(l, sample);
        progress.done(doneLine(label, sample));
      } catch (e) {
        if (opts.signal.aborted) break;
        failed(l, e);
      }
    }
  } finally {
    progress.stop();
  }
}

/** What an interruption leaves, and the one command that finishes it. */
function interrupted(lives: readonly Live[]): Interrupted {
  const kept = lives.filter((l) => l.error === undefined);
  if (kept.length === 1 && lives.length === 1) {
    const [l] = kept;
    return new Interrupted(
      `interrupted: ${l.done.length} of ${l.planned} runs are kept in ${l.writer.dir}; finish them with: lb-bench run ${l.r.file} --resume ${l.writer.dir}`,
    );
  }
  const each = kept.map((l) => `${l.r.scenario.name} ${l.done.length} of ${l.planned} runs in ${l.writer.dir}`).join('; ');
  return new Interrupted(
    `interrupted: kept ${each}; finish them all, interleaved as before, with: lb-bench run --resume ${kept[0]?.writer.dir}`,
  );
}

/** Runs the members together; one outcome each, in their order. Throws Interrupted on interruption (every finished run kept). */
export async function runTogether(members: readonly Member[], opts: TogetherOptions): Promise<TogetherOutcome<RunSample>[]> {
  const refs = referencesAmong(members.map((m) => m.scenario));
  const envs = await openEnvironments(members, opts);
  const opened = openFolders(members, envs, opts);
  const lives = opened.filter((l): l is Live => l !== null);
  try {
    await link(lives, refs);
    const schedule = interleave(members.map((m, i) => ({ ...m.scenario.scenario.load, done: opened[i]?.done ?? [] })));
    await runSchedule(
      lives,
      schedule.filter((s) => opened[s.member]),
      opts,
    );
  } catch (e) {
    for (const l of lives) if (l.error === undefined) close(l, opts.signal.aborted ? 'interrupted' : 'failed');
    throw e;
  }
  const status = opts.signal.aborted ? 'interrupted' : 'complete';
  for (const l of lives.filter((x) => x.error === undefined)) {
    const closing = targetSummary(l.r.scenario.name, l.measured);
    if (closing) opts.io.err(`warning: ${closing}`);
    close(l, status, closing);
  }
  if (opts.signal.aborted) throw interrupted(lives);
  return members.map((m, i): TogetherOutcome<RunSample> => {
    const env = envs[i];
    const l = opened[i];
    if (!l) return { ok: false, error: 'error' in env ? env.error : new Error('not opened') };
    if (l.error !== undefined) return { ok: false, error: l.error };
    return {
      ok: true,
      result: { dir: l.writer.dir, samples: l.done, ...judged(thresholdChecks(m.scenario.scenario.thresholds, l.done)) },
    };
  });
}
