/**
 * What `compare` writes besides stdout: under --out compare.md, compare.json (whatever stdout
 * shows) and a chart per comparison; with --junit the gated rows as test cases. Each file set is
 * written whole or not at all (io/files.ts); what was written is said on stderr.
 */
import { join } from 'node:path';
import { envError, inputError } from '../errors.js';
import { errorWords, writeFiles, type WriteFailed } from '../io/files.js';
import type { Io } from '../io/io.js';
import { writeJunit } from '../io/junit-xml.js';
import { chartFont, renderChart } from '../report/charts.js';
import { chartMetric, compareChartSpec } from './compare-chart.js';
import { SLUG } from '../scenario/fields.js';
import { describeValue } from '../util/issues.js';
import { childPath } from '../util/paths.js';
import type { Comparison } from './compare.js';
import { compareSuites } from './compare-junit.js';
import type { HistoryPart } from './history-format.js';

/**
 * Where a comparison's chart goes. With several, the file is named after the scenario, a name
 * read from a run folder: it is used only when it is a scenario name (a slug) that stays a file
 * inside outDir, else exit 2 (checked for all before anything is written).
 */
export function chartFile(outDir: string, c: Comparison, several: boolean): string {
  if (!several) return join(outDir, 'compare.png');
  const path = SLUG.test(c.b.scenario) ? childPath(outDir, `compare-${c.b.scenario}.png`) : null;
  if (!path)
    throw inputError(
      `${join(c.b.dir, 'manifest.json')}: scenario.name: not a scenario name, got ${describeValue(c.b.scenario)}; a name read from a run folder is never used as a path`,
      'this manifest was not written by lb-bench run: restore it, or leave this run folder out',
    );
  return path;
}

function writeAll(files: { path: string; content: string | Buffer }[], outDir: string): void {
  try {
    writeFiles(files);
  } catch (e) {
    const failed = e as WriteFailed;
    throw envError(`${failed.path ?? outDir}: cannot write (${errorWords(failed.cause ?? e)})`, 'choose another folder with --out');
  }
}

/** A chart per comparison of the metric asked for first (else the kind's own), under outDir. */
export function writeCharts(comparisons: readonly Comparison[], outDir: string, wanted: string | undefined, io: Io): void {
  if (chartFont() === null) io.err('warning: the chart has no text: this machine has no fonts (apt-get install fonts-dejavu-core)');
  const charts: { path: string; content: Buffer; metric: string }[] = [];
  for (const c of comparisons) {
    const metric = chartMetric(c, wanted);
    if (metric)
      charts.push({ path: chartFile(outDir, c, comparisons.length > 1), content: renderChart(compareChartSpec(c, metric)), metric });
  }
  writeAll(charts, outDir);
  for (const c of charts) io.err(`wrote ${c.path} (${c.metric})`);
}

/** compare.md and compare.json under outDir: the whole comparison, whatever stdout shows. */
export function writeTables(outDir: string, markdown: string, json: string, io: Io): void {
  const files: [string, string][] = [
    ['compare.md', markdown],
    ['compare.json', json],
  ];
  // whole or not at all: a full disk leaves no half of the comparison
  writeAll(
    files.map(([name, text]) => ({ path: join(outDir, name), content: `${text}\n` })),
    outDir,
  );
  for (const [name] of files) io.err(`wrote ${join(outDir, name)}`);
}

/** --junit: each gated row a test case. */
export function writeCompareJunit(
  file: string,
  comparisons: readonly Comparison[],
  history: HistoryPart | null,
  pct: number | null,
  io: Io,
): void {
  writeJunit(file, 'lb-bench compare', compareSuites(comparisons, history, pct));
  io.err(`wrote ${file}`);
}
