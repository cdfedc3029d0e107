/**
 * Where reproduce's report goes: the report of the load runs (src/report, unchanged), the
 * comparison of haproxy with nginx, and the conclusions: conclusions.csv and .json, and a section
 * at the top of summary.md and index.html. The one place of reproduce that writes files.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Io } from '../io/io.js';
import { compareRuns } from '../compare/compare.js';
import { toMarkdown as compareMarkdown } from '../compare/format.js';
import { envError } from '../errors.js';
import { writeReport } from '../report/index.js';
import type { FailoverSample } from '../results/types.js';
import type { LoadRun } from '../run/stored.js';
import type { ProbeType } from '../scenario/failover-schema.js';
import { describe } from '../stats/describe.js';
import { haproxyNginx, type ConclusionRow, type FailoverInput } from './conclusions.js';
import { conclusionsCsv, conclusionsHtml, conclusionsJson, conclusionsMarkdown, insertHtml, prependMarkdown, type ConclusionContext } from './format.js';
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

async function write(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (e) {
    throw envError(`${path}: cannot write the report (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'choose another folder with --out');
  }
}

export async function writeReproduceReport(input: ReproduceReportInput): Promise<string> {
  const { outDir, io, rows } = input;
  const loadRuns = Object.values(input.runs).filter((r): r is LoadRun => r !== undefined && r.samples.length > 0);
  const context: ConclusionContext = { ...input.context, notes: [...input.context.notes, ...failoverNotes(input.failover)] };
  let summary = '';
  let page = '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>lb-bench reproduce</title>\n</head>\n<body>\n<h1>lb-bench reproduce</h1>\n</body>\n</html>\n';
  if (loadRuns.length) {
    const report = await writeReport(loadRuns, outDir);
    const hinted = new Set<string>();
    for (const w of report.warnings) {
      io.err(`warning: ${w.message}${w.hint && !hinted.has(w.kind) ? ` (${w.hint})` : ''}`);
      hinted.add(w.kind);
    }
    summary = await readFile(join(outDir, 'summary.md'), 'utf8');
    page = await readFile(join(outDir, 'index.html'), 'utf8');
  } else {
    await mkdir(outDir, { recursive: true }).catch((e) => {
      throw envError(`${outDir}: cannot create the report folder (${(e as NodeJS.ErrnoException).code})`, 'choose another folder with --out');
    });
  }

  const pair = haproxyNginx(loadRuns);
  if (typeof pair !== 'string') {
    const [a, b] = pair;
    io.err(`compare haproxy nginx: ${a.manifest.scenario.name} (${a.dir}) vs ${b.manifest.scenario.name} (${b.dir})`);
    const c = compareRuns(a, b, { alpha: context.alpha, test: 'mann-whitney' });
    await write(join(outDir, 'compare-haproxy-nginx.md'), `# lb-bench compare haproxy nginx\n\n${compareMarkdown([c])}\n`);
    context.notes.push(`every metric of haproxy vs nginx, level by level: compare-haproxy-nginx.md (as lb-bench compare haproxy nginx chose them: ${a.manifest.scenario.name} vs ${b.manifest.scenario.name})`);
  }

  await write(join(outDir, 'summary.md'), prependMarkdown(summary, conclusionsMarkdown(rows, context)));
  await write(join(outDir, 'index.html'), insertHtml(page, conclusionsHtml(rows, context)));
  await write(join(outDir, 'conclusions.csv'), conclusionsCsv(rows, context.alpha));
  await write(join(outDir, 'conclusions.json'), conclusionsJson(rows, context));
  return outDir;
}
