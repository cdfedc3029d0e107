/**
 * Failover runs summarised: per scenario and probe type, the description of downtime, failback
 * downtime and availability over the repetitions, and the repetitions themselves for the chart.
 * Pure. Rows have the shape of the load rows (level 0: a failover has no load level), so that
 * summary.csv stays one tidy table.
 */
import type { ReportWarning, SummaryRow } from '../kind.js';
import type { ProbeType } from './scenario.js';
import { describeWithin } from '../../stats/describe.js';
import { PER_PROBE } from './metrics.js';
import type { FailoverRun } from './sample.js';

export interface FailoverSeries {
  probe: ProbeType;
  /** per repetition, in order: downtime in ms, null where it never came back */
  downtime: { repetition: number; value: number | null }[];
}

export interface FailoverScenarioSummary {
  label: string;
  id: string;
  title: string;
  fault: string;
  profile: string | null;
  status: string;
  samples: number;
  planned: number;
  /** the scenario's reference downtime (the thesis's mean), if any */
  reference: number | null;
  series: FailoverSeries[];
  /** repetitions that did not fail over, or did not fail back, within the bound */
  notRecovered: number;
  notFailedBack: number;
}

export interface FailoverAggregate {
  scenarios: FailoverScenarioSummary[];
  /** metric names: `downtime_ms.icmp`, `failback_downtime_ms.http`, `availability.tcp`, … */
  rows: SummaryRow[];
  warnings: ReportWarning[];
}

function referenceDowntime(r: FailoverRun): number | null {
  const ref = r.manifest.scenario.reference?.downtime_ms;
  if (typeof ref === 'number') return ref;
  return ref?.mean ?? null;
}

export function aggregateFailover(runs: readonly FailoverRun[]): FailoverAggregate {
  const names = runs.map((r) => r.manifest.scenario.name);
  const out: FailoverAggregate = { scenarios: [], rows: [], warnings: [] };
  for (const run of runs) {
    const m = run.manifest;
    const label = names.filter((n) => n === m.scenario.name).length > 1 ? m.id : m.scenario.name;
    const samples = run.samples;
    const probes = m.scenario.probe.map((p) => p.type);
    const f = m.scenario.fault;
    out.scenarios.push({
      label,
      id: m.id,
      title: m.scenario.title ?? m.scenario.name,
      fault: f.lab ?? (typeof f.inject === 'string' ? f.inject : (f.inject?.local ?? '')),
      profile: m.profile,
      status: m.status,
      samples: samples.length,
      planned: m.planned_runs,
      reference: referenceDowntime(run),
      series: probes.map((probe) => ({
        probe,
        downtime: samples.map((s) => ({ repetition: s.repetition, value: s.downtime_ms[probe] ?? null })),
      })),
      notRecovered: samples.filter((s) => !s.recovered).length,
      notFailedBack: samples.filter((s) => !s.failed_back).length,
    });
    for (const { field } of PER_PROBE) {
      for (const probe of probes) {
        out.rows.push({
          scenario: label,
          level: 0,
          metric: `${field}.${probe}`,
          ...describeWithin(
            samples.map((s) => s[field][probe] ?? null),
            { min: 0, max: field === 'availability' ? 100 : undefined },
          ),
        });
      }
    }
    const s = out.scenarios.at(-1)!;
    if (s.status !== 'complete')
      out.warnings.push({
        kind: 'run',
        scenario: label,
        message: `${label}: run ${m.id} is ${s.status}: ${s.samples} of ${s.planned} repetitions finished`,
      });
    if (s.notRecovered) {
      out.warnings.push({
        kind: 'sample',
        scenario: label,
        message: `${label}: ${s.notRecovered} of ${s.samples} repetitions did not fail over within the bound; their downtime is left out of the mean`,
        hint: "see the repetition's warnings in samples.jsonl",
      });
    }
    for (const w of m.warnings) out.warnings.push({ kind: 'run', scenario: label, message: `${label}: ${w}` });
  }
  return out;
}
