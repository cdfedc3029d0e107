/** Load runs as their folders are read back: the reference's runs paired with a sample, and the levels. */
import type { RunSample } from './sample.js';

/**
 * A scenario with `relative_to` keeps, in its own folder, a copy of each run of its reference
 * measured with it (the reference's samples.jsonl lines): the ratios travel with the folder.
 */
export const REFERENCE_FILE = 'reference.jsonl';

/** Levels, each once, ascending (pure). A run's levels: kinds/registry.ts's `levelsOf`. */
export const distinctLevels = (levels: readonly number[]): number[] => [...new Set(levels)].sort((a, b) => a - b);

export const sampleKey = (s: { level: number; repetition: number }) => `${s.level}/${s.repetition}`;

/**
 * The reference's backend whose CPU a ratio divides by: the busiest over its runs (highest mean),
 * the one server that served it — web1 for `single`, whose other backends idle. Null: none measured.
 */
export function busiestHost(samples: readonly RunSample[]): string | null {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const s of samples)
    for (const [host, c] of Object.entries(s.cpu ?? {})) {
      if (c.mean === null) continue;
      const t = sums.get(host) ?? { sum: 0, n: 0 };
      sums.set(host, { sum: t.sum + c.mean, n: t.n + 1 });
    }
  let best: [string, number] | null = null;
  for (const [host, t] of [...sums].sort(([a], [b]) => a.localeCompare(b))) if (!best || t.sum / t.n > best[1]) best = [host, t.sum / t.n];
  return best?.[0] ?? null;
}

/** Each sample with the reference's run of the same (level, repetition), where the folder holds one. Pure. */
export function attachPairs(samples: readonly RunSample[], reference: readonly RunSample[]): RunSample[] {
  if (!reference.length) return [...samples];
  const host = busiestHost(reference);
  const byKey = new Map(reference.map((r) => [sampleKey(r), r]));
  return samples.map((s) => {
    const r = byKey.get(sampleKey(s));
    return r ? { ...s, pair: { rps: r.rps, cpu: host === null ? null : (r.cpu?.[host]?.mean ?? null) } } : s;
  });
}
