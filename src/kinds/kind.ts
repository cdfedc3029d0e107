/**
 * A kind of scenario (`kind:` in a scenario file: load, failover), as the rest of lb-bench sees
 * it: its scenario schema, its runner, its samples, its metrics, its aggregation and its section
 * of the report, in one object. Nothing outside the kinds asks which kind a scenario is: it asks
 * the scenario's kind (src/kinds/registry.ts). A new kind is a folder that exports one Kind, and
 * one line in the registry.
 */
import type { z } from 'zod';
import type { Inventory } from '../inventory/inventory-schema.js';
import type { FolderOptions } from '../results/lifecycle.js';
import type { RunLock } from '../results/lock.js';
import type { FolderReader } from '../results/read.js';
import type { StoredRunOf, StoredScenarioBase } from '../results/types.js';
import type { Overrides, ResolvedScenario } from '../scenario/resolved.js';
import type { ScenarioBase, ThresholdCheck } from '../scenario/fields.js';
import type { Description } from '../stats/describe.js';

/**
 * Each kind's types, by its name: its scenario, its sample (a line of samples.jsonl) and its
 * scenario as a run folder is read back. A kind declares its own entry, in its own folder:
 *
 *   declare module '../kinds/kind.js' {
 *     interface KindTypes { load: { scenario: LoadScenario; sample: RunSample; stored: StoredLoadScenario } }
 *   }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by each kind (declaration merging)
export interface KindTypes {}

/** One figure of a sample, as statistics, reports and compare know it. */
export interface MetricDef<X> {
  name: string;
  label: string;
  unit: string;
  /** which way is better: compare's verdict */
  better: 'higher' | 'lower';
  /**
   * the figure does not depend on the machine it was measured on (a ratio to a reference run of the
   * same night, loss per request, failover downtime): compare gates it between runs of different
   * machines too, where absolute figures are shown but not gated
   */
  portable?: boolean;
  /**
   * the share of requests lost: where B's is significantly higher than A's at a level, B's other
   * figures there describe only the requests that got through, and compare calls none of them better
   */
  lossShare?: boolean;
  value(sample: X): number | null;
  /**
   * A figure of a level that is not the mean of its samples' values (a ratio of means, with a
   * bootstrap interval): its own description of the level's samples. Absent: describe(values).
   */
  describe?(samples: readonly X[]): Description;
}

/** One row of summary.csv: a metric at a level over the repetitions (a kind without levels says 0). */
export interface SummaryRow extends Description {
  scenario: string;
  level: number;
  metric: string;
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

/**
 * One chart (src/report/charts.ts draws it): x = the level (or a probe type), y with its unit; per
 * scenario a line through the means with their 95 % interval bars and every repetition as a dot,
 * in the scenario's own colour and marker (src/report/style.ts); the thesis's figures as ×.
 */
export interface ChartPoint {
  x: number;
  y: number;
  low: number | null;
  high: number | null;
  /**
   * drawn hollow: on a mean, a level that lost most of its requests (its latency and CPU are those
   * of the few that completed); on a repetition, a generator-bound run
   */
  hollow?: boolean;
}

export interface ChartSeries {
  label: string;
  /** the scenario (or run) it belongs to: its colour and marker */
  scenario: string;
  points: ChartPoint[];
  /**
   * mean (the default): a line through the means, with interval bars; repetitions: a dot per
   * repetition, beside its mean, not in the legend; reference: the thesis's figures as ×; level: a
   * horizontal line (the reference 1×, the thesis's mean)
   */
  kind?: 'mean' | 'repetitions' | 'reference' | 'level';
  /** line pattern: 0 solid, 1 dashed, 2 dotted, 3 dash-dot (several lines of one scenario: p50 … max) */
  dash?: number;
  /** the second side of a comparison of a scenario with itself: dashed, hollow markers */
  second?: boolean;
}

/** A short text on the chart, beside a scenario's point: "lost 92 %", "generator-bound 5/5". */
export interface ChartNote {
  x: number;
  y: number;
  text: string;
  scenario: string;
}

/** One panel of a figure; a figure of several (small multiples) shares one y axis. */
export interface ChartPanel {
  /** empty for a figure of one panel */
  title: string;
  series: ChartSeries[];
  notes?: ChartNote[];
}

export interface ChartSpec {
  file: string;
  title: string;
  yLabel: string;
  /** default: the load level */
  xLabel?: string;
  logY?: boolean;
  /** false: the means are not joined by a line (x names categories, e.g. probe types) */
  lines?: boolean;
  /** names at these x's instead of numbers (probe types; the thesis's column) */
  xTicks?: { value: number; label: string }[];
  panels: ChartPanel[];
  /** what the figure shows and how to read it: the page's caption, before `caption` */
  what: string;
  /** n per point, the interval's method, the machine, lb-bench's version, the date: under the chart and in the caption */
  caption: string;
}

/** A part of the report, spelled for each page: summary.md's lines and index.html's elements. */
export interface ReportSection {
  markdown: string[];
  html: string[];
}

/** What a kind adds to the report from its runs. */
export interface KindReport {
  /** summary.csv's rows */
  rows: SummaryRow[];
  /** the charts it draws, written beside the report, each as its `file` */
  charts: ChartSpec[];
  /** its part of summary.md and index.html */
  section: ReportSection;
  /** its part of the verdict that opens the report: the answer first (no heading of its own) */
  verdict: ReportSection;
  /** charts that belong to the verdict (ratio.png), shown under it and its caveats; also in `charts` */
  verdictCharts: ChartSpec[];
  /** figures to read with care, one short line each, listed right under the verdict */
  caveats: string[];
  warnings: ReportWarning[];
}

/** What a kind's runner returns; its samples are those of the whole folder (resumed ones too). */
export interface ScenarioResult<X> {
  dir: string;
  samples: X[];
  /** every breach of every threshold (the checks' breaches) */
  breaches: string[];
  checks: ThresholdCheck[];
}

export interface RunOptions<R extends FolderOptions['resume']> extends FolderOptions {
  /** a stored run to complete instead of starting a new folder */
  resume?: R;
  acceptNewHostKeys?: boolean;
}

/** One of several scenarios run together, with the folder it continues, if any (R: a run folder of its kind). */
export interface TogetherMember<S, R> {
  scenario: ResolvedScenario<S>;
  resume?: R;
  /** that folder's lock, taken before it was read */
  lock?: RunLock;
}

export interface TogetherOptions extends Omit<FolderOptions, 'resume' | 'lock'> {
  acceptNewHostKeys?: boolean;
  /** a member that cannot start is left out and the others run (reproduce); else none runs */
  partial?: boolean;
}

/** One member's outcome: its result, or the error that stopped it (its folder, if it had one, marked failed). */
export type TogetherOutcome<X> = { ok: true; result: ScenarioResult<X> } | { ok: false; error: unknown };

/** A kind's scenario schema: a strict object (its keys are the file's keys) that gives S. */
export type ScenarioSchema<S> = z.ZodObject<z.ZodRawShape> & z.ZodType<S>;

/**
 * S: the kind's scenario, as its file gives it; X: its sample (a line of samples.jsonl); T: its
 * scenario as a run folder is read back (what the readers use of it, checked).
 */
export interface Kind<S extends ScenarioBase, X, T extends StoredScenarioBase> {
  readonly name: S['kind'];

  // the scenario file
  readonly schema: ScenarioSchema<S>;
  /** where the command line's overrides go in a scenario of this kind (merged over the file and its profile, which is chosen before) */
  overrides(o: Omit<Overrides, 'profile'>): Record<string, unknown>;
  /** the scenario as a run folder keeps it and the terminal shows it: credentials replaced */
  redact(s: S): S;
  /** `validate`'s words for what it runs, e.g. "3 levels × 5 repetitions" */
  describe(s: S): string;
  /** the run folders `reproduce` lists, e.g. "levels 1000, 5000 × 5 repetitions" */
  plan(s: T): string;
  /** `validate`: the inventory's hosts that this scenario names, checked as its runner checks them (exit 2) */
  checkInventory(file: string, s: S, inventory: Inventory): void;
  /** `validate`: other files the scenario names (e.g. lab settings), read as its runner reads them (exit 2); the one line it adds */
  checkFiles?(file: string, s: S): string;

  // running it
  run(r: ResolvedScenario<S>, opts: RunOptions<StoredRunOf<T, X>>): Promise<ScenarioResult<X>>;
  /** one line for the terminal once a run folder is complete, or null */
  afterRun(stored: StoredRunOf<T, X>): string | null;

  // several scenarios in one invocation (a kind whose scenarios always run alone leaves both out)
  /**
   * The scenario that must run together with this one (the load kind's `relative_to`), read with
   * `load` (the invocation's profile and overrides) and checked (exit 2); null: none.
   */
  companion?(r: ResolvedScenario<S>, load: (file: string) => Promise<ResolvedScenario<ScenarioBase>>): Promise<ResolvedScenario<S> | null>;
  /** Several scenarios of this kind run together, interleaved run by run; one outcome each, in order. */
  runTogether?(members: readonly TogetherMember<S, StoredRunOf<T, X>>[], opts: TogetherOptions): Promise<TogetherOutcome<X>[]>;

  // its run folders
  /** reads the rest of a folder of this kind whose manifest is checked: its scenario (what the readers use of it) and its samples */
  readonly read: FolderReader<T, X>;
  /** the level a sample was measured at; a kind without levels says 0 */
  level(x: X): number;
  /** compare's words for what a run measured, e.g. "levels 1000,5000" */
  measured(run: StoredRunOf<T, X>): string;
  /** the sample measured the load generator rather than the system (load: generator_bound): compare calls no figure of its level better */
  generatorBound?(x: X): boolean;

  // its figures
  metrics(samples: readonly X[]): MetricDef<X>[];
  report(runs: readonly StoredRunOf<T, X>[]): KindReport;
}
