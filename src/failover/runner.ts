/**
 * A failover scenario, start to end (issue 5): check the environment, then every repetition —
 * steady state → inject → measure until answers return and stay → recover → measure the failback
 * the same way → settle — each stored the moment it finishes, every probe in probes.jsonl.
 * A repetition that does not come back is recorded and the cluster repaired; one that cannot be
 * brought back stops the scenario with exit 3.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { interruptible } from '../util/pause.js';
import { envError } from '../errors.js';
import { inRunFolder, type FolderOptions } from '../results/lifecycle.js';
import type { RunWriter } from '../results/writer.js';
import type { FailoverSample } from '../results/types.js';
import type { ResolvedScenario } from '../scenario/resolved.js';
import type { FailoverScenario } from '../scenario/failover-schema.js';
import { availability, phaseDowntime, stable } from './downtime.js';
import { describeStep, faultPlan, labRepair, runStep, type FaultPlan } from './faults.js';
import { openFailoverEnvironment, type FailoverEnvironment } from './environment.js';
import { nowMs, probeTarget, round, startProber, type ProbeResult, type Prober } from './probes.js';
import type { FailoverRun } from './stored.js';
import { Timeline } from './timeline.js';

export interface FailoverOptions extends FolderOptions {
  resume?: FailoverRun;
  acceptNewHostKeys?: boolean;
}

export interface FailoverResult {
  dir: string;
  samples: FailoverSample[];
  breaches: string[];
}

type Scenario = ResolvedScenario<FailoverScenario>;

/** How often the phases look at the probes and at who holds the address. */
const POLL_MS = 50;
const HOLDER_POLL_MS = 250;

export async function runFailover(r: Scenario, opts: FailoverOptions): Promise<FailoverResult> {
  const { scenario } = r;
  const env = await openFailoverEnvironment(r, { acceptNewHostKeys: opts.acceptNewHostKeys, log: (l) => opts.io.err(l) });
  const done: FailoverSample[] = [...(opts.resume?.samples ?? [])];
  return inRunFolder(r, opts, { unit: 'repetition', planned: scenario.repetitions }, env, async (writer) => {
    const plan = faultPlan(scenario.fault);
    opts.io.err(`${scenario.name}: fault on ${scenario.fault.host}: inject ${describeStep(plan.inject)}; recover ${describeStep(plan.recover)}`);
    for (let rep = done.length + 1; rep <= scenario.repetitions && !opts.signal.aborted; rep++) {
      const sample = await repetition(r, rep, plan, env, writer, opts);
      if (!sample) break;
      writer.appendSample(sample);
      done.push(sample);
      opts.io.err(summaryLine(scenario, sample));
      if (!sample.failed_back) await bringBack(r, plan, env, opts);
      if (rep < scenario.repetitions) await interruptible(scenario.fault.settle, opts.signal);
    }
    return { kept: done.length, result: { dir: writer.dir, samples: done, breaches: breaches(scenario, done) } };
  });
}

/** Waits until `ready()` or the bound; false on the bound or an interruption. */
async function until(ready: () => Promise<boolean> | boolean, boundMs: number, signal: AbortSignal): Promise<boolean> {
  const deadline = nowMs() + boundMs;
  while (!signal.aborted) {
    if (await ready()) return true;
    if (nowMs() > deadline) return false;
    await interruptible(POLL_MS, signal);
  }
  return false;
}

/** Who holds the address, polled in the background so that the probes' view is never held up by SSH. */
class HolderWatch {
  holders: string[] | null = null;
  /** why the last poll had no answer (a slow or lost host), until one succeeds */
  error: string | null = null;
  #stopped = false;
  #loop: Promise<void>;
  constructor(env: FailoverEnvironment, hosts: () => string[]) {
    this.#loop = (async () => {
      while (!this.#stopped) {
        try {
          this.holders = await env.holders(hosts());
          this.error = null;
        } catch (e) {
          this.error = (e as Error).message;
        }
        await sleep(HOLDER_POLL_MS);
      }
    })();
  }
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }
}

async function repetition(r: Scenario, rep: number, plan: FaultPlan, env: FailoverEnvironment, writer: RunWriter, opts: FailoverOptions): Promise<FailoverSample | null> {
  const { scenario: s } = r;
  const f = s.fault;
  const maxProbeMs = 3 * f.bound + 2 * f.settle + f.hold + 10_000;
  const timeline = new Timeline();
  const warnings: string[] = [];
  const started = new Date();
  // probes answer from timer callbacks: a write error there (a full disk) is kept and rethrown
  // by the repetition, so that the fault is still recovered and the error is one clear line
  let writeError: unknown = null;
  const record = (p: ProbeResult) => {
    timeline.add(p);
    if (writeError) return;
    try {
      writer.appendTo('probes.jsonl', { repetition: rep, ...p });
    } catch (e) {
      writeError = e;
    }
  };
  const probers: Prober[] = s.probe.map((p) => startProber(p, probeTarget(p, s.target), maxProbeMs, record));
  const load = { sent: 0, lost: 0 };
  const loadProber = s.load
    ? startProber({ type: 'http', interval: 1000 / s.load.rate, timeout: s.load.timeout }, probeTarget({ type: 'http', interval: 0, timeout: 0 }, s.target), maxProbeMs, (p) => {
        load.sent++;
        if (!p.ok) load.lost++;
      })
    : null;
  const allStable = (holdMs: number) => s.probe.every((p) => stable(timeline.points(p.type), nowMs(), holdMs, p.timeout));
  const maxTimeout = Math.max(...s.probe.map((p) => p.timeout));
  /**
   * The phase's event (the address moved, the step finished) has happened, and every probe sent
   * since then, for `hold`, was answered: "returned and stayed". Probes before the event do not count.
   */
  const settledAfter = (event: () => boolean, holdMs: number) => {
    let since: number | null = null;
    return () => {
      if (!event()) return (since = null), false;
      since ??= nowMs();
      return nowMs() - maxTimeout - holdMs >= since && allStable(holdMs);
    };
  };
  // during the failover the master may be cut off (link down): ask only the backup then
  let watchHosts = [f.host, ...(f.backup ? [f.backup] : [])];
  const watch = f.backup ? new HolderWatch(env, () => watchHosts) : null;
  const holds = (host: string) => watch?.holders?.includes(host) ?? false;
  let injectedAt = 0;
  let recoveredAt: number | null = null;
  let injecting: Promise<void> | null = null;
  try {
    // steady state: every probe answering for `settle`, the address on the master
    const steady = await until(settledAfter(() => !watch || (holds(f.host) && !holds(f.backup!)), f.settle), f.bound + f.settle, opts.signal);
    if (opts.signal.aborted) return null;
    if (!steady) {
      throw envError(
        `${r.file}: repetition ${rep}: no steady state within ${(f.bound + f.settle) / 1000} s (${notSteady(s, timeline, watch)})`,
        'check the cluster (lb-bench lab status for the lab); nothing was injected',
      );
    }

    injectedAt = nowMs();
    let injectError: Error | null = null;
    let injectDone = false;
    watchHosts = f.backup ? [f.backup] : [];
    injecting = runStep(plan.inject, 'fault.inject', f.host, env.pool, f.bound)
      .catch((e: Error) => void (injectError = e))
      .finally(() => (injectDone = true));
    const sawFailure = () => s.probe.some((p) => timeline.points(p.type).some((x) => !x.ok && x.t >= injectedAt));
    const failedOver = settledAfter(() => injectDone && (watch ? holds(f.backup!) : sawFailure()), f.hold);
    const recovered = await until(() => (injectDone && injectError !== null) || failedOver(), f.bound, opts.signal);
    await injecting;
    if (injectError) throw injectError;
    if (!recovered && !opts.signal.aborted) warnings.push(`the failover did not complete within ${f.bound / 1000} s`);
    const holderAfterFailover = watch?.holders ?? undefined;

    recoveredAt = nowMs();
    watchHosts = [f.host, ...(f.backup ? [f.backup] : [])];
    await runStep(plan.recover, 'fault.recover', f.host, env.pool, f.bound).catch((e: Error) => warnings.push(`recovery failed: ${e.message}`));
    const failedBack = await until(settledAfter(() => !watch || (holds(f.host) && !holds(f.backup!)), f.hold), f.bound, opts.signal);
    if (opts.signal.aborted) return null;
    if (!failedBack) warnings.push(`the failback did not complete within ${f.bound / 1000} s`);
    const holderAfterFailback = watch?.holders ?? undefined;
    // the probes go on through the settle time: a late failback outage is still seen
    await interruptible(Math.min(f.settle, 2_000), opts.signal);
    if (opts.signal.aborted) return null;
    await Promise.all([...probers, ...(loadProber ? [loadProber] : [])].map((p) => p.stop()));
    if (writeError) throw writeError;

    const sample: FailoverSample = {
      repetition: rep,
      started_at: started.toISOString(),
      ended_at: new Date().toISOString(),
      injected_at: new Date(injectedAt).toISOString(),
      recovered_at: new Date(recoveredAt).toISOString(),
      downtime_ms: {},
      failback_downtime_ms: {},
      availability: {},
      window_ms: 0,
      probes: {},
      recovered,
      failed_back: failedBack,
      ...(holderAfterFailover ? { holder_after_failover: holderAfterFailover } : {}),
      ...(holderAfterFailback ? { holder_after_failback: holderAfterFailback } : {}),
    };
    for (const p of s.probe) {
      const points = timeline.points(p.type);
      sample.downtime_ms[p.type] = nullableRound(phaseDowntime(points, injectedAt, recoveredAt).downtime_ms);
      sample.failback_downtime_ms[p.type] = nullableRound(phaseDowntime(points, recoveredAt).downtime_ms);
      const a = availability(points);
      sample.availability[p.type] = a.availability === null ? null : Math.round(a.availability * 10_000) / 10_000;
      sample.window_ms = Math.max(sample.window_ms, round(a.window_ms));
      sample.probes[p.type] = { sent: points.length, ok: points.filter((x) => x.ok).length };
    }
    if (s.load) {
      sample.requests_sent = load.sent;
      sample.requests_lost = load.lost;
    }
    if (warnings.length) sample.warnings = warnings;
    return sample;
  } finally {
    await Promise.all([...probers, ...(loadProber ? [loadProber] : [])].map((p) => p.stop()));
    await watch?.stop();
    if (injectedAt && recoveredAt === null) {
      // interrupted, or a step failed, with the fault in place: undo it before going
      await injecting?.catch(() => {});
      await runStep(plan.recover, 'fault.recover', f.host, env.pool, f.bound).catch((e: Error) => opts.io.err(`lb-bench: could not recover the fault: ${e.message}`));
    }
  }
}

const nullableRound = (v: number | null) => (v === null ? null : round(v));

function notSteady(s: FailoverScenario, t: Timeline, watch: HolderWatch | null): string {
  const parts = s.probe.map((p) => {
    const pts = t.points(p.type);
    const last = pts.at(-1);
    return `${p.type}: ${last ? (last.ok ? 'answering' : `failing (${t.lastError(p.type) ?? 'no answer'})`) : 'nothing sent'}`;
  });
  const holders = watch?.holders;
  if (watch?.error) parts.push(`where the address is: not known (${watch.error})`);
  else if (s.fault.backup) parts.push(holders === null || holders === undefined ? 'where the address is: not asked yet' : `address on ${holders.length ? holders.join(' and ') : 'neither balancer'}`);
  return parts.join(', ');
}

/** After a repetition that did not fail back: repair (the lab) or run the recovery again, then demand a steady state. */
async function bringBack(r: Scenario, plan: FaultPlan, env: FailoverEnvironment, opts: FailoverOptions): Promise<void> {
  const f = r.scenario.fault;
  opts.io.err(`${r.scenario.name}: the cluster did not come back by itself; ${r.scenario.inventory === 'lab' ? 'repairing the lab' : 'running the recovery again'}`);
  try {
    if (r.scenario.inventory === 'lab') await labRepair();
    else await runStep(plan.recover, 'fault.recover', f.host, env.pool, f.bound);
  } catch (e) {
    throw envError(`${r.file}: the cluster could not be brought back: ${(e as Error).message}`, 'check it by hand (lb-bench lab status for the lab); the repetitions so far are kept');
  }
  const ok = await until(async () => {
    if (!f.backup) return true;
    const h = await env.holders([f.host, f.backup]).catch((): string[] => []);
    return h.includes(f.host) && !h.includes(f.backup);
  }, f.bound, opts.signal);
  if (!ok && !opts.signal.aborted) {
    throw envError(`${r.file}: the cluster could not be brought back: the address ${new URL(r.scenario.target).hostname} is not back on ${f.host}`, 'check it by hand (lb-bench lab status for the lab); the repetitions so far are kept');
  }
}

const fmtMs = (v: number | null | undefined) => (v === null || v === undefined ? 'not back' : `${v.toFixed(1)} ms`);

function summaryLine(s: FailoverScenario, x: FailoverSample): string {
  const per = s.probe.map((p) => `${p.type} ${fmtMs(x.downtime_ms[p.type])} (failback ${fmtMs(x.failback_downtime_ms[p.type])}, ${x.availability[p.type]?.toFixed(3) ?? '–'} %)`);
  const lost = x.requests_sent !== undefined ? `  lost ${x.requests_lost}/${x.requests_sent} requests` : '';
  return `${s.name}  rep ${x.repetition}/${s.repetitions}  downtime ${per.join(', ')}${lost}${x.warnings?.length ? `  [${x.warnings.join('; ')}]` : ''}`;
}

/** thresholds.downtime_ms: a repetition over it, or one that never came back, is a breach. */
function breaches(s: FailoverScenario, samples: readonly FailoverSample[]): string[] {
  const limit = s.thresholds?.downtime_ms;
  if (limit === undefined) return [];
  const out: string[] = [];
  for (const x of samples) {
    for (const [type, v] of Object.entries(x.downtime_ms)) {
      if (v === null) out.push(`repetition ${x.repetition}: ${type} never came back (downtime_ms ≤ ${limit})`);
      else if (v > limit) out.push(`repetition ${x.repetition}: ${type} downtime ${v} ms > ${limit} ms`);
    }
  }
  return out;
}
