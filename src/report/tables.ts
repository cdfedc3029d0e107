/**
 * The one table builder that the text exporters share (hyperfine's export/markup.rs): per metric,
 * levels down, scenarios across, "mean ± CI half-width", the scenario's reference figures beside.
 * Markdown and HTML only decide how a table is spelled. Pure.
 */
import type { MetricDef } from '../metrics/registry.js';
import { NOISY_CV, type Aggregate, type ScenarioSummary } from '../stats/aggregate.js';
import { fmt, meanCi, type Table } from '../util/format.js';

export type { Table } from '../util/format.js';

export interface MetricTable extends Table {
  metric: MetricDef;
  /** references not tied to a level ("max", "mean", a bare number), one line each */
  notes: string[];
}

/** Reference keys as people write them → metric names of the registry. */
const REFERENCE_ALIASES: Record<string, string> = { throughput: 'throughput_mbps', latency_p99: 'latency_ms.p99', latency_p50: 'latency_ms.p50' };

/** The scenario's reference for one metric: figures per level, and the others (max, mean) by key. */
export function referenceOf(s: ScenarioSummary, metric: string): { levels: Map<number, number>; other: [string, number][] } {
  const levels = new Map<number, number>();
  const other: [string, number][] = [];
  for (const [key, value] of Object.entries(s.reference)) {
    if ((REFERENCE_ALIASES[key] ?? key) !== metric) continue;
    if (typeof value === 'number') other.push(['', value]);
    else for (const [k, v] of Object.entries(value)) /^\d+$/.test(k) ? levels.set(Number(k), v) : other.push([k, v]);
  }
  return { levels, other };
}

export function metricTables(agg: Aggregate): MetricTable[] {
  const index = new Map(agg.rows.map((r) => [`${r.scenario}\0${r.level}\0${r.metric}`, r]));
  const tables: MetricTable[] = [];
  for (const metric of agg.metrics) {
    const refs = agg.scenarios.map((s) => referenceOf(s, metric.name));
    const measured = agg.rows.filter((r) => r.metric === metric.name && r.n > 0);
    if (!measured.length && !refs.some((r) => r.levels.size || r.other.length)) continue;
    const levels = [...new Set([...measured.map((r) => r.level), ...refs.flatMap((r) => [...r.levels.keys()])])].sort((a, b) => a - b);
    const header = ['requests'];
    agg.scenarios.forEach((s, i) => header.push(s.label, ...(refs[i].levels.size ? [`${s.label} thesis`] : [])));
    const rows = levels.map((level) => {
      const line = [String(level)];
      agg.scenarios.forEach((s, i) => {
        line.push(meanCi(index.get(`${s.label}\0${level}\0${metric.name}`), ''));
        if (refs[i].levels.size) line.push(refs[i].levels.has(level) ? String(refs[i].levels.get(level)) : '');
      });
      return line;
    });
    const notes = agg.scenarios.flatMap((s, i) => refs[i].other.map(([k, v]) => `thesis, ${s.label}: ${k ? `${k} ` : ''}${v} ${metric.unit}`));
    tables.push({ metric, header, rows, numeric: header.map(() => true), notes });
  }
  return tables;
}

/** The runs a report is made of. */
export function runsTable(agg: Aggregate): Table {
  const header = ['run folder', 'scenario', 'title', 'profile', 'status', 'runs'];
  const rows = agg.scenarios.map((s) => [s.id, s.label, s.title, s.profile ?? '–', s.status, `${s.samples} of ${s.planned}`]);
  return { header, rows, numeric: [false, false, false, false, false, true] };
}

export const NOISE_TITLE = 'Noise between repetitions';
export const NOISE_INTRO = `Figures whose repetitions disagree: coefficient of variation (sd / mean) above ${NOISY_CV * 100} %. Read their means and intervals with care; add repetitions, or quiet the machine and the network. Request counts (loss, errors, timeouts, non2xx) are left out: a count that is mostly 0 varies a lot without the measurement being noisy.`;

/** Every noisy figure, one row each (scenario, metric, level); null when there is none. */
export function noiseTable(agg: Aggregate): Table | null {
  if (!agg.noisy.length) return null;
  const header = ['scenario', 'metric', 'requests', 'n', 'mean', 'cv %'];
  const rows = agg.noisy.map((f) => [f.scenario, f.metric, String(f.level), String(f.n), fmt(f.mean), (f.cv * 100).toFixed(1)]);
  return { header, rows, numeric: [false, false, true, true, true, true] };
}
