/**
 * Metrics that statistics, reports and compare know about. Each says its unit and whether
 * higher is better, which compare uses for its verdict. A new metric is one entry here.
 */
import type { FailoverSample, RunSample } from '../results/types.js';

export interface MetricDef {
  name: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  value(sample: RunSample): number | null;
}

const fixed: MetricDef[] = [
  { name: 'rps', label: 'Requests per second', unit: 'req/s', better: 'higher', value: (s) => s.rps },
  { name: 'throughput_mbps', label: 'Throughput', unit: 'MB/s', better: 'higher', value: (s) => s.throughput_mbps },
  { name: 'loss', label: 'Request loss', unit: 'requests', better: 'lower', value: (s) => s.loss },
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

function cpuMetrics(host: string): MetricDef[] {
  return [
    { name: `cpu.${host}.mean`, label: `CPU ${host}`, unit: '%', better: 'lower', value: (s) => s.cpu?.[host]?.mean ?? null },
    { name: `cpu.${host}.peak`, label: `CPU ${host} peak`, unit: '%', better: 'lower', value: (s) => s.cpu?.[host]?.peak ?? null },
  ];
}

const isFailoverSample = (s: unknown): s is FailoverSample => typeof s === 'object' && s !== null && 'downtime_ms' in s;

/** A failover repetition's figures, per probe type (samples.jsonl of `kind: failover`). */
function failoverMetrics(samples: readonly FailoverSample[]): MetricDef[] {
  const types = [...new Set(samples.flatMap((s) => Object.keys(s.downtime_ms)))].sort();
  const per = (field: 'downtime_ms' | 'failback_downtime_ms' | 'availability', label: string, unit: string, better: MetricDef['better']) =>
    types.map((t) => ({
      name: `${field}.${t}`,
      label: `${label} (${t})`,
      unit,
      better,
      value: (s: RunSample) => (s as unknown as FailoverSample)[field]?.[t as keyof FailoverSample['downtime_ms']] ?? null,
    }));
  const out = [
    ...per('downtime_ms', 'Downtime', 'ms', 'lower'),
    ...per('failback_downtime_ms', 'Failback downtime', 'ms', 'lower'),
    ...per('availability', 'Availability', '%', 'higher'),
  ];
  if (samples.some((s) => s.requests_lost !== undefined)) {
    out.push({ name: 'requests_lost', label: 'Requests lost', unit: 'requests', better: 'lower', value: (s) => (s as unknown as FailoverSample).requests_lost ?? null });
  }
  return out;
}

/** The metrics that a set of samples has: the fixed ones, then CPU per backend host seen; failover runs have their own. */
export function metricsFor(samples: readonly RunSample[]): MetricDef[] {
  if (samples.length && samples.every(isFailoverSample)) return failoverMetrics(samples as readonly unknown[] as FailoverSample[]);
  const hosts = new Set<string>();
  for (const s of samples) for (const h of Object.keys(s.cpu ?? {})) hosts.add(h);
  return [...fixed, ...[...hosts].sort().flatMap(cpuMetrics)];
}

export function metricByName(name: string, samples: readonly RunSample[] = []): MetricDef | undefined {
  return metricsFor(samples).find((m) => m.name === name) ?? (name.startsWith('cpu.') ? cpuMetrics(name.split('.')[1]).find((m) => m.name === name) : undefined);
}
