/**
 * Backend CPU around each run's load window. begin() sets up any host whose connection was lost
 * (the host's generous set-up bound, before the window), then reads every backend's counters
 * (bounded by WINDOW_READ_MS, so the load is never held up); a 500 ms loop reads them between —
 * nothing awaits it — and end() reads them once more: the mean comes exactly from the start and
 * end counters, the peak from the intervals. A host that fails is null for that run, with a
 * warning naming the cause; a lost connection is reopened by the next begin(), never during a
 * window, so the sampler adds no reconnect storms to the load generator's machine.
 */
import { envError } from '../../errors.js';
import type { CpuFigure } from './sample.js';
import { WINDOW_READ_MS } from '../../ssh/connection.js';
import { CPU_SOURCES, type CpuHost, type CpuSourceName } from '../../cpu/registry.js';
import { utilisation, type Counters, type CpuReader, type Shell } from '../../cpu/source.js';

export interface CpuBackend {
  host: string;
  cpu: CpuSourceName;
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
  /** longest the reads of begin() or end() may take; a host slower than this is null for the run */
  boundMs?: number;
}

interface Track {
  host: string;
  reader: CpuReader;
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

  /** `shell`: the SSH connections of the hosts whose source reads over SSH (none needed otherwise). */
  constructor(
    shell: Shell | null,
    inventory: { hosts: Record<string, CpuHost> },
    backends: readonly CpuBackend[],
    options: MonitorOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 500;
    this.boundMs = options.boundMs ?? WINDOW_READ_MS;
    const seen = new Set<string>();
    this.tracks = backends
      .filter((b) => !seen.has(b.host) && seen.add(b.host))
      .map((b) => ({
        host: b.host,
        reader: CPU_SOURCES[b.cpu].open(inventory.hosts[b.host], shell),
        start: null,
        last: null,
        lastAt: 0,
        peak: null,
        failed: null,
        busy: false,
      }));
  }

  private read(t: Track, reconnect: boolean, timeoutMs: number): Promise<Counters> {
    return t.reader.read(timeoutMs, reconnect);
  }

  /** Read each track, all at once, each bounded by `boundMs` (its error names the cause). Never reconnects. */
  private readAll(tracks: Track[], boundMs = this.boundMs): Promise<(Counters | Error)[]> {
    return Promise.all(tracks.map((t) => this.read(t, false, boundMs).catch((e: Error) => e)));
  }

  /** Set up every host whose connection was lost: before a window, with the hosts' own generous bound. */
  private async setUp(tracks: Track[]): Promise<(Error | null)[]> {
    return Promise.all(
      tracks.map((t) =>
        t.reader.connect().then(
          () => null,
          (e: Error) => e,
        ),
      ),
    );
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

  /**
   * Fail fast, before any traffic: every backend answers with counters that parse (exit 3 if not).
   * This is set-up, so each host gets its own generous bound, not the window's.
   */
  async check(): Promise<void> {
    const results = await Promise.all(
      this.tracks.map((t) =>
        t.reader
          .connect()
          .then(() => this.read(t, true, t.reader.setupTimeoutMs))
          .catch((e: Error) => e),
      ),
    );
    const failed = results.filter((r): r is Error & { hint?: string } => r instanceof Error);
    if (failed.length)
      throw envError(
        failed.map((e) => e.message).join('\n'),
        [...new Set(failed.flatMap((e) => (e.hint ? [e.hint] : [])))].join('\n') || undefined,
      );
  }

  /** Start of a run's load window. Quick: bounded by boundMs; reopens lost connections. */
  async begin(tag: { level?: number; repetition?: number } = {}): Promise<void> {
    this.stop();
    const gen = this.generation;
    this.tag = tag;
    this.records = [];
    this.warnings = [];
    for (const t of this.tracks) Object.assign(t, { start: null, last: null, peak: null, failed: null, busy: false });
    // a host lost in an earlier run is set up again here, before the window, with its own bound
    (await this.setUp(this.tracks)).forEach((e, i) => e && this.fail(this.tracks[i], e));
    const live = this.tracks.filter((t) => !t.failed);
    const results = await this.readAll(live);
    const now = Date.now();
    live.forEach((t, i) => {
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
      this.read(t, false, this.intervalMs * 4)
        .then(
          (c) => gen === this.generation && this.interval(t, c),
          (e: Error) => {
            // a slow read is only a missed tick; a lost connection makes the run's figure unknown
            if (gen === this.generation && !t.reader.connected) this.fail(t, e);
          },
        )
        .finally(() => (t.busy = false));
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
    const results = await this.readAll(live);
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
