/**
 * Downtime and availability from a probe timeline. Pure: probe results in, figures out.
 *
 * - An outage is a run of failed probes; it lasts from the last successful probe before it to
 *   the first successful probe after it (docs/metrics.md), each taken at the middle of its
 *   exchange (send time + latency / 2: when the target answered, as NTP estimates it). Send times
 *   alone would add the last success's latency; answer times, as this process saw them, would
 *   lose the first one's, and both include the event loop's delays on a busy machine. A true
 *   outage D is measured as D plus less than two intervals, ± half a probe's latency.
 * - The downtime of a fault is the span from the last success before the first failure after the
 *   injection to the first success after the last failure of the phase: answers that return and
 *   drop again are still down ("return and stay").
 * - Availability = uptime / (uptime + downtime) × 100 over the probe window, the thesis's
 *   equation 2.1, where downtime is the sum of every outage in the window.
 */

export interface ProbePoint {
  /** send time, ms (any epoch, the same for every point) */
  t: number;
  ok: boolean;
  /** until the answer, for a success (0 if not given) */
  latency?: number | null;
}

/** When a success was answered by the target: the middle of its exchange. */
const answered = (p: ProbePoint) => p.t + (p.latency ?? 0) / 2;

export interface Outage {
  /** last success before the outage (the window's start if none) */
  from: number;
  /** first success after it (the window's end if none) */
  to: number;
  failures: number;
  /** false when no success came after it within the window */
  ended: boolean;
}

const byTime = (points: readonly ProbePoint[]) => [...points].sort((a, b) => a.t - b.t);

/** Every run of failures in the timeline, with its bounds. */
export function outages(points: readonly ProbePoint[]): Outage[] {
  const sorted = byTime(points);
  if (!sorted.length) return [];
  const out: Outage[] = [];
  let lastOk: number | null = null; // when the last success was answered
  let current: Outage | null = null;
  for (const p of sorted) {
    if (p.ok) {
      if (current) {
        current.to = answered(p);
        current.ended = true;
        out.push(current);
        current = null;
      }
      lastOk = answered(p);
    } else if (current) {
      current.failures++;
    } else {
      current = { from: lastOk ?? sorted[0]!.t, to: NaN, failures: 1, ended: false };
    }
  }
  if (current) out.push({ ...current, to: sorted.at(-1)!.t });
  return out;
}

export interface Downtime {
  /** ms; 0 when no probe failed in the phase; null when the answers did not come back in it */
  downtime_ms: number | null;
  from: number | null;
  to: number | null;
}

/**
 * The downtime of one phase: probes sent in [start, end). The outage may have begun just before
 * `start` only by its last success (a probe in flight at the injection).
 */
export function phaseDowntime(points: readonly ProbePoint[], start: number, end = Infinity): Downtime {
  const sorted = byTime(points);
  const inPhase = sorted.filter((p) => p.t >= start && p.t < end);
  const firstFail = inPhase.findIndex((p) => !p.ok);
  if (firstFail < 0) return { downtime_ms: 0, from: null, to: null };
  const lastFail = inPhase.length - 1 - [...inPhase].reverse().findIndex((p) => !p.ok);
  const failT = inPhase[firstFail]!.t;
  const before = sorted.filter((p) => p.ok && p.t < failT).at(-1);
  const after = inPhase.slice(lastFail + 1).find((p) => p.ok);
  if (!before || !after) return { downtime_ms: null, from: before ? answered(before) : null, to: null };
  return { downtime_ms: answered(after) - answered(before), from: answered(before), to: answered(after) };
}

/** Thesis eq. 2.1 over the window from the first probe to the last; null without probes. */
export function availability(points: readonly ProbePoint[]): { availability: number | null; window_ms: number; downtime_ms: number } {
  const sorted = byTime(points);
  if (sorted.length < 2) return { availability: sorted.length ? (sorted[0]!.ok ? 100 : 0) : null, window_ms: 0, downtime_ms: 0 };
  const window = sorted.at(-1)!.t - sorted[0]!.t;
  const down = outages(sorted).reduce((sum, o) => sum + (o.to - o.from), 0);
  const up = window - down;
  return { availability: window > 0 ? (up / (up + down)) * 100 : sorted[0]!.ok ? 100 : 0, window_ms: window, downtime_ms: down };
}

/**
 * Live view for the runner: have the answers "returned and stayed"? True when every probe sent in
 * the last `holdMs` (before those still within their timeout) succeeded, and some were sent.
 */
export function stable(points: readonly ProbePoint[], now: number, holdMs: number, timeoutMs: number): boolean {
  const upTo = now - timeoutMs;
  const from = upTo - holdMs;
  let seen = 0;
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i]!;
    if (p.t > upTo) continue;
    if (p.t < from) break;
    if (!p.ok) return false;
    seen++;
  }
  return seen > 0;
}
