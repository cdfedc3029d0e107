/**
 * The load kind's aggregation, from stored runs to the report's rows: per scenario, level and
 * metric, the description of its repetitions (every load figure is ≥ 0: its interval is cut at 0,
 * describeWithin); and the warnings that do not stop a report but
 * change how to read it. Pure.
 */
import type { MetricDef, ReportWarning, SummaryRow } from '../kind.js';
import type { RunSample, LoadRun } from './sample.js';
import type { Reference } from '../../scenario/fields.js';
import { describeWithin } from '../../stats/describe.js';
import { LOSS_RATIO_UNIT, loadMetrics } from './metrics.js';

type Metric = MetricDef<RunSample>;

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
  /** the reference scenario run together with it, whose figures its ratios divide by */
  relativeTo: { scenario: string; run: string } | null;
  metrics: Metric[];
}

/** A figure whose repetitions disagree: its cv is above NOISY_CV. */
export interface NoisyFigure {
  scenario: string;
  metric: string;
  level: number;
  n: number;
  mean: number;
  cv: number;
}

export interface Aggregate {
  scenarios: ScenarioSummary[];
  /** every metric seen in any run, in the registry's order */
  metrics: Metric[];
  rows: SummaryRow[];
  /** every noisy figure, for the report's own section; the warnings say it once per scenario */
  noisy: NoisyFigure[];
  warnings: ReportWarning[];
}

/** cv above this gets a warning (issue 2: "a warning where cv is above 10 %"). */
export const NOISY_CV = 0.1;

export function aggregate(runs: readonly LoadRun[]): Aggregate {
  const names = runs.map((r) => r.manifest.scenario.name);
  const scenarios = runs.map((run) => summarize(run, names.filter((n) => n === run.manifest.scenario.name).length > 1));
  const rows: SummaryRow[] = [];
  const noisy: NoisyFigure[] = [];
  const warnings: ReportWarning[] = [];
  runs.forEach((run, i) => {
    const s = scenarios[i];
    const byLevel = groupByLevel(run.samples);
    const own: SummaryRow[] = [];
    for (const level of s.levels) {
      const samples = byLevel.get(level)!;
      for (const metric of s.metrics)
        own.push({
          scenario: s.label,
          level,
          metric: metric.name,
          ...(metric.describe?.(samples) ?? describeWithin(samples.map(metric.value))),
        });
      warnings.push(...generatorBound(s.label, level, samples));
    }
    rows.push(...own);
    const figures = s.metrics.flatMap((m) =>
      noisyFigures(
        m,
        own.filter((r) => r.metric === m.name),
      ),
    );
    noisy.push(...figures);
    warnings.push(...noisyWarning(s.label, figures), ...runWarnings(run, s), ...cpuMissing(run, s.label), ...sampleWarnings(run, s.label));
  });
  return { scenarios, metrics: loadMetrics(runs.flatMap((r) => r.samples)), rows, noisy, warnings };
}

function summarize(run: LoadRun, ambiguous: boolean): ScenarioSummary {
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
    relativeTo: m.relative_to ?? null,
    metrics: loadMetrics(run.samples),
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
 * The figures of one metric whose cv is above NOISY_CV. Request counts (loss, errors, timeouts,
 * non2xx) and loss per request are left out: a count that is mostly 0 has a huge cv (0, 0, 1 → 173 %) without the
 * measurement being noisy.
 */
function noisyFigures(metric: Metric, rows: readonly SummaryRow[]): NoisyFigure[] {
  if (metric.unit === 'requests' || metric.unit === LOSS_RATIO_UNIT) return [];
  return rows
    .filter((r) => r.cv !== null && r.cv > NOISY_CV)
    .map((r) => ({ scenario: r.scenario, metric: r.metric, level: r.level, n: r.n, mean: r.mean!, cv: r.cv! }));
}

/** `haproxy-lc: 7 metrics vary by more than 10 % between repetitions at 1000, 5000`; null when none do. */
export function noiseSummary(label: string, figures: readonly NoisyFigure[]): string | null {
  if (!figures.length) return null;
  const metrics = new Set(figures.map((f) => f.metric)).size;
  const levels = [...new Set(figures.map((f) => f.level))].sort((a, b) => a - b);
  return `${label}: ${metrics} metric${metrics > 1 ? 's vary' : ' varies'} by more than ${NOISY_CV * 100} % between repetitions at ${levels.join(', ')}`;
}

/**
 * One warning per scenario, however many metrics and levels are noisy, so that a noisy machine
 * does not drown the result on the terminal; the report lists every figure in a section of its own.
 */
function noisyWarning(label: string, figures: readonly NoisyFigure[]): ReportWarning[] {
  const summary = noiseSummary(label, figures);
  if (!summary) return [];
  return [
    {
      kind: 'noisy',
      scenario: label,
      levels: [...new Set(figures.map((f) => f.level))].sort((a, b) => a - b),
      message: `${summary} — see report`,
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
      message: `${label} level ${level}: ${bound} of ${samples.length} runs were generator-bound (the load generator's CPU neared 100 %, or its event loop stalled for a quarter of the median latency)`,
      hint: 'those figures measure this machine, not the cluster: use a faster generator machine, or more worker processes with load.workers',
    },
  ];
}

/** A stored warning without the scenario's name in front: the target's summary begins with it, and the report names the run itself. */
function unnamed(warning: string, name: string): string {
  return warning.startsWith(`${name}: `) ? warning.slice(name.length + 2) : warning;
}

function runWarnings(run: LoadRun, s: ScenarioSummary): ReportWarning[] {
  const out: ReportWarning[] = run.manifest.warnings.map((w) => ({
    kind: 'run' as const,
    scenario: s.label,
    message: `${s.label}: ${unnamed(w, run.manifest.scenario.name)}`,
  }));
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
function cpuMissing(run: LoadRun, label: string): ReportWarning[] {
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

/**
 * A run's own warnings; the same warning at a level (the same words, whatever their figures: "the
 * kernel dropped 19 packets" and "… 6311 packets") is said once, with how many runs had it and the
 * first one's figures: 30 repetitions must not print 30 lines.
 */
function sampleWarnings(run: LoadRun, label: string): ReportWarning[] {
  const seen = new Map<string, { w: string; first: RunSample; count: number }>();
  const perLevel = new Map<number, number>();
  for (const s of run.samples) {
    perLevel.set(s.level, (perLevel.get(s.level) ?? 0) + 1);
    for (const w of s.warnings ?? []) {
      const key = `${s.level}\u0000${w.replace(/\d+(\.\d+)?/g, '#')}`;
      const entry = seen.get(key);
      if (entry) entry.count++;
      else seen.set(key, { w, first: s, count: 1 });
    }
  }
  return [...seen.values()].map(({ w, first, count }) => ({
    kind: 'sample' as const,
    scenario: label,
    level: first.level,
    message:
      count === 1
        ? `${label} level ${first.level} rep ${first.repetition}: ${w}`
        : `${label} level ${first.level}, ${count} of ${perLevel.get(first.level)} runs (the first, rep ${first.repetition}): ${w}`,
  }));
}
