/**
 * Backend CPU around each run's load window. begin() reads every backend's counters (bounded,
 * so the load is never held up), a 500 ms loop reads them between — nothing awaits it — and
 * end() reads them once more: the mean comes exactly from the start and end counters, the peak
 * from the intervals. A host that fails is null for that run, with a warning; a lost connection
 * is reopened by the next begin(), never during a window, so the sampler adds no reconnect
 * storms to the load generator's machine.
 */
import { envError } from '../errors.js';
import type { Inventory } from '../inventory/schema.js';
import type { CpuFigure } from '../results/types.js';
import type { SshPool } from '../ssh/pool.js';
import { samplers } from './registry.js';
import { utilisation, type Counters, type Sampler } from './types.js';

export interface CpuBackend {
  host: string;
  cpu: keyof typeof samplers;
}

/** One line of cpu.jsonl: a backend's busy % over one interval, ending at `t`. */
export interface CpuRecord {
  t: string;
  host: string;
  busy_pct: number;
  level?: number;
  repetition?: number;
}

export interface CpuWindow {
  cpu: Record<string, CpuFigure>;
  warnings: string[];
  records: CpuRecord[];
}

export interface MonitorOptions {
  intervalMs?: number;
  /** longest begin() or end() may take; a host slower than this is null for the run */
  boundMs?: number;
}

interface Track {
  host: string;
  sampler: Sampler;
  start: Counters | null;
  last: Counters | null;
  lastAt: number;
  peak: number | null;
  failed: string | null;
  busy: boolean;
}

const round = (n: number) => Math.round(n * 100) / 100;

export class CpuMonitor {
  private readonly tracks: Track[];
  private readonly intervalMs: number;
  private readonly boundMs: number;
  private generation = 0;
  private timer: NodeJS.Timeout | null = null;
  private tag: { level?: number; repetition?: number } = {};
  private records: CpuRecord[] = [];
  private warnings: string[] = [];

  constructor(
    private readonly pool: SshPool,
    inventory: Inventory,
    backends: readonly CpuBackend[],
    options: MonitorOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 500;
    this.boundMs = options.boundMs ?? 2_000;
    const seen = new Set<string>();
    this.tracks = backends
      .filter((b) => !seen.has(b.host) && seen.add(b.host))
      .map((b) => ({ host: b.host, sampler: samplers[b.cpu](inventory.hosts[b.host]), start: null, last: null, lastAt: 0, peak: null, failed: null, busy: false }));
  }

  private async read(t: Track, reconnect: boolean, timeoutMs: number): Promise<Counters> {
    const out = await this.pool.query(t.host, t.sampler.command, { timeoutMs, reconnect });
    if (out.code !== 0) throw new Error(`${t.host}: the CPU counter command failed: ${(out.stderr || out.stdout).trim().split('\n')[0]}`);
    try {
      return t.sampler.parse(out.stdout);
    } catch (e) {
      throw new Error(`${t.host}: ${(e as Error).message}`);
    }
  }

  /** Read each track, all at once, for at most boundMs; a track not done by then counts as failed. */
  private readAll(tracks: Track[], reconnect: boolean): Promise<(Counters | Error)[]> {
    return new Promise((resolve) => {
      const out: (Counters | Error | undefined)[] = tracks.map(() => undefined);
      let left = tracks.length;
      const done = () => {
        clearTimeout(timer);
        resolve(out.map((r) => r ?? new Error(`no CPU reading within ${this.boundMs} ms`)));
      };
      const timer = setTimeout(done, this.boundMs);
      if (!left) return done();
      tracks.forEach((t, i) =>
        this.read(t, reconnect, this.boundMs)
          .then((c) => (out[i] = c), (e: Error) => (out[i] = e))
          .finally(() => --left || done()),
      );
    });
  }

  private fail(t: Track, e: Error): void {
    if (t.failed) return;
    t.failed = e.message;
    this.warnings.push(`no CPU figure for ${t.host} in this run: ${e.message}`);
  }

  /** Stop sampling whatever may still be running, e.g. after a run that threw. */
  stop(): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Fail fast, before any traffic: every backend answers with counters that parse (exit 3 if not). */
  async check(): Promise<void> {
    const results = await this.readAll(this.tracks, true);
    const problems = results.flatMap((r) => (r instanceof Error ? [r.message] : []));
    if (problems.length) throw envError(problems.join('\n'), 'check the backends\' cgroup paths in the inventory, or use cpu: procstat');
  }

  /** Start of a run's load window. Quick: bounded by boundMs; reopens lost connections. */
  async begin(tag: { level?: number; repetition?: number } = {}): Promise<void> {
    this.stop();
    const gen = this.generation;
    this.tag = tag;
    this.records = [];
    this.warnings = [];
    for (const t of this.tracks) Object.assign(t, { start: null, last: null, peak: null, failed: null, busy: false });
    const results = await this.readAll(this.tracks, true);
    const now = Date.now();
    this.tracks.forEach((t, i) => {
      const r = results[i];
      if (r instanceof Error) return this.fail(t, r);
      Object.assign(t, { start: r, last: r, lastAt: now });
    });
    if (gen === this.generation) this.schedule(gen);
  }

  private schedule(gen: number): void {
    this.timer = setTimeout(() => this.tick(gen), this.intervalMs);
    this.timer.unref(); // the sampler must never be what keeps the process alive
  }

  private tick(gen: number): void {
    if (gen !== this.generation) return;
    for (const t of this.tracks) {
      if (t.failed || t.busy) continue; // a slow read skips a tick rather than piling up
      t.busy = true;
      this.read(t, false, this.intervalMs * 4).then(
        (c) => gen === this.generation && this.interval(t, c),
        (e: Error) => {
          // a slow read is only a missed tick; a lost connection makes the run's figure unknown
          if (gen === this.generation && !this.pool.host(t.host).connected) this.fail(t, e);
        },
      ).finally(() => (t.busy = false));
    }
    this.schedule(gen);
  }

  private interval(t: Track, c: Counters): void {
    const pct = t.last && utilisation(t.last, c);
    if (pct !== null && pct !== undefined) {
      this.records.push({ t: new Date().toISOString(), host: t.host, busy_pct: round(pct), ...this.tag });
      t.peak = Math.max(t.peak ?? pct, pct);
    }
    t.last = c;
    t.lastAt = Date.now();
  }

  /** End of the load window: the figures of every backend, the warnings and the cpu.jsonl records. */
  async end(): Promise<CpuWindow> {
    this.stop();
    const live = this.tracks.filter((t) => !t.failed);
    const results = await this.readAll(live, false);
    const cpu: Record<string, CpuFigure> = {};
    for (const t of this.tracks) cpu[t.host] = { mean: null, peak: null };
    live.forEach((t, i) => {
      const r = results[i];
      if (r instanceof Error) return this.fail(t, r);
      const mean = utilisation(t.start!, r);
      // a tail under a fifth of an interval is too coarse to be a figure of its own (procstat
      // counts 10 ms ticks); the mean covers it, and as an average of the intervals and the tail
      // the mean is itself a lower bound of their peak
      if (t.peak === null || Date.now() - t.lastAt >= this.intervalMs / 5) this.interval(t, r);
      const peak = t.peak === null || mean === null ? t.peak : Math.max(t.peak, mean);
      cpu[t.host] = { mean: mean === null ? null : round(mean), peak: peak === null ? null : round(peak) };
    });
    return { cpu, warnings: [...this.warnings], records: [...this.records] };
  }
}
