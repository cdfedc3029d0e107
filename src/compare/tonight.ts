/**
 * `compare --history`: tonight (the newest run of each scenario) against the history's nights of
 * the same scenario and level. An absolute figure is judged against the nights of the same machine
 * (matching fingerprints); a portable one against every night. Each figure by judgeNight. Nights
 * before the run last accepted for a scenario (`history accept`) are not judged by. Pure.
 */
import type { MetricDef } from '../kinds/kind.js';
import { withRun, type StoredRun } from '../kinds/registry.js';
import { fingerprintDifferences, fingerprintOfManifest } from '../results/fingerprint.js';
import { describe } from '../stats/describe.js';
import { selectMetrics, type Comparison } from './compare.js';
import { isAccept, nightsIn, type HistoryEntry, type HistoryLine } from './history.js';
import { judgeNight, type Judgement } from './history-judge.js';

export interface TonightOptions {
  nights: number;
  confirm: number;
  /** --fail-on-regression, or 0 */
  pct: number;
  metrics?: readonly string[];
}

export interface HistoryRow extends Judgement {
  scenario: string;
  /** tonight's run folder */
  run: string;
  level: number;
  metric: string;
  portable: boolean;
  /** whose nights it was judged against: the same machine's (absolute figures) or all (portable) */
  nights_of: 'this machine' | 'all machines';
  /** tonight's mean over its repetitions */
  tonight: number;
  /** the gate judges it: there were nights enough */
  gated: boolean;
}

export interface TonightJudgement {
  /** per scenario judged: tonight's run and its machine's fingerprint id */
  runs: { scenario: string; run: string; dir: string; fingerprint: string }[];
  metrics: MetricDef<never>[];
  rows: HistoryRow[];
}

/** When the scenario's new normal began (`history accept`): the start of the run last accepted, or null. */
export function acceptedSince(entries: readonly HistoryEntry[], scenario: string): { run: string; at: string } | null {
  const accepted = entries.filter(isAccept).filter((a) => a.scenario === scenario);
  return accepted.length ? accepted.reduce((a, b) => (b.at.localeCompare(a.at) >= 0 ? b : a)) : null;
}

/** The nights of one figure, oldest first: one per run (the last line of a run repeated), tonight's own and those before an acceptance left out. */
function nightsOf(
  lines: readonly HistoryLine[],
  run: StoredRun,
  level: number,
  metric: string,
  sameMachineOnly: boolean,
  since: string | null,
): number[] {
  const fp = fingerprintOfManifest(run.manifest);
  const byRun = new Map<string, HistoryLine>();
  for (const l of lines) {
    if (l.scenario !== run.manifest.scenario.name || l.level !== level || l.run === run.manifest.id || !l.metrics[metric]) continue;
    if (since !== null && l.at < since) continue;
    if (sameMachineOnly && fingerprintDifferences(l.fingerprint, fp).length) continue;
    byRun.delete(l.run);
    byRun.set(l.run, l);
  }
  return [...byRun.values()].sort((a, b) => a.at.localeCompare(b.at) || a.run.localeCompare(b.run)).map((l) => l.metrics[metric].mean);
}

function judgeRun(
  run: StoredRun,
  entries: readonly HistoryEntry[],
  o: TonightOptions,
): { metrics: MetricDef<never>[]; rows: HistoryRow[] } {
  const lines = nightsIn(entries);
  const since = acceptedSince(entries, run.manifest.scenario.name)?.at ?? null;
  return withRun(run, (kind, r) => {
    const { metrics } = selectMetrics(kind.metrics(r.samples), o.metrics);
    const levels = [...new Set(r.samples.map((s) => kind.level(s)))].sort((a, b) => a - b);
    const rows: HistoryRow[] = [];
    for (const metric of metrics)
      for (const level of levels) {
        const tonight = describe(r.samples.filter((s) => kind.level(s) === level).map((s) => metric.value(s))).mean;
        if (tonight === null) continue;
        const portable = metric.portable === true;
        const past = nightsOf(lines, run, level, metric.name, !portable, since);
        const j = judgeNight(past, tonight, { ...o, better: metric.better });
        const where = { scenario: r.manifest.scenario.name, run: r.manifest.id, level, metric: metric.name };
        rows.push({
          ...where,
          portable,
          nights_of: portable ? 'all machines' : 'this machine',
          tonight,
          ...j,
          gated: j.verdict !== 'too few nights',
        });
      }
    return { metrics: metrics as MetricDef<never>[], rows };
  });
}

export function judgeTonight(runs: readonly StoredRun[], entries: readonly HistoryEntry[], o: TonightOptions): TonightJudgement {
  const judged = runs.map((run) => judgeRun(run, entries, o));
  const metrics = [...new Map(judged.flatMap((j) => j.metrics).map((m) => [m.name, m])).values()];
  return {
    runs: runs.map((r) => ({
      scenario: r.manifest.scenario.name,
      run: r.manifest.id,
      dir: r.dir,
      fingerprint: fingerprintOfManifest(r.manifest).id,
    })),
    metrics,
    rows: judged.flatMap((j) => j.rows),
  };
}

/**
 * `--baseline` with `--history`: a figure the history judges is not gated again against the
 * baseline (one night against one night cries wolf on a noisy night); the baseline gates the rest.
 */
export function ungateJudged(comparisons: readonly Comparison[], rows: readonly HistoryRow[]): Comparison[] {
  const judged = new Set(rows.filter((r) => r.gated).map((r) => `${r.scenario}\0${r.level}\0${r.metric}`));
  return comparisons.map((c) => ({
    ...c,
    rows: c.rows.map((r) =>
      r.gated && judged.has(`${c.b.scenario}\0${r.level}\0${r.metric}`)
        ? { ...r, gated: false, not_gated: 'judged by the history' as const }
        : r,
    ),
  }));
}
