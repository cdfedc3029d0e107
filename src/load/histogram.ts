/**
 * Latencies as an HDR histogram of whole microseconds, so that the runs of several generators
 * (worker processes, later other hosts) merge exactly: the merged histogram is the histogram of
 * every request together. Five significant digits: every value below 262 ms is its own bucket (the
 * percentiles are those of the raw values, to the microsecond the results keep), and above it a
 * bucket is narrower than 1/100 000 of its value.
 */
import * as hdr from 'hdr-histogram-js';
import type { Latency } from './figures.js';

export type LatencyHistogram = hdr.Histogram;

/** `highestMs` sizes the counts array; it grows by itself past that (a late answer is still kept) */
export function newHistogram(highestMs = 10_000): LatencyHistogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: Math.max(2, Math.ceil(highestMs * 1000)),
    numberOfSignificantValueDigits: 5,
    autoResize: true,
  });
}

/** Record one latency given in milliseconds (fractions allowed), as whole microseconds. */
export function recordMs(h: LatencyHistogram, ms: number): void {
  h.recordValue(Math.max(0, Math.round(ms * 1000)));
}

/** For the JSON lines between generators: compressed and base64, HdrHistogram's own format. */
export const encodeHistogram = (h: LatencyHistogram): string => hdr.encodeIntoCompressedBase64(h);
export const decodeHistogram = (s: string): LatencyHistogram => hdr.decodeFromCompressedBase64(s, 32, false);

/** One histogram holding every value of `parts`. */
export function mergeHistograms(parts: LatencyHistogram[], highestMs?: number): LatencyHistogram {
  const merged = newHistogram(highestMs);
  for (const p of parts) merged.add(p);
  return merged;
}

/** p50, p90, p99 (nearest rank: the smallest value with at least p % of the values at or below it) and max, in ms to the microsecond. */
export function histogramSummary(h: LatencyHistogram): Latency {
  if (h.totalCount === 0) return { p50: null, p90: null, p99: null, max: null };
  const ms = (us: number) => us / 1000;
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
  };
}
