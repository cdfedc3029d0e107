/**
 * From stored runs to the report's rows: per scenario, level and metric, the description of its
 * repetitions; and the warnings that do not stop a report but change how to read it. Pure.
 */
import { metricsFor, type MetricDef } from '../metrics/registry.js';
import type { RunSample, StoredRun } from '../results/types.js';
import type { Reference } from '../scenario/schema.js';
import { describe, type Description } from './describe.js';

export interface SummaryRow extends Description {
  scenario: string;
  level: number;
  metric: string;
}

/** One series of the report: one run folder. */
export interface ScenarioSummary {
  /** the scenario's name; the run folder's id when two runs of one scenario are reported together */
  label: string;
  name: string;
  id: string;
  dir: string;
  title: string;
  profile: string | null;
  status: string;
  /** finished runs (samples) / runs the scenario planned */
  samples: number;
  planned: number;
  levels: number[];
  reference: Reference;
  metrics: MetricDef[];
}

/** environment: about this machine rather than a run (e.g. no fonts for the charts) */
export type WarningKind = 'noisy' | 'generator-bound' | 'cpu-missing' | 'sample' | 'run' | 'environment';

/** Something that does not stop the report but changes how to read it. */
export interface ReportWarning {
  kind: WarningKind;
  scenario: string;
  level?: number;
  /** a warning about several levels (noisy) */
  levels?: number[];
  metric?: string;
  message: string;
  hint?: string;
}

export interface Aggregate {
  scenarios: ScenarioSummary[];
  /** every metric seen in any run, in the registry's order */
  metrics: MetricDef[];
  rows: SummaryRow[];
  warnings: ReportWarning[];
}

/** cv above this gets a warning (issue 2: "a warning where cv is above 10 %"). */
export const NOISY_CV = 0.1;

export function aggregate(runs: readonly StoredRun[]): Aggregate {
  const names = runs.map((r) => r.manifest.scenario.name);
  const scenarios = runs.map((run) => summarize(run, names.filter((n) => n === run.manifest.scenario.name).length > 1));
  const rows: SummaryRow[] = [];
  const warnings: ReportWarning[] = [];
  runs.forEach((run, i) => {
    const s = scenarios[i];
    const byLevel = groupByLevel(run.samples);
    const own: SummaryRow[] = [];
    for (const level of s.levels) {
      const samples = byLevel.get(level)!;
      for (const metric of s.metrics) own.push({ scenario: s.label, level, metric: metric.name, ...describe(samples.map(metric.value)) });
      warnings.push(...generatorBound(s.label, level, samples));
    }
    rows.push(...own);
    warnings.push(...s.metrics.flatMap((m) => noisyWarning(s.label, m, own.filter((r) => r.metric === m.name))),...runWarnings(run, s), ...cpuMissing(run, s.label), ...sampleWarnings(run, s.label));
  });
  return { scenarios, metrics: metricsFor(runs.flatMap((r) => r.samples)), rows, warnings };
}

function summarize(run: StoredRun, ambiguous: boolean): ScenarioSummary {
  const m = run.manifest;
  return {
    label: ambiguous ? m.id : m.scenario.name,
    name: m.scenario.name,
    id: m.id,
    dir: run.dir,
    title: m.scenario.title ?? m.scenario.name,
    profile: m.profile,
    status: m.status,
    samples: run.samples.length,
    planned: m.planned_runs,
    levels: [...new Set(run.samples.map((s) => s.level))].sort((a, b) => a - b),
    reference: m.scenario.reference ?? {},
    metrics: metricsFor(run.samples),
  };
}

function groupByLevel(samples: readonly RunSample[]): Map<number, RunSample[]> {
  const out = new Map<number, RunSample[]>();
  for (const s of samples) {
    const list = out.get(s.level);
    if (list) list.push(s);
    else out.set(s.level, [s]);
  }
  return out;
}

/**
 * One warning per scenario and metric, naming the levels, so that a noisy machine gives a few
 * lines rather than one per level. Request counts (loss, errors, timeouts, non2xx) are left out:
 * a count that is mostly 0 has a huge cv (0, 0, 1 → 173 %) without the measurement being noisy.
 */
function noisyWarning(label: string, metric: MetricDef, rows: readonly SummaryRow[]): ReportWarning[] {
  const noisy = rows.filter((r) => r.cv !== null && r.cv > NOISY_CV);
  if (metric.unit === 'requests' || !noisy.length) return [];
  const levels = noisy.map((r) => `${r.level} (${(r.cv! * 100).toFixed(1)} %, n ${r.n})`).join(', ');
  return [
    {
      kind: 'noisy',
      scenario: label,
      metric: metric.name,
      levels: noisy.map((r) => r.level),
      message: `${label} ${metric.name}: cv above ${NOISY_CV * 100} % at level ${levels}`,
      hint: 'the repetitions disagree: add repetitions, or quiet the machine and the network',
    },
  ];
}

function generatorBound(label: string, level: number, samples: readonly RunSample[]): ReportWarning[] {
  const bound = samples.filter((s) => s.generator_bound).length;
  if (!bound) return [];
  return [
    {
      kind: 'generator-bound',
      scenario: label,
      level,
      message: `${label} level ${level}: ${bound} of ${samples.length} runs were generator-bound (the load generator's CPU neared 100 %)`,
      hint: 'those figures measure this machine, not the cluster: use a faster generator machine or more workers',
    },
  ];
}

function runWarnings(run: StoredRun, s: ScenarioSummary): ReportWarning[] {
  const out: ReportWarning[] = run.manifest.warnings.map((w) => ({ kind: 'run' as const, scenario: s.label, message: `${s.label}: ${w}` }));
  if (s.status !== 'complete') {
    out.push({
      kind: 'run',
      scenario: s.label,
      message: `${s.label}: run ${s.id} is ${s.status}: ${s.samples} of ${s.planned} runs finished`,
      hint: s.status === 'interrupted' ? `complete it with lb-bench run --resume ${run.dir}` : undefined,
    });
  }
  return out;
}

/** A backend that the scenario samples, or that some run has, but whose CPU figure is null in some runs. */
function cpuMissing(run: StoredRun, label: string): ReportWarning[] {
  const hosts = new Set(run.manifest.scenario.backends.map((b) => b.host));
  for (const s of run.samples) for (const h of Object.keys(s.cpu ?? {})) hosts.add(h);
  const out: ReportWarning[] = [];
  for (const host of [...hosts].sort()) {
    const missing = run.samples.filter((s) => s.cpu?.[host]?.mean == null).length;
    if (!missing) continue;
    out.push({
      kind: 'cpu-missing',
      scenario: label,
      metric: `cpu.${host}.mean`,
      message: `${label}: CPU of ${host} missing in ${missing} of ${run.samples.length} runs`,
      hint: `check SSH access to ${host} and its cpu sampler (lb-bench run prints why)`,
    });
  }
  return out;
}

/** A run's own warnings; the same message in many runs is said once, with a count. */
function sampleWarnings(run: StoredRun, label: string): ReportWarning[] {
  const seen = new Map<string, { first: RunSample; count: number }>();
  for (const s of run.samples) {
    for (const w of s.warnings ?? []) {
      const entry = seen.get(w);
      if (entry) entry.count++;
      else seen.set(w, { first: s, count: 1 });
    }
  }
  return [...seen].map(([w, { first, count }]) => ({
    kind: 'sample' as const,
    scenario: label,
    level: first.level,
    message: `${label} level ${first.level} rep ${first.repetition}: ${w}${count > 1 ? ` (and ${count - 1} more runs)` : ''}`,
  }));
}
