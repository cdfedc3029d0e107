/**
 * Which runs `compare` sets side by side, and their comparisons: A and B (resolve.ts), or the
 * newest run of every scenario against its newest run in a baseline folder. The runs chosen, and
 * each pair left out, are said on stderr; a comparison of nothing is exit 2, saying why.
 */
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { inputError } from '../errors.js';
import type { Io } from '../io/io.js';
import { levelsOf, measuredBy, metricsOf, type StoredRun } from '../kinds/registry.js';
import { compareRuns, heading, qualifierLines, selectMetrics, type Comparison, type TestName } from './compare.js';
import { baselinePairs, resolvePair } from './resolve.js';

export interface PairOptions {
  resultsDir: string;
  /** every scenario's newest run under resultsDir against its newest run here */
  baseline?: string;
  metric?: string[];
  alpha: number;
  test: TestName;
  /** the gate's percentage; null: no gate */
  pct: number | null;
}

/** --metric: each name must be a metric of the runs (or a prefix of some), else exit 2 listing them. */
export function checkMetrics(runs: readonly StoredRun[], wanted: readonly string[] | undefined): void {
  // each kind has its own metrics: what is known is the union over the runs
  const known = [...new Map(runs.flatMap((r) => metricsOf(r)).map((m) => [m.name, m] as const)).values()];
  const { unknown } = selectMetrics(known, wanted);
  if (unknown.length)
    throw inputError(
      `--metric: unknown ${unknown.map((u) => `"${u}"`).join(', ')}`,
      `metrics of these runs: ${known.map((m) => m.name).join(', ')}`,
    );
}

const runLine = (side: string, r: StoredRun) =>
  `${side}: ${r.manifest.scenario.name}  ${r.dir}  (${r.samples.length} runs, ${measuredBy(r)}, ${r.manifest.status})`;

/** A folder as the disk knows it (links and `..` resolved), to tell whether two names are one folder. */
const canonical = (dir: string) => realpath(dir).catch(() => resolve(dir));

async function choosePairs(refs: string[], o: PairOptions, io: Io): Promise<[StoredRun, StoredRun][]> {
  if (o.baseline) {
    if (refs.length) throw inputError('compare: give either A and B or --baseline DIR, not both');
    if ((await canonical(o.baseline)) === (await canonical(o.resultsDir))) {
      throw inputError(
        `--baseline ${o.baseline}: the same folder as --results ${o.resultsDir}; every run would be compared with itself`,
        "name the folder of the earlier runs with --baseline, e.g. last night's results",
      );
    }
    const { pairs, unmatched, notRun } = await baselinePairs(o.resultsDir, o.baseline);
    for (const name of unmatched) io.err(`warning: ${name}: no run in the baseline ${o.baseline}; not compared`);
    for (const name of notRun) io.err(`warning: ${name}: in the baseline but no run under ${o.resultsDir}/; not compared`);
    for (const [a, b] of pairs) io.err(`${a.manifest.scenario.name}: baseline ${a.dir} vs ${b.dir}`);
    return pairs;
  }
  if (refs.length !== 2)
    throw inputError(
      `compare: needs two runs or scenario names, got ${refs.length}`,
      'e.g. lb-bench compare haproxy nginx, or --baseline DIR',
    );
  const [a, b] = await resolvePair(refs[0], refs[1], o.resultsDir);
  io.err(runLine('A', a));
  io.err(runLine('B', b));
  return [[a, b]];
}

/** The pairs' comparisons: A and B, or every scenario against the baseline. */
export async function comparePairs(refs: string[], o: PairOptions, io: Io): Promise<Comparison[]> {
  const pairs = await choosePairs(refs, o, io);
  checkMetrics(pairs.flat(), o.metric);
  const comparisons: Comparison[] = [];
  for (const [a, b] of pairs) {
    const c = compareRuns(a, b, {
      alpha: o.alpha,
      test: o.test,
      metrics: o.metric,
      labels: o.baseline ? ['baseline', 'current'] : undefined,
      gatePct: o.pct ?? undefined,
    });
    if (c.rows.length) {
      comparisons.push(c);
      for (const line of qualifierLines(c)) io.err(`${heading(c)}: ${line}`);
    } else nothingInCommon(a, b, pairs.length, io, o.metric);
  }
  // a gate that compared nothing must not pass (e.g. every scenario's levels changed since the baseline)
  if (!comparisons.length)
    throw inputError('nothing to compare: no scenario has a level measured on both sides', 'run with the same levels as the baseline');
  return comparisons;
}

/** A pair without a level (or an asked-for metric) in common: a warning among several, else exit 2 saying why. */
function nothingInCommon(a: StoredRun, b: StoredRun, pairs: number, io: Io, metrics: readonly string[] | undefined): void {
  const shared = levelsOf(a).some((l) => levelsOf(b).includes(l));
  if (pairs > 1)
    io.err(
      shared && metrics?.length
        ? `warning: ${a.manifest.scenario.name}: none of --metric ${metrics.join(' ')} is measured by its runs; not compared`
        : `warning: ${a.manifest.scenario.name}: no level measured in both runs (${levelsOf(a).join(',')} vs ${levelsOf(b).join(',')}); not compared`,
    );
  else if (a.manifest.scenario.kind !== b.manifest.scenario.kind)
    throw inputError(
      `nothing to compare: ${a.manifest.scenario.name} is a ${a.manifest.scenario.kind} run and ${b.manifest.scenario.name} a ${b.manifest.scenario.kind} run`,
      'compare two runs of the same kind',
    );
  else
    throw inputError(
      `nothing to compare: no level measured in both runs (A: ${levelsOf(a).join(',')}; B: ${levelsOf(b).join(',')})`,
      'run both with the same --levels',
    );
}
