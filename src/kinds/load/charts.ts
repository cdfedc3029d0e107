/**
 * The load report's charts, as the thesis's figures 4.1–4.6 lay them out (x = simultaneous
 * requests, one line per scenario), with what a figure of a paper adds: every repetition as a dot
 * beside its mean, the interval's bars, the caveats written beside the points they qualify, and a
 * caption. ratio.png (req/s ÷ the reference's, the thesis's ratio beside) opens the report. Pure.
 */
import type { ChartNote, ChartPanel, ChartPoint, ChartSeries, ChartSpec, MetricDef } from '../kind.js';
import type { RunSample, LoadRun } from './sample.js';
import { caption, MEAN_INTERVAL, nPerPoint, RATIO_INTERVAL } from '../figure.js';
import type { Aggregate, ScenarioSummary } from './aggregate.js';
import { MOST_LOST, lossShare, notesAt, type Caveat } from './caveats.js';
import { referenceOf } from './references.js';

/** What the charts are built from: the aggregate, its runs (one per scenario, in its order) and their caveats. */
export interface ChartInput {
  agg: Aggregate;
  runs: readonly LoadRun[];
  caveats: readonly Caveat[];
}

type Row = Aggregate['rows'][number];

function rowsIndex(agg: Aggregate): (label: string, metric: string) => Row[] {
  const by = new Map<string, Row[]>();
  for (const r of agg.rows) {
    const key = `${r.scenario}\0${r.metric}`;
    by.set(key, [...(by.get(key) ?? []), r]);
  }
  return (label, metric) => (by.get(`${label}\0${metric}`) ?? []).filter((r) => r.mean !== null);
}

const scale = (v: number | null, k: number) => (v === null ? null : v * k);

/** The means of a metric, each with its interval; hollow where `hollow(level)`. */
function meanPoints(rows: readonly Row[], k = 1, hollow: (level: number) => boolean = () => false): ChartPoint[] {
  return rows.map((r) => ({ x: r.level, y: r.mean! * k, low: scale(r.ci_low, k), high: scale(r.ci_high, k), hollow: hollow(r.level) }));
}

/** Every repetition's value of a metric (a generator-bound run hollow). */
function repetitionPoints(run: LoadRun, value: (s: RunSample) => number | null, k = 1): ChartPoint[] {
  return run.samples.flatMap((s) => {
    const v = value(s);
    return v === null || !Number.isFinite(v) ? [] : [{ x: s.level, y: v * k, low: null, high: null, hollow: s.generator_bound }];
  });
}

/** The levels where a run lost most of its requests: its latency and CPU there are the few completed ones'. */
function lossyLevels(run: LoadRun): Set<number> {
  const levels = new Set(run.samples.map((s) => s.level));
  return new Set([...levels].filter((l) => lossShare(run.samples.filter((s) => s.level === l)) > MOST_LOST));
}

function caveatNotes(input: ChartInput, label: string, rows: readonly Row[], k: number, kinds: Caveat['kind'][]): ChartNote[] {
  return rows.flatMap((r) => {
    const text = notesAt(input.caveats, label, r.level, kinds);
    return text ? [{ x: r.level, y: (r.ci_high ?? r.mean!) * k, text, scenario: label }] : [];
  });
}

const aggregateLevels = (agg: Aggregate) => [...new Set(agg.scenarios.flatMap((s) => s.levels))].sort((a, b) => a - b);

/** Where the thesis's column goes: right of the last level, and its tick. */
function thesisColumn(agg: Aggregate): { x: number; tick: { value: number; label: string }[] } {
  const levels = aggregateLevels(agg);
  const [lo, hi] = [levels[0] ?? 0, levels.at(-1) ?? 0];
  const x = hi + (hi > lo ? (hi - lo) * 0.16 : Math.max(1, hi) * 0.2);
  return { x, tick: [...levels.map((l) => ({ value: l, label: l.toLocaleString('en-US') })), { value: x, label: 'thesis' }] };
}

const manifests = (input: ChartInput) => input.runs.map((r) => r.manifest);
const ns = (rows: readonly Row[]) => rows.map((r) => r.n);

interface LevelChart {
  file: string;
  title: string;
  yLabel: string;
  metric: string;
  what: string;
  /** y = value × k (a share as a percentage) */
  k?: number;
  /** the scenarios drawn; default every scenario with a figure */
  only?: (s: ScenarioSummary) => boolean;
  interval?: string;
  /** the caveats written beside the points (default: all) */
  notes?: Caveat['kind'][];
  /** the thesis's figures at levels: of this reference metric (default: the same), as this value */
  thesis?: { metric: string; value: (level: number, v: number) => number };
}

/** One panel per metric, x = the level: each scenario's means and repetitions, the thesis's figures at their levels and its peaks in a column of their own. */
function levelChart(input: ChartInput, c: LevelChart): ChartSpec | null {
  const { agg } = input;
  const rowsOf = rowsIndex(agg);
  const k = c.k ?? 1;
  const metric = agg.metrics.find((m) => m.name === c.metric);
  if (!metric) return null;
  const series: ChartSeries[] = [];
  const notes: ChartNote[] = [];
  const column = thesisColumn(agg);
  let peaks = false;
  const all: Row[] = [];
  agg.scenarios.forEach((s, i) => {
    const rows = rowsOf(s.label, c.metric);
    if (!rows.length || (c.only && !c.only(s))) return;
    all.push(...rows);
    series.push({ label: s.label, scenario: s.label, points: meanPoints(rows, k) });
    series.push({
      label: `${s.label} repetitions`,
      scenario: s.label,
      kind: 'repetitions',
      points: repetitionPoints(input.runs[i], metric.value, k),
    });
    notes.push(...caveatNotes(input, s.label, rows, k, c.notes ?? ['generator-bound', 'loss', 'kernel-drops']));
    const ref = referenceOf(s, c.thesis?.metric ?? c.metric);
    const value = c.thesis?.value ?? ((_: number, v: number) => v * k);
    const atLevels = [...ref.levels].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y: value(x, y), low: null, high: null }));
    if (atLevels.length) series.push({ label: `${s.label}: the thesis`, scenario: s.label, kind: 'reference', points: atLevels });
    const peak = c.thesis ? undefined : ref.other.find(([key]) => key === 'max');
    if (peak) {
      peaks = true;
      series.push({
        label: `${s.label}: the thesis's peak`,
        scenario: s.label,
        kind: 'reference',
        points: [{ x: column.x, y: peak[1] * k, low: null, high: null }],
      });
    }
  });
  if (!series.length) return null;
  return {
    file: c.file,
    title: c.title,
    yLabel: c.yLabel,
    xTicks: peaks ? column.tick : undefined,
    panels: [{ title: '', series, notes }],
    what: c.what + (peaks ? " ×: the thesis's published figure (its peak over all levels, in a column of its own)." : ''),
    caption: caption(nPerPoint(ns(all)), c.interval ?? MEAN_INTERVAL, manifests(input)),
  };
}

/** ratio.png: req/s as a multiple of the reference's, paired run by run, with the reference at 1× and the thesis's ratio of peaks beside. */
export function ratioChart(input: ChartInput): ChartSpec | null {
  const { agg } = input;
  const rowsOf = rowsIndex(agg);
  const balanced = agg.scenarios.map((s, i) => ({ s, i, rows: rowsOf(s.label, 'speedup') })).filter((x) => x.rows.length && x.s.relativeTo);
  const metric = agg.metrics.find((m) => m.name === 'speedup');
  if (!balanced.length || !metric) return null;
  const column = thesisColumn(agg);
  const levels = aggregateLevels(agg);
  const series: ChartSeries[] = [];
  const notes: ChartNote[] = [];
  const refs = [...new Set(balanced.map((b) => b.s.relativeTo!.scenario))];
  for (const ref of refs)
    series.push({
      label: `${ref} = 1×`,
      scenario: ref,
      kind: 'level',
      points: [levels[0], column.x].map((x) => ({ x, y: 1, low: null, high: null })),
    });
  let thesis = false;
  for (const { s, i, rows } of balanced) {
    series.push({ label: `${s.label} ÷ ${s.relativeTo!.scenario}`, scenario: s.label, points: meanPoints(rows) });
    series.push({
      label: `${s.label} repetitions`,
      scenario: s.label,
      kind: 'repetitions',
      points: repetitionPoints(input.runs[i], metric.value),
    });
    notes.push(...caveatNotes(input, s.label, rows, 1, ['generator-bound', 'loss', 'kernel-drops']));
    const t = thesisRatio(agg, s);
    if (t !== null) {
      thesis = true;
      series.push({
        label: `${s.label}: the thesis ${t.toFixed(2)}×`,
        scenario: s.label,
        kind: 'reference',
        points: [{ x: column.x, y: t, low: null, high: null }],
      });
    }
  }
  return {
    file: 'ratio.png',
    title: `Requests per second as a multiple of ${refs.join(', ')}'s`,
    yLabel: `req/s ÷ ${refs.join(', ')}'s req/s (×)`,
    xTicks: thesis ? column.tick : undefined,
    panels: [{ title: '', series, notes }],
    what:
      `Each set-up's req/s divided by ${refs.join(', ')}'s, measured together and paired run by run (level and repetition); above the dashed 1× line it serves more.` +
      (thesis ? " ×: the thesis's ratio of its published peaks." : ''),
    caption: caption(nPerPoint(ns(balanced.flatMap((b) => b.rows)), 'pairs'), RATIO_INTERVAL, manifests(input)),
  };
}

/** The thesis's ratio of peaks: the scenario's `reference` rps max ÷ its reference scenario's, when both are in the report. */
export function thesisRatio(agg: Aggregate, s: ScenarioSummary): number | null {
  const peak = (x: ScenarioSummary) => referenceOf(x, 'rps').other.find(([k]) => k === 'max')?.[1] ?? null;
  const ref = agg.scenarios.find((x) => x.name === s.relativeTo?.scenario);
  const [a, b] = [peak(s), ref ? peak(ref) : null];
  return a !== null && b ? a / b : null;
}

const PERCENTILES = [
  { metric: 'latency_ms.p50', name: 'p50' },
  { metric: 'latency_ms.p90', name: 'p90' },
  { metric: 'latency_ms.p99', name: 'p99' },
  { metric: 'latency_ms.max', name: 'max' },
];

/** latency.png: a panel per scenario, p50, p90, p99 and max on one log axis; a level that lost most of its requests hollow. */
export function latencyChart(input: ChartInput): ChartSpec | null {
  const { agg } = input;
  const rowsOf = rowsIndex(agg);
  const panels: ChartPanel[] = [];
  const all: Row[] = [];
  agg.scenarios.forEach((s, i) => {
    const lossy = lossyLevels(input.runs[i]);
    const series: ChartSeries[] = [];
    const notes: ChartNote[] = [];
    PERCENTILES.forEach((p, j) => {
      const metric = agg.metrics.find((m) => m.name === p.metric);
      const rows = rowsOf(s.label, p.metric);
      if (!metric || !rows.length) return;
      all.push(...rows);
      series.push({ label: p.name, scenario: s.label, dash: j, points: meanPoints(rows, 1, (l) => lossy.has(l)) });
      series.push({
        label: `${s.label} ${p.name} repetitions`,
        scenario: s.label,
        kind: 'repetitions',
        points: repetitionPoints(input.runs[i], metric.value),
      });
    });
    for (const level of lossy) {
      const top = rowsOf(s.label, 'latency_ms.max').find((r) => r.level === level);
      const text = notesAt(input.caveats, s.label, level, ['loss']);
      const left = 1 - lossShare(input.runs[i].samples.filter((x) => x.level === level));
      if (top && text)
        notes.push({ x: level, y: top.ci_high ?? top.mean!, text: `${text}: of the ${(left * 100).toFixed(0)} % left`, scenario: s.label });
    }
    if (series.length) panels.push({ title: s.label, series, notes });
  });
  if (!panels.length) return null;
  return {
    file: 'latency.png',
    title: 'Latency of completed requests: p50, p90, p99 and max',
    yLabel: 'latency (ms, log scale)',
    logY: true,
    panels,
    what: 'One panel per set-up, on one logarithmic axis: from the bottom line up, the median (p50), p90, p99 and the slowest request of each run, averaged over the repetitions; lost requests have no latency.',
    caption: caption(nPerPoint(ns(all)), MEAN_INTERVAL, manifests(input)),
  };
}

/** The backends whose CPU a scenario sampled, less those that served nothing (single's web2, web3): busy below 1 % in every run. */
function servingHosts(s: ScenarioSummary, run: LoadRun): string[] {
  const hosts = s.metrics.filter((m) => /^cpu\..+\.mean$/.test(m.name)).map((m) => m.name.split('.')[1]);
  return hosts.filter((h) => run.samples.some((x) => (x.cpu?.[h]?.mean ?? 0) >= 1));
}

/** cpu.png: a panel per backend host, a line per scenario that used it. */
export function cpuChart(input: ChartInput): { spec: ChartSpec | null; idle: string[] } {
  const { agg } = input;
  const rowsOf = rowsIndex(agg);
  const hosts = [...new Set(agg.metrics.filter((m) => /^cpu\..+\.mean$/.test(m.name)).map((m) => m.name.split('.')[1]))].sort();
  const serving = agg.scenarios.map((s, i) => servingHosts(s, input.runs[i]));
  const idle = agg.scenarios.flatMap((s, i) =>
    s.metrics
      .filter((m) => /^cpu\..+\.mean$/.test(m.name))
      .map((m) => m.name.split('.')[1])
      .filter((h) => !serving[i].includes(h))
      .map((h) => `${s.label}'s ${h}`),
  );
  const all: Row[] = [];
  const panels: ChartPanel[] = hosts.flatMap((host) => {
    const series: ChartSeries[] = [];
    const notes: ChartNote[] = [];
    agg.scenarios.forEach((s, i) => {
      const rows = rowsOf(s.label, `cpu.${host}.mean`);
      const metric: MetricDef<RunSample> | undefined = s.metrics.find((m) => m.name === `cpu.${host}.mean`);
      if (!rows.length || !metric || !serving[i].includes(host)) return;
      const lossy = lossyLevels(input.runs[i]);
      all.push(...rows);
      series.push({ label: s.label, scenario: s.label, points: meanPoints(rows, 1, (l) => lossy.has(l)) });
      series.push({
        label: `${s.label} repetitions`,
        scenario: s.label,
        kind: 'repetitions',
        points: repetitionPoints(input.runs[i], metric.value),
      });
      notes.push(
        ...caveatNotes(
          input,
          s.label,
          rows.filter((r) => lossy.has(r.level)),
          1,
          ['loss'],
        ),
      );
    });
    return series.length ? [{ title: host, series, notes }] : [];
  });
  if (!panels.length) return { spec: null, idle };
  return {
    spec: {
      file: 'cpu.png',
      title: 'Backend CPU, one panel per web server',
      yLabel: 'CPU busy (% of its share)',
      panels,
      what:
        "Each web server's busy CPU over a run's load window, in % of its CPU share, one line per set-up that sent it requests" +
        (idle.length ? ` (left out, busy below 1 % in every run: ${idle.join(', ')})` : '') +
        '.',
      caption: caption(nPerPoint(ns(all)), MEAN_INTERVAL, manifests(input)),
    },
    idle,
  };
}

/** loss.png: the share of requests lost, in %, for the scenarios that lost any; null when none did (the report says so in a sentence). */
export function lossChart(input: ChartInput): ChartSpec | null {
  const rowsOf = rowsIndex(input.agg);
  const lost = (s: ScenarioSummary) => rowsOf(s.label, 'loss_ratio').some((r) => (r.max ?? 0) > 0);
  const thesisLoss = (s: ScenarioSummary) => [...referenceOf(s, 'loss').levels.values()].some((v) => v > 0);
  if (!input.agg.scenarios.some((s) => lost(s) || thesisLoss(s))) return null;
  const spec = levelChart(input, {
    file: 'loss.png',
    title: 'Requests lost',
    yLabel: 'requests lost (% of those sent)',
    metric: 'loss_ratio',
    k: 100,
    only: (s) => lost(s) || thesisLoss(s),
    notes: ['generator-bound', 'kernel-drops'],
    what: "The share of each run's requests that got no response (connection errors, timeouts) or an error status, in %.",
    // the thesis's losses are counts at a level: as a share of that level's requests
    thesis: { metric: 'loss', value: (level, v) => (v / level) * 100 },
  });
  if (!spec) return null;
  const none = input.agg.scenarios.filter((s) => !lost(s)).map((s) => s.label);
  if (none.length) spec.what += ` ${none.join(', ')} lost no request at any level and are not drawn.`;
  return spec;
}

/** Every chart of the load report but ratio.png (which the verdict shows), in the page's order. */
export function loadCharts(input: ChartInput): { charts: ChartSpec[]; sentences: string[] } {
  const sentences: string[] = [];
  const rps = levelChart(input, {
    file: 'rps.png',
    title: 'Requests per second',
    yLabel: 'requests per second (req/s)',
    metric: 'rps',
    what: "Completed requests per second of each run (a level's requests ÷ the time from the first sent to the last answered).",
  });
  const throughput = levelChart(input, {
    file: 'throughput.png',
    title: 'Throughput',
    yLabel: 'throughput (MB/s)',
    metric: 'throughput_mbps',
    what: 'Bytes received per second of each run.',
  });
  const loss = lossChart(input);
  if (!loss && input.agg.rows.some((r) => r.metric === 'loss_ratio' && r.n > 0)) {
    const runs = input.runs.reduce((n, r) => n + r.samples.length, 0);
    sentences.push(
      `No request was lost: every one of the ${runs} runs of ${input.agg.scenarios.map((s) => s.label).join(', ')} completed all its requests.`,
    );
  }
  const cpu = cpuChart(input);
  if (!cpu.spec && cpu.idle.length) sentences.push(`No backend was busy above 1 % of its CPU share in any run (${cpu.idle.join(', ')}).`);
  const charts: ChartSpec[] = [];
  for (const c of [rps, throughput, loss, latencyChart(input), cpu.spec]) {
    if (!c) continue;
    // a chart whose every figure is 0 says nothing a sentence cannot
    const measured = c.panels.flatMap((p) => p.series.filter((x) => x.kind !== 'reference' && x.kind !== 'level'));
    if (measured.every((x) => x.points.every((p) => p.y === 0)))
      sentences.push(`${c.title}: 0 in every run of ${[...new Set(measured.map((x) => x.scenario))].join(', ')}.`);
    else charts.push(c);
  }
  return { charts, sentences };
}
