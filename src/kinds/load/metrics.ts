/**
 * The load kind's metrics, as statistics, reports and compare know them. Each says its unit,
 * whether higher is better, which compare uses for its verdict, and whether it is portable between
 * machines (compare gates only those across machines). A new metric is one entry here.
 */
import type { MetricDef } from '../kind.js';
import type { RunSample } from './sample.js';
import { describeRatio, type Pair } from '../../stats/ratio.js';

/** loss ÷ requested: a count's share, as noisy in its cv as the count (aggregate.ts leaves both out of the noise warning) */
export const LOSS_RATIO_UNIT = 'fraction of requests';

const fixed: MetricDef<RunSample>[] = [
  { name: 'rps', label: 'Requests per second', unit: 'req/s', better: 'higher', value: (s) => s.rps },
  { name: 'throughput_mbps', label: 'Throughput', unit: 'MB/s', better: 'higher', value: (s) => s.throughput_mbps },
  { name: 'loss', label: 'Request loss', unit: 'requests', better: 'lower', value: (s) => s.loss },
  {
    name: 'loss_ratio',
    label: 'Loss per request',
    unit: LOSS_RATIO_UNIT,
    better: 'lower',
    portable: true,
    lossShare: true,
    value: (s) => (s.requested > 0 ? s.loss / s.requested : null),
  },
  { name: 'errors', label: 'Connection errors', unit: 'requests', better: 'lower', value: (s) => s.errors },
  { name: 'timeouts', label: 'Timeouts', unit: 'requests', better: 'lower', value: (s) => s.timeouts },
  { name: 'non2xx', label: 'Non-2xx/3xx responses', unit: 'requests', better: 'lower', value: (s) => s.non2xx },
  { name: 'duration_s', label: 'Duration', unit: 's', better: 'lower', value: (s) => s.duration_s },
  { name: 'latency_ms.p50', label: 'Latency p50', unit: 'ms', better: 'lower', value: (s) => s.latency_ms.p50 },
  { name: 'latency_ms.p90', label: 'Latency p90', unit: 'ms', better: 'lower', value: (s) => s.latency_ms.p90 },
  { name: 'latency_ms.p99', label: 'Latency p99', unit: 'ms', better: 'lower', value: (s) => s.latency_ms.p99 },
  { name: 'latency_ms.max', label: 'Latency max', unit: 'ms', better: 'lower', value: (s) => s.latency_ms.max },
  { name: 'generator_cpu', label: 'Generator CPU', unit: '% of a core', better: 'lower', value: (s) => s.generator_cpu },
];

function cpuMetrics(host: string): MetricDef<RunSample>[] {
  return [
    { name: `cpu.${host}.mean`, label: `CPU ${host}`, unit: '%', better: 'lower', value: (s) => s.cpu?.[host]?.mean ?? null },
    { name: `cpu.${host}.peak`, label: `CPU ${host} peak`, unit: '%', better: 'lower', value: (s) => s.cpu?.[host]?.peak ?? null },
  ];
}

/** The mean busy CPU of a run's backends; null when a backend's figure is missing (never averaged over fewer). */
export function backendCpu(s: RunSample): number | null {
  const xs = Object.values(s.cpu ?? {}).map((c) => c.mean);
  if (!xs.length || xs.some((x) => x === null)) return null;
  return xs.reduce((sum: number, x) => sum + x!, 0) / xs.length;
}

/**
 * Ratios to the reference scenario run together with this one (`relative_to`), pair by pair
 * (level, repetition): a level's figure is the ratio of the means with a bootstrap interval.
 */
const ratio = (name: string, label: string, better: 'higher' | 'lower', pair: (s: RunSample) => Pair): MetricDef<RunSample> => ({
  name,
  label,
  unit: '×',
  better,
  // both runs of a pair share the machine and the night: their ratio travels between machines
  portable: true,
  value: (s) => {
    const p = pair(s);
    return p && p[1] !== 0 ? p[0] / p[1] : null;
  },
  describe: (samples) => describeRatio(samples.map(pair)),
});

const ratios: MetricDef<RunSample>[] = [
  ratio('speedup', 'Speedup over the reference (req/s ÷ its req/s)', 'higher', (s) => (s.pair ? [s.rps, s.pair.rps] : null)),
  ratio('cpu_ratio', "Backend CPU ÷ the reference's", 'lower', (s) => {
    const own = backendCpu(s);
    return own !== null && s.pair?.cpu != null ? [own, s.pair.cpu] : null;
  }),
];

/** The metrics that a set of samples has: the fixed ones, the ratios to a reference, then CPU per backend host seen. */
export function loadMetrics(samples: readonly RunSample[]): MetricDef<RunSample>[] {
  const hosts = new Set<string>();
  for (const s of samples) for (const h of Object.keys(s.cpu ?? {})) hosts.add(h);
  const paired = samples.some((s) => s.pair);
  return [...fixed, ...(paired ? ratios : []), ...[...hosts].sort().flatMap(cpuMetrics)];
}

export function metricByName(name: string, samples: readonly RunSample[] = []): MetricDef<RunSample> | undefined {
  return (
    loadMetrics(samples).find((m) => m.name === name) ??
    ratios.find((m) => m.name === name) ??
    (name.startsWith('cpu.') ? cpuMetrics(name.split('.')[1]).find((m) => m.name === name) : undefined)
  );
}
