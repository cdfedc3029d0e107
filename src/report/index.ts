/**
 * The report manager (hyperfine's export/mod.rs): aggregates once, asks each pure exporter for its
 * bytes, and is the one place that writes files. A new format is one exporter and one line here.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { envError } from '../errors.js';
import type { StoredRun } from '../results/types.js';
import { aggregate, type ReportWarning } from '../stats/aggregate.js';
import { aggregateFailover, isFailoverRun } from '../stats/failover.js';
import { chartFont, chartSpecs, renderChart } from './charts.js';
import { toCsv } from './csv.js';
import { downtimeChart, failoverTable } from './failover.js';
import { toHtml } from './html.js';
import { toMarkdown, type ExtraSection } from './markdown.js';

export interface WrittenReport {
  dir: string;
  /** paths of the files written, in writing order */
  files: string[];
  warnings: ReportWarning[];
}

export async function writeReport(runs: readonly StoredRun[], outDir: string): Promise<WrittenReport> {
  // failover runs have their own summary (stats/failover.ts); load runs go through aggregate as before
  const loadRuns = runs.filter((r) => !isFailoverRun(r));
  const agg = aggregate(loadRuns);
  const fo = aggregateFailover(runs.filter(isFailoverRun));
  agg.warnings.push(...fo.warnings);
  if (chartFont() === null) {
    agg.warnings.push({
      kind: 'environment',
      scenario: '',
      message: 'charts have no text: this machine has no fonts',
      hint: 'install one, e.g. apt-get install fonts-dejavu-core (Debian/Ubuntu), then report again',
    });
  }
  const downtime = downtimeChart(fo);
  const specs = [...(loadRuns.length ? chartSpecs(agg) : []), ...(downtime ? [downtime] : [])];
  const extra: ExtraSection[] = fo.scenarios.length
    ? [{ title: 'Failover', intro: 'Downtime: last successful probe before the outage to the first after it, per probe type; mean ± the half-width of its 95 % CI over the repetitions. Availability: uptime / (uptime + downtime) × 100 over each repetition\'s probe window (thesis eq. 2.1).', table: failoverTable(fo) }]
    : [];
  const outputs: [string, string | Buffer][] = [
    ['summary.csv', toCsv([...agg.rows, ...fo.rows])],
    ['summary.md', toMarkdown(agg, extra)],
    ...specs.map((s): [string, Buffer] => [s.file, renderChart(s)]),
    ['index.html', toHtml(agg, specs, extra)],
  ];
  const files: string[] = [];
  let path = outDir;
  try {
    await mkdir(outDir, { recursive: true });
    for (const [name, bytes] of outputs) {
      path = join(outDir, name);
      await writeFile(path, bytes);
      files.push(path);
    }
  } catch (e) {
    throw envError(`${path}: cannot write the report (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'choose another folder with --out');
  }
  return { dir: outDir, files, warnings: agg.warnings };
}
