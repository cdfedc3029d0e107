/** Exact percentiles of a set of latencies (nearest-rank, as HDR histograms report them). */
export function percentile(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function latencySummary(values: Float64Array) {
  const sorted = Float64Array.from(values).sort();
  const round = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
  return {
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? sorted[sorted.length - 1] : null),
  };
}
