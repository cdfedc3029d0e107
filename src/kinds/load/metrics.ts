/**
 * The load kind's metrics, as statistics, reports and compare know them. Each says its unit,
 * whether higher is better, which compare uses for its verdict, and whether it is portable between
 * machines (compare gates only those across machines). A new metric is one entry here.
 */
import type { MetricDef } from '../kind.js';
import type { RunSample } from '../../results/types.js';

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

/** The metrics that a set of samples has: the fixed ones, then CPU per backend host seen. */
export function loadMetrics(samples: readonly RunSample[]): MetricDef<RunSample>[] {
  const hosts = new Set<string>();
  for (const s of samples) for (const h of Object.keys(s.cpu ?? {})) hosts.add(h);
  return [...fixed, ...[...hosts].sort().flatMap(cpuMetrics)];
}

export function metricByName(name: string, samples: readonly RunSample[] = []): MetricDef<RunSample> | undefined {
  return (
    loadMetrics(samples).find((m) => m.name === name) ??
    (name.startsWith('cpu.') ? cpuMetrics(name.split('.')[1]).find((m) => m.name === name) : undefined)
  );
}
