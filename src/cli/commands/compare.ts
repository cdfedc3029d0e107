/**
 * `lb-bench compare A B [--baseline DIR] [--fail-on-regression PCT] …`: which runs, the
 * comparison, its table on stdout (or JSON), compare.png under --out, then the gate. The chosen
 * runs, files written and breaches go to stderr, so that stdout is only the table.
 */
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExitCode, envError, inputError } from '../../errors.js';
import { levelsOf, measuredBy, metricsOf, type StoredRun } from '../../kinds/registry.js';
import { chartFont, renderChart } from '../../report/charts.js';
import { DEFAULT_RESULTS_DIR } from '../../results/store.js';
import { chartMetric, compareChartSpec } from '../../compare/chart.js';
import { compareRuns, heading, machineLine, selectMetrics, type Comparison, type TestName } from '../../compare/compare.js';
import { format, toJson, type Format } from '../../compare/format.js';
import { breachLine, breaches } from '../../compare/gate.js';
import { baselinePairs, resolvePair } from '../../compare/resolve.js';
import { SLUG } from '../../scenario/schema.js';
import { describeValue } from '../../util/issues.js';
import { childPath } from '../../util/paths.js';
import type { Io } from '../../io/io.js';

interface Options {
  results?: string;
  metric?: string[];
  alpha?: string;
  test?: TestName;
  format?: Format;
  json?: boolean;
  out?: string;
  failOnRegression?: string;
  baseline?: string;
}

function number(flag: string, value: string | undefined, ok: (n: number) => boolean, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !ok(n)) throw inputError(`${flag}: must be ${what}, got "${value}"`);
  return n;
}

const runLine = (side: string, r: StoredRun) =>
  `${side}: ${r.manifest.scenario.name}  ${r.dir}  (${r.samples.length} runs, ${measuredBy(r)}, ${r.manifest.status})`;

/** A folder as the disk knows it (links and `..` resolved), to tell whether two names are one folder. */
const canonical = (dir: string) => realpath(dir).catch(() => resolve(dir));

async function choosePairs(refs: string[], opts: Options, resultsDir: string, io: Io): Promise<[StoredRun, StoredRun][]> {
  if (opts.baseline) {
    if (refs.length) throw inputError('compare: give either A and B or --baseline DIR, not both');
    if ((await canonical(opts.baseline)) === (await canonical(resultsDir))) {
      throw inputError(
        `--baseline ${opts.baseline}: the same folder as --results ${resultsDir}; every run would be compared with itself`,
        "name the folder of the earlier runs with --baseline, e.g. last night's results",
      );
    }
    const { pairs, unmatched, notRun } = await baselinePairs(resultsDir, opts.baseline);
    for (const name of unmatched) io.err(`warning: ${name}: no run in the baseline ${opts.baseline}; not compared`);
    for (const name of notRun) io.err(`warning: ${name}: in the baseline but no run under ${resultsDir}/; not compared`);
    for (const [a, b] of pairs) io.err(`${a.manifest.scenario.name}: baseline ${a.dir} vs ${b.dir}`);
    return pairs;
  }
  if (refs.length !== 2)
    throw inputError(
      `compare: needs two runs or scenario names, got ${refs.length}`,
      'e.g. lb-bench compare haproxy nginx, or --baseline DIR',
    );
  const [a, b] = await resolvePair(refs[0], refs[1], resultsDir);
  io.err(runLine('A', a));
  io.err(runLine('B', b));
  return [[a, b]];
}

/**
 * Where a comparison's chart goes. With several, the file is named after the scenario, a name
 * read from a run folder: it is used only when it is a scenario name (a slug) that stays a file
 * inside outDir, else exit 2 (checked for all before anything is written).
 */
function chartFile(outDir: string, c: Comparison, several: boolean): string {
  if (!several) return join(outDir, 'compare.png');
  const path = SLUG.test(c.b.scenario) ? childPath(outDir, `compare-${c.b.scenario}.png`) : null;
  if (!path)
    throw inputError(
      `${join(c.b.dir, 'manifest.json')}: scenario.name: not a scenario name, got ${describeValue(c.b.scenario)}; a name read from a run folder is never used as a path`,
      'this manifest was not written by lb-bench run: restore it, or leave this run folder out',
    );
  return path;
}

async function writeCharts(comparisons: Comparison[], outDir: string, wanted: string | undefined, io: Io): Promise<void> {
  if (chartFont() === null) io.err('warning: the chart has no text: this machine has no fonts (apt-get install fonts-dejavu-core)');
  let path = outDir;
  try {
    await mkdir(outDir, { recursive: true });
    for (const c of comparisons) {
      const metric = chartMetric(c, wanted);
      if (!metric) continue;
      path = chartFile(outDir, c, comparisons.length > 1);
      await writeFile(path, renderChart(compareChartSpec(c, metric)));
      io.err(`wrote ${path} (${metric})`);
    }
  } catch (e) {
    throw envError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'choose another folder with --out');
  }
}

export default async function compare(io: Io, refs: string[], opts: Options): Promise<number> {
  const alpha = number('--alpha', opts.alpha, (n) => n > 0 && n < 1, 'a number between 0 and 1') ?? 0.05;
  const pct = number('--fail-on-regression', opts.failOnRegression, (n) => n >= 0, 'a percentage, 0 or more') ?? null;
  if (opts.json && opts.format) throw inputError('compare: --json and --format: choose one');
  const resultsDir = opts.results ?? DEFAULT_RESULTS_DIR;
  const pairs = await choosePairs(refs, opts, resultsDir, io);

  // each kind has its own metrics: what is known is the union over the pairs' runs
  const known = [...new Map(pairs.flatMap(([a, b]) => [...metricsOf(a), ...metricsOf(b)]).map((m) => [m.name, m])).values()];
  const { unknown } = selectMetrics(known, opts.metric);
  if (unknown.length)
    throw inputError(
      `--metric: unknown ${unknown.map((u) => `"${u}"`).join(', ')}`,
      `metrics of these runs: ${known.map((m) => m.name).join(', ')}`,
    );

  const comparisons: Comparison[] = [];
  for (const [a, b] of pairs) {
    const c = compareRuns(a, b, {
      alpha,
      test: opts.test ?? 'mann-whitney',
      metrics: opts.metric,
      labels: opts.baseline ? ['baseline', 'current'] : undefined,
    });
    if (c.rows.length) {
      comparisons.push(c);
      const line = machineLine(c.machines);
      if (line) io.err(`${heading(c)}: ${line}`);
    } else if (pairs.length > 1)
      io.err(
        `warning: ${a.manifest.scenario.name}: no level measured in both runs (${levelsOf(a).join(',')} vs ${levelsOf(b).join(',')}); not compared`,
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

  // a gate that compared nothing must not pass (e.g. every scenario's levels changed since the baseline)
  if (!comparisons.length)
    throw inputError('nothing to compare: no scenario has a level measured on both sides', 'run with the same levels as the baseline');
  if (opts.out) for (const c of comparisons) chartFile(opts.out, c, comparisons.length > 1);
  const found = pct === null ? [] : breaches(comparisons, pct);
  io.out(opts.json ? toJson(comparisons, found, pct) : format(comparisons, opts.format ?? 'text'));
  if (opts.out) await writeCharts(comparisons, opts.out, opts.metric?.[0], io);
  if (pct === null) return ExitCode.ok;
  for (const b of found) io.err(breachLine(b, pct));
  if (!found.length) {
    io.err(`no significant regression of more than ${pct} % (alpha ${alpha})`);
    return ExitCode.ok;
  }
  io.err(`lb-bench: ${found.length} significant regression${found.length > 1 ? 's' : ''} of more than ${pct} %`);
  return ExitCode.gate;
}
