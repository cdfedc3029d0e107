/**
 * The failover kind's metrics: per probe type, the downtime, the failback downtime and the
 * availability of each repetition (samples.jsonl of `kind: failover`), and the requests a steady
 * load lost. One list: the report's aggregation and compare both read it.
 */
import type { MetricDef } from '../kind.js';
import type { FailoverSample } from './sample.js';
import { PROBE_TYPES, type ProbeType } from './scenario.js';

/** The figures a repetition has per probe type, as its sample names them. */
export const PER_PROBE = [
  { field: 'downtime_ms', label: 'Downtime', unit: 'ms', better: 'lower' },
  { field: 'failback_downtime_ms', label: 'Failback downtime', unit: 'ms', better: 'lower' },
  { field: 'availability', label: 'Availability', unit: '%', better: 'higher' },
] as const satisfies readonly { field: keyof FailoverSample; label: string; unit: string; better: MetricDef<FailoverSample>['better'] }[];

const requestsLost: MetricDef<FailoverSample> = {
  name: 'requests_lost',
  label: 'Requests lost',
  unit: 'requests',
  better: 'lower',
  value: (s) => s.requests_lost ?? null,
};

/** `downtime_ms.icmp`, `availability.http`, …: one metric per figure and probe type. */
export function probeMetrics(types: readonly ProbeType[]): MetricDef<FailoverSample>[] {
  return PER_PROBE.flatMap((m) =>
    types.map((t) => ({
      name: `${m.field}.${t}`,
      label: `${m.label} (${t})`,
      unit: m.unit,
      better: m.better,
      // VRRP's arithmetic and the probes' intervals set these, not the machine's speed
      portable: true,
      value: (s: FailoverSample) => s[m.field][t] ?? null,
    })),
  );
}

/** The metrics these samples have: their probe types' figures, and requests lost when a steady load ran. */
export function failoverMetrics(samples: readonly FailoverSample[]): MetricDef<FailoverSample>[] {
  const types = [...PROBE_TYPES].sort().filter((t) => samples.some((s) => t in s.downtime_ms));
  return [...probeMetrics(types), ...(samples.some((s) => s.requests_lost !== undefined) ? [requestsLost] : [])];
}
