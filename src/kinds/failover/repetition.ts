/**
 * One repetition of a failover scenario, in named phases over the probes it runs throughout:
 * steady state → fail over (inject, until answers return and stay) → fail back (recover, the same
 * way) → tail (the probes go on through the settle time) → its sample. Whatever happens, the
 * probes stop and an injected fault that was not recovered is recovered before it returns.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { envError } from '../../errors.js';
import type { RunWriter } from '../../results/writer.js';
import type { FailoverSample } from './sample.js';
import type { Io } from '../../io/io.js';
import type { FailoverScenario } from './scenario.js';
import type { ResolvedScenario } from '../../scenario/resolved.js';
import { interruptible } from '../../util/pause.js';
import { availability, phaseDowntime, stable } from './downtime.js';
import type { FailoverEnvironment } from './environment.js';
import { runStep, type FaultPlan } from './faults.js';
import type { ProbeResult, Prober } from './probe.js';
import { nowMs, probeTarget, round, startProber } from './probes.js';
import { Timeline } from './timeline.js';

/** How often the phases look at the probes, and at who holds the address. */
const POLL_MS = 50;
const HOLDER_POLL_MS = 250;

/** Waits until `ready()` or the bound; false on the bound or an interruption. */
export async function until(ready: () => Promise<boolean> | boolean, boundMs: number, signal: AbortSignal): Promise<boolean> {
  const deadline = nowMs() + boundMs;
  while (!signal.aborted) {
    if (await ready()) return true;
    if (nowMs() > deadline) return false;
    await interruptible(POLL_MS, signal);
  }
  return false;
}

/** Who holds the address, polled in the background so that the probes' view is never held up by SSH. */
export class HolderWatch {
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

/** The repetition's probes, each stored in probes.jsonl as it is known, and its steady load counting what it loses. */
class Probes {
  readonly timeline = new Timeline();
  readonly load = { sent: 0, lost: 0 };
  readonly #probers: Prober[];
  // probes answer from timer callbacks: a write error there (a full disk) is kept and rethrown by
  // the repetition, so that the fault is still recovered and the error is one clear line
  #writeError: unknown = null;

  constructor(s: FailoverScenario, rep: number, writer: RunWriter) {
    const f = s.fault;
    const maxMs = 3 * f.bound + 2 * f.settle + f.hold + 10_000;
    const record = (p: ProbeResult) => {
      this.timeline.add(p);
      if (this.#writeError) return;
      try {
        writer.appendTo('probes.jsonl', { repetition: rep, ...p });
      } catch (e) {
        this.#writeError = e;
      }
    };
    this.#probers = s.probe.map((p) => startProber(p, probeTarget(p, s.target), maxMs, record));
    if (s.load) {
      const http = { type: 'http' as const, interval: 1000 / s.load.rate, timeout: s.load.timeout };
      this.#probers.push(startProber(http, probeTarget({ ...http, interval: 0, timeout: 0 }, s.target), maxMs, (p) => this.#count(p)));
    }
  }

  #count(p: ProbeResult): void {
    this.load.sent++;
    if (!p.ok) this.load.lost++;
  }

  /** Stops them all; throws what the probes could not write. */
  async stop(): Promise<void> {
    await Promise.all(this.#probers.map((p) => p.stop()));
    if (this.#writeError) throw this.#writeError;
  }

  /** Stops them all, whatever happened. */
  async close(): Promise<void> {
    await Promise.all(this.#probers.map((p) => p.stop()));
  }
}

type ResolvedFailover = ResolvedScenario<FailoverScenario>;

/** What the failover phase found: when it injected, whether answers returned and stayed within the bound, who held the address then. */
interface FailedOver {
  injectedAt: number;
  recovered: boolean;
  holder?: string[];
}

/** What the failback phase found: when recovery began, whether answers returned and stayed, who held the address then. */
interface FailedBack {
  recoveredAt: number;
  failedBack: boolean;
  holder?: string[];
}

class Repetition {
  readonly started = new Date();
  readonly warnings: string[] = [];
  readonly probes: Probes;
  readonly #s: FailoverScenario;
  readonly #watch: HolderWatch | null;
  /** during the failover the master may be cut off (link down): only the backup is asked then */
  #watchHosts: string[];
  #injectedAt = 0;
  #recoveredAt: number | null = null;
  #injecting: Promise<void> | null = null;

  constructor(
    private readonly r: ResolvedFailover,
    rep: number,
    private readonly plan: FaultPlan,
    private readonly env: FailoverEnvironment,
    writer: RunWriter,
    private readonly signal: AbortSignal,
  ) {
    this.#s = r.scenario;
    const f = this.#s.fault;
    this.probes = new Probes(this.#s, rep, writer);
    this.#watchHosts = [f.host, ...(f.backup ? [f.backup] : [])];
    this.#watch = f.backup ? new HolderWatch(env, () => this.#watchHosts) : null;
  }

  get watch(): HolderWatch | null {
    return this.#watch;
  }

  #holds(host: string | undefined): boolean {
    return host !== undefined && (this.#watch?.holders?.includes(host) ?? false);
  }

  /** the address on the master and not on the backup (always, when no backup is named) */
  #onMaster(): boolean {
    return !this.#watch || (this.#holds(this.#s.fault.host) && !this.#holds(this.#s.fault.backup));
  }

  /**
   * The phase's event (the address moved, the step finished) has happened, and every probe sent
   * since then, for `hold`, was answered: "returned and stayed". Probes before the event do not count.
   */
  #settledAfter(event: () => boolean, holdMs: number): () => boolean {
    const maxTimeout = Math.max(...this.#s.probe.map((p) => p.timeout));
    const allStable = () => this.#s.probe.every((p) => stable(this.probes.timeline.points(p.type), nowMs(), holdMs, p.timeout));
    let since: number | null = null;
    return () => {
      if (!event()) return ((since = null), false);
      since ??= nowMs();
      return nowMs() - maxTimeout - holdMs >= since && allStable();
    };
  }

  /** Every probe answering for `settle`, the address on the master; exit 3 when it does not come. False when interrupted. */
  async steadyState(rep: number): Promise<boolean> {
    const f = this.#s.fault;
    const steady = await until(
      this.#settledAfter(() => this.#onMaster(), f.settle),
      f.bound + f.settle,
      this.signal,
    );
    if (this.signal.aborted) return false;
    if (!steady) {
      throw envError(
        `${this.r.file}: repetition ${rep}: no steady state within ${(f.bound + f.settle) / 1000} s (${notSteady(this.#s, this.probes.timeline, this.#watch)})`,
        'check the cluster (lb-bench lab status for the lab); nothing was injected',
      );
    }
    return true;
  }

  /** Inject, and wait until answers return and stay (and the address is on the backup, if one is named). */
  async failOver(): Promise<FailedOver> {
    const f = this.#s.fault;
    this.#injectedAt = nowMs();
    this.#watchHosts = f.backup ? [f.backup] : [];
    let injectError: Error | null = null;
    let injectDone = false;
    this.#injecting = runStep(this.plan.inject, 'fault.inject', f.host, this.env.pool, f.bound)
      .catch((e: Error) => void (injectError = e))
      .finally(() => (injectDone = true));
    const sawFailure = () => this.#s.probe.some((p) => this.probes.timeline.points(p.type).some((x) => !x.ok && x.t >= this.#injectedAt));
    const failedOver = this.#settledAfter(() => injectDone && (this.#watch ? this.#holds(f.backup) : sawFailure()), f.hold);
    const recovered = await until(() => (injectDone && injectError !== null) || failedOver(), f.bound, this.signal);
    await this.#injecting;
    if (injectError) throw injectError;
    if (!recovered && !this.signal.aborted) this.warnings.push(`the failover did not complete within ${f.bound / 1000} s`);
    return { injectedAt: this.#injectedAt, recovered, holder: this.#watch?.holders ?? undefined };
  }

  /** Recover, and wait until answers return and stay with the address back on the master. Null when interrupted. */
  async failBack(): Promise<FailedBack | null> {
    const f = this.#s.fault;
    const recoveredAt = nowMs();
    this.#recoveredAt = recoveredAt;
    this.#watchHosts = [f.host, ...(f.backup ? [f.backup] : [])];
    await runStep(this.plan.recover, 'fault.recover', f.host, this.env.pool, f.bound).catch((e: Error) =>
      this.warnings.push(`recovery failed: ${e.message}`),
    );
    const failedBack = await until(
      this.#settledAfter(() => this.#onMaster(), f.hold),
      f.bound,
      this.signal,
    );
    if (this.signal.aborted) return null;
    if (!failedBack) this.warnings.push(`the failback did not complete within ${f.bound / 1000} s`);
    return { recoveredAt, failedBack, holder: this.#watch?.holders ?? undefined };
  }

  /** The probes go on through the settle time, so that a late failback outage is still seen; false when interrupted. */
  async tail(): Promise<boolean> {
    await interruptible(Math.min(this.#s.fault.settle, 2_000), this.signal);
    return !this.signal.aborted;
  }

  /** Stops the probes and the watch; a fault injected and not recovered (interrupted, or a step failed) is undone. */
  async close(io: Io): Promise<void> {
    await this.probes.close();
    await this.#watch?.stop();
    if (this.#injectedAt && this.#recoveredAt === null) {
      const f = this.#s.fault;
      await this.#injecting?.catch(() => {});
      await runStep(this.plan.recover, 'fault.recover', f.host, this.env.pool, f.bound).catch((e: Error) =>
        io.err(`lb-bench: could not recover the fault: ${e.message}`),
      );
    }
  }
}

const nullableRound = (v: number | null) => (v === null ? null : round(v));

/** The repetition's line of samples.jsonl, from its probes' timeline and what its phases found. Pure. */
export function sampleOf(
  s: FailoverScenario,
  rep: number,
  probes: { timeline: Timeline; load: { sent: number; lost: number } },
  phases: { started: Date; over: FailedOver; back: FailedBack; warnings: string[] },
): FailoverSample {
  const { timeline, load } = probes;
  const { over, back } = phases;
  const sample: FailoverSample = {
    repetition: rep,
    started_at: phases.started.toISOString(),
    ended_at: new Date().toISOString(),
    injected_at: new Date(over.injectedAt).toISOString(),
    recovered_at: new Date(back.recoveredAt).toISOString(),
    downtime_ms: {},
    failback_downtime_ms: {},
    availability: {},
    window_ms: 0,
    probes: {},
    recovered: over.recovered,
    failed_back: back.failedBack,
    ...(over.holder ? { holder_after_failover: over.holder } : {}),
    ...(back.holder ? { holder_after_failback: back.holder } : {}),
  };
  for (const p of s.probe) {
    const points = timeline.points(p.type);
    sample.downtime_ms[p.type] = nullableRound(phaseDowntime(points, over.injectedAt, back.recoveredAt).downtime_ms);
    sample.failback_downtime_ms[p.type] = nullableRound(phaseDowntime(points, back.recoveredAt).downtime_ms);
    const a = availability(points);
    sample.availability[p.type] = a.availability === null ? null : Math.round(a.availability * 10_000) / 10_000;
    sample.window_ms = Math.max(sample.window_ms, round(a.window_ms));
    sample.probes[p.type] = { sent: points.length, ok: points.filter((x) => x.ok).length };
  }
  if (s.load) {
    sample.requests_sent = load.sent;
    sample.requests_lost = load.lost;
  }
  if (phases.warnings.length) sample.warnings = phases.warnings;
  return sample;
}

/** Why there is no steady state: what each probe says, and where the address is. */
export function notSteady(s: FailoverScenario, t: Timeline, watch: HolderWatch | null): string {
  const parts = s.probe.map((p) => {
    const pts = t.points(p.type);
    const last = pts.at(-1);
    return `${p.type}: ${last ? (last.ok ? 'answering' : `failing (${t.lastError(p.type) ?? 'no answer'})`) : 'nothing sent'}`;
  });
  const holders = watch?.holders;
  if (watch?.error) parts.push(`where the address is: not known (${watch.error})`);
  else if (s.fault.backup)
    parts.push(
      holders === null || holders === undefined
        ? 'where the address is: not asked yet'
        : `address on ${holders.length ? holders.join(' and ') : 'neither balancer'}`,
    );
  return parts.join(', ');
}

/** One repetition, phase by phase; null when interrupted (its partial figures are not kept). */
export async function repetition(
  r: ResolvedFailover,
  rep: number,
  plan: FaultPlan,
  env: FailoverEnvironment,
  writer: RunWriter,
  opts: { io: Io; signal: AbortSignal },
): Promise<FailoverSample | null> {
  const run = new Repetition(r, rep, plan, env, writer, opts.signal);
  try {
    if (!(await run.steadyState(rep))) return null;
    const over = await run.failOver();
    const back = await run.failBack();
    if (!back || !(await run.tail())) return null;
    await run.probes.stop();
    return sampleOf(r.scenario, rep, run.probes, { started: run.started, over, back, warnings: run.warnings });
  } finally {
    await run.close(opts.io);
  }
}
