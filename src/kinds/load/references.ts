/** A load scenario's `reference` figures (the thesis's), by the metric names of the registry. Pure. */
import type { ScenarioSummary } from './aggregate.js';

/** Reference keys as people write them → metric names of the registry. */
const REFERENCE_ALIASES: Record<string, string> = {
  throughput: 'throughput_mbps',
  latency_p99: 'latency_ms.p99',
  latency_p50: 'latency_ms.p50',
};

/** The scenario's reference for one metric: figures per level, and the others (max, mean) by key. */
export function referenceOf(
  s: Pick<ScenarioSummary, 'reference'>,
  metric: string,
): { levels: Map<number, number>; other: [string, number][] } {
  const levels = new Map<number, number>();
  const other: [string, number][] = [];
  for (const [key, value] of Object.entries(s.reference)) {
    if ((REFERENCE_ALIASES[key] ?? key) !== metric) continue;
    if (typeof value === 'number') other.push(['', value]);
    else
      for (const [k, v] of Object.entries(value)) {
        if (/^\d+$/.test(k)) levels.set(Number(k), v);
        else other.push([k, v]);
      }
  }
  return { levels, other };
}
