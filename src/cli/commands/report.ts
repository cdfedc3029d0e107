/**
 * `lb-bench report [RUN…] [--out DIR] [--results DIR]`: the use case (src/report/report-runs.ts).
 * stdout is the report folder alone, so that `out=$(lb-bench report)` is it; the runs it read and
 * the warnings go to stderr.
 */
import { reportRuns } from '../../report/report-runs.js';
import { DEFAULT_RESULTS_DIR } from '../../results/store.js';
import type { Io } from '../../io/io.js';

interface Options {
  out?: string;
  results?: string;
}

export default async function report(io: Io, refs: string[], opts: Options): Promise<number> {
  const written = await reportRuns(refs, opts.results ?? DEFAULT_RESULTS_DIR, opts.out);
  // one line each; a hint is said once per kind of warning, not on every line
  const hinted = new Set<string>();
  for (const w of written.warnings) {
    const hint = w.hint && !hinted.has(w.kind) ? ` (${w.hint})` : '';
    hinted.add(w.kind);
    io.err(`warning: ${w.message}${hint}`);
  }
  for (const r of written.runs) io.err(`${r.manifest.scenario.name}: ${r.dir} (${r.samples.length} runs)`);
  io.out(written.dir);
  return 0;
}
