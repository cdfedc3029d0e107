/**
 * The figures of a load report to read with care, per scenario and level: runs that were
 * generator-bound (they measured the load generator, not the cluster), levels that lost many of
 * their requests (their latency and CPU are of the few that completed), and runs during which this
 * machine's kernel dropped packets (their connections waited a second or more). Listed under the
 * verdict and written on the charts beside the points they qualify. Pure.
 */
import type { RunSample, LoadRun } from './sample.js';

/** A level whose runs lost more than this share of their requests, on average, is a caveat. */
export const HIGH_LOSS = 0.01;
/** …and above this one its latency and CPU are drawn as a lossy level's (hollow), never as the best. */
export const MOST_LOST = 0.5;

export interface Caveat {
  scenario: string;
  level: number;
  kind: 'generator-bound' | 'loss' | 'kernel-drops';
  /** the list's words, after "<scenario> at <level>: " */
  text: string;
  /** the chart's note beside the point */
  note: string;
}

/** The packets a run's warning says the kernel dropped (load/backlog-drops.ts writes it), or 0. */
export function kernelDrops(s: RunSample): number {
  for (const w of s.warnings ?? []) {
    const m = /kernel dropped (\d+) received packets/.exec(w);
    if (m) return Number(m[1]);
  }
  return 0;
}

/** The mean share of its requests a level's runs lost. */
export const lossShare = (samples: readonly RunSample[]) => {
  const runs = samples.filter((s) => s.requested > 0);
  return runs.length ? runs.reduce((sum, s) => sum + s.loss / s.requested, 0) / runs.length : 0;
};

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;

/** How the runs lost them: `connection errors (ECONNRESET, closed-without-response)`, `timeouts`. */
function howLost(samples: readonly RunSample[]): string {
  const codes = new Map<string, number>();
  for (const s of samples) for (const [c, n] of Object.entries(s.error_codes ?? {})) codes.set(c, (codes.get(c) ?? 0) + n);
  const errors = samples.reduce((n, s) => n + s.errors, 0);
  const timeouts = samples.reduce((n, s) => n + s.timeouts, 0);
  const non2xx = samples.reduce((n, s) => n + s.non2xx, 0);
  const top = [...codes].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  const parts = [
    ...(errors ? [`connection errors${top.length ? `, ${top.slice(0, 2).join(' and ')}` : ''}`] : []),
    ...(timeouts ? ['timeouts'] : []),
    ...(non2xx ? ['error responses'] : []),
  ];
  return parts.join('; ');
}

/** Every caveat of one run folder (label: as the report names it), level by level. */
export function caveatsOf(label: string, run: LoadRun): Caveat[] {
  const levels = [...new Set(run.samples.map((s) => s.level))].sort((a, b) => a - b);
  const out: Caveat[] = [];
  for (const level of levels) {
    const samples = run.samples.filter((s) => s.level === level);
    const bound = samples.filter((s) => s.generator_bound).length;
    if (bound)
      out.push({
        scenario: label,
        level,
        kind: 'generator-bound',
        text: `generator-bound in ${bound} of ${samples.length} runs (this machine's load generator, not the cluster, set their figures)`,
        note: `generator-bound ${bound}/${samples.length}`,
      });
    const lost = lossShare(samples);
    if (lost > HIGH_LOSS)
      out.push({
        scenario: label,
        level,
        kind: 'loss',
        text:
          `lost ${pct(lost)} of its requests (${howLost(samples)})` +
          (lost > MOST_LOST ? `; its latency and CPU are those of the ${pct(1 - lost)} that completed` : ''),
        note: `lost ${pct(lost)}`,
      });
    const dropped = samples.filter((s) => kernelDrops(s) > 0);
    if (dropped.length) {
      const packets = dropped.reduce((n, s) => n + kernelDrops(s), 0);
      out.push({
        scenario: label,
        level,
        kind: 'kernel-drops',
        text: `this machine's kernel dropped ${packets} packets in ${dropped.length} of ${samples.length} runs (input backlog full: their connections waited a second or more)`,
        note: `kernel drops ${dropped.length}/${samples.length}`,
      });
    }
  }
  return out;
}

/** The notes of one scenario and level, joined, for one place on a chart. */
export function notesAt(caveats: readonly Caveat[], scenario: string, level: number, kinds: readonly Caveat['kind'][]): string | null {
  const here = caveats.filter((c) => c.scenario === scenario && c.level === level && kinds.includes(c.kind));
  return here.length ? here.map((c) => c.note).join(', ') : null;
}

/** The list under the verdict: one line per scenario and level, its caveats joined. */
export function caveatLines(caveats: readonly Caveat[]): string[] {
  const by = new Map<string, Caveat[]>();
  for (const c of caveats) {
    const key = `${c.scenario}\0${c.level}`;
    by.set(key, [...(by.get(key) ?? []), c]);
  }
  return [...by.values()].map((cs) => `${cs[0].scenario} at ${cs[0].level.toLocaleString('en-US')}: ${cs.map((c) => c.text).join('; ')}`);
}
