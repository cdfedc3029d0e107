/**
 * The report manager (hyperfine's export/mod.rs): each kind of run present gives its part once
 * (rows, charts, its verdict and caveats, a section), the verdict opens both pages, the pure
 * exporters of src/export spell them (summary.csv: the csv exporter; the pages' tables: md and
 * html), and this is the one place that writes the report's files. A new kind of scenario brings
 * its own part (src/kinds).
 */
import { join } from 'node:path';
import { envError } from '../errors.js';
import { errorWords, writeFolder, type WriteFailed } from '../io/files.js';
import type { ReportSection, ReportWarning } from '../kinds/kind.js';
import { eachKind, type StoredRun } from '../kinds/registry.js';
import { chartFont, renderChart } from './charts.js';
import { calibrationSection } from './calibration.js';
import { toCsv } from './csv.js';
import { toHtml } from './html.js';
import { toMarkdown } from './markdown.js';
import { verdictSection } from './verdict.js';

export interface WrittenReport {
  dir: string;
  /** paths of the files written, in writing order */
  files: string[];
  warnings: ReportWarning[];
  /** the runs reported: all given, or those kept within MAX_REPORT_SCENARIOS */
  runs: readonly StoredRun[];
}

/** What a caller adds to the report: reproduce's conclusions. */
export interface ReportExtras {
  /** sections right after the verdict, before the report's own (reproduce's conclusions) */
  lead?: ReportSection[];
  /** more files of the report folder: name and text */
  files?: [string, string][];
}

const NO_FONTS: ReportWarning = {
  kind: 'environment',
  scenario: '',
  message: 'charts have no text: this machine has no fonts',
  hint: 'install one, e.g. apt-get install fonts-dejavu-core (Debian/Ubuntu), then report again',
};

/**
 * The report's files, written whole or not at all. `unique`: into a new folder, `outDir` or
 * `outDir-2`, … when another report took it (two reports in the same second).
 */
/**
 * The most scenarios one report holds. Each brings its tables and charts: 10 000 took 5 minutes,
 * 2 GB and a 40 MB index.html, which no one reads. More are left out, said in the report and on
 * stderr: the newest runs are kept.
 */
export const MAX_REPORT_SCENARIOS = 200;

function boundScenarios(runs: readonly StoredRun[]): { kept: readonly StoredRun[]; leftOut?: ReportWarning[] } {
  const names = [...new Set(runs.map((r) => r.manifest.scenario.name))];
  if (names.length <= MAX_REPORT_SCENARIOS) return { kept: runs };
  // the newest run's scenarios first: those are kept
  const newest = new Map<string, string>();
  for (const r of runs)
    if ((newest.get(r.manifest.scenario.name) ?? '') < r.manifest.started_at) newest.set(r.manifest.scenario.name, r.manifest.started_at);
  const keep = new Set(names.sort((a, b) => newest.get(b)!.localeCompare(newest.get(a)!)).slice(0, MAX_REPORT_SCENARIOS));
  const dropped = names.length - keep.size;
  const message = `${dropped} of ${names.length} scenarios left out: a report holds at most ${MAX_REPORT_SCENARIOS} (those with the newest runs are kept)`;
  return {
    kept: runs.filter((r) => keep.has(r.manifest.scenario.name)),
    leftOut: [{ kind: 'environment', scenario: '', message, hint: 'name the runs or scenarios to report: lb-bench report NAME…' }],
  };
}

export async function writeReport(
  runs: readonly StoredRun[],
  outDir: string,
  extras: ReportExtras = {},
  opts: { unique?: boolean } = {},
): Promise<WrittenReport> {
  const { kept, leftOut } = boundScenarios(runs);
  const parts = eachKind(kept, (kind, own) => kind.report(own));
  const warnings = [...(leftOut ?? []), ...parts.flatMap((p) => p.warnings), ...(chartFont() === null ? [NO_FONTS] : [])];
  const calibration = calibrationSection(kept);
  const sections = [verdictSection(parts), ...(extras.lead ?? []), ...(calibration ? [calibration] : []), ...parts.map((p) => p.section)];
  const charts = parts.flatMap((p) => p.charts);
  const outputs: [string, string | Buffer][] = [
    ['summary.csv', toCsv(parts.flatMap((p) => p.rows))],
    ['summary.md', toMarkdown(sections, warnings)],
    ...charts.map((s): [string, Buffer] => [s.file, renderChart(s)]),
    ['index.html', toHtml(sections, warnings)],
    ...(extras.files ?? []),
  ];
  let dir: string;
  try {
    dir = writeFolder(
      outDir,
      outputs.map(([name, content]) => ({ name, content })),
      opts,
    );
  } catch (e) {
    const failed = e as WriteFailed;
    throw envError(
      `${failed.path ?? outDir}: cannot write the report (${errorWords(failed.cause ?? e)}); nothing of it was written`,
      'choose another folder with --out',
    );
  }
  return { dir, files: outputs.map(([name]) => join(dir, name)), warnings, runs: kept };
}
