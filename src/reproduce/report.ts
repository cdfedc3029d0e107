/**
 * reproduce's report: the report of the runs it measured (src/report: the verdict first, then each
 * kind's section, the failover run's too), with the conclusions right after the verdict, and beside it
 * the comparison of haproxy with nginx, conclusions.csv and conclusions.json.
 */
import type { Io } from '../io/io.js';
import { compareRuns } from '../compare/compare.js';
import { toMarkdown as compareMarkdown } from '../compare/compare-tables.js';
import { runsOfKind, type StoredRun } from '../kinds/registry.js';
import { writeReport } from '../report/index.js';
import { readRun } from '../kinds/run-folders.js';
import type { FailoverSample } from '../kinds/failover/sample.js';
import type { LoadRun } from '../kinds/load/sample.js';
import type { ProbeType } from '../kinds/failover/scenario.js';
import { describe } from '../stats/describe.js';
import { haproxyNginx, type ConclusionRow, type FailoverInput } from './conclusions.js';
import { conclusionsCsv, conclusionsJson, conclusionsSection, type ConclusionContext } from './conclusions-tables.js';
import type { LoadRole } from './thesis.js';

export interface ReproduceReportInput {
  runs: Partial<Record<LoadRole, LoadRun>>;
  failover: FailoverInput;
  rows: ConclusionRow[];
  context: ConclusionContext;
  outDir: string;
  io: Io;
}

/** One line per probe type: downtime and availability over the repetitions. Pure. */
export function failoverNotes(f: FailoverInput): string[] {
  if ('missing' in f) return [];
  const types = [...new Set(f.samples.flatMap((s) => Object.keys(s.downtime_ms)))] as ProbeType[];
  return types.map((t) => {
    const pick = (get: (s: FailoverSample) => number | null | undefined) => describe(f.samples.map(get));
    const down = pick((s) => s.downtime_ms[t]);
    const avail = pick((s) => s.availability[t]);
    const back = pick((s) => s.failback_downtime_ms[t]);
    const r = (v: number | null, d = 1) => (v === null ? '–' : v.toFixed(d));
    return `failover, ${t} probe: downtime mean ${r(down.mean)} ms (min ${r(down.min)}, max ${r(down.max)}, n ${down.n}); failback downtime mean ${r(back.mean)} ms; availability mean ${r(avail.mean, 3)} % (eq. 2.1) — ${f.dir}`;
  });
}

/** The runs reproduce measured, for the report: the load runs with samples, and the failover run if it ran. */
async function reportedRuns(input: ReproduceReportInput): Promise<StoredRun[]> {
  const load = Object.values(input.runs).filter((r): r is LoadRun => r !== undefined && r.samples.length > 0);
  const failover = 'missing' in input.failover ? [] : runsOfKind([await readRun(input.failover.dir)], 'failover');
  return [...load, ...failover];
}

export async function writeReproduceReport(input: ReproduceReportInput): Promise<string> {
  const { outDir, io, rows } = input;
  const runs = await reportedRuns(input);
  const context: ConclusionContext = { ...input.context, notes: [...input.context.notes] };
  const files: [string, string][] = [];

  const pair = haproxyNginx(runsOfKind(runs, 'load'));
  if (typeof pair !== 'string') {
    const [a, b] = pair;
    io.err(`compare haproxy nginx: ${a.manifest.scenario.name} (${a.dir}) vs ${b.manifest.scenario.name} (${b.dir})`);
    const c = compareRuns(a, b, { alpha: context.alpha, test: 'mann-whitney' });
    files.push(['compare-haproxy-nginx.md', `# lb-bench compare haproxy nginx\n\n${compareMarkdown([c])}\n`]);
    context.notes.push(
      `every metric of haproxy vs nginx, level by level: compare-haproxy-nginx.md (as lb-bench compare haproxy nginx chose them: ${a.manifest.scenario.name} vs ${b.manifest.scenario.name})`,
    );
  }
  // the pages show the failover run in its own section; conclusions.json keeps its summary lines for scripts
  const json = { ...context, notes: [...context.notes, ...failoverNotes(input.failover)] };
  files.push(['conclusions.csv', conclusionsCsv(rows, context.alpha)], ['conclusions.json', conclusionsJson(rows, json)]);

  const report = await writeReport(runs, outDir, { lead: [conclusionsSection(rows, context)], files });
  const hinted = new Set<string>();
  for (const w of report.warnings) {
    io.err(`warning: ${w.message}${w.hint && !hinted.has(w.kind) ? ` (${w.hint})` : ''}`);
    hinted.add(w.kind);
  }
  return outDir;
}
