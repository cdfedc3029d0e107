/**
 * `lb-bench reproduce [--profile quick|thesis] [--out DIR] [--results DIR] [--scenarios DIR]
 * [--keep-lab] [--from DIR]`: the use case (src/reproduce/run-reproduce.ts), under an interrupt
 * signal when it measures. Progress goes to stderr; stdout is the conclusions table, then the
 * report folder on the last line.
 */
import { md } from '../../export/md.js';
import { DEFAULT_RESULTS_DIR } from '../../results/store.js';
import { conclusionsTable } from '../../reproduce/conclusions-tables.js';
import { runReproduce } from '../../reproduce/run-reproduce.js';
import type { Io } from '../../io/io.js';
import { displayPath } from '../../util/paths.js';
import { interruptSignal } from '../signals.js';

interface Options {
  profile: string;
  out?: string;
  results?: string;
  scenarios?: string;
  keepLab?: boolean;
  alpha?: number;
  repetitions?: number;
  acceptNewHostKeys?: boolean;
  calibrate?: boolean;
  junit?: string;
  from?: string;
}

export default async function reproduceCommand(io: Io, opts: Options): Promise<number> {
  // --from sends nothing: an interrupt ends it at once
  const interrupt =
    opts.from === undefined
      ? interruptSignal(io, {
          first: 'stopping; what finished is kept, and the lab is brought down if reproduce brought it up',
          second: 'quitting at once; the lab may still be up: lb-bench lab down',
        })
      : null;
  try {
    const result = await runReproduce(
      {
        profile: opts.profile,
        scenariosDir: opts.scenarios,
        resultsDir: opts.results ?? DEFAULT_RESULTS_DIR,
        outDir: opts.out,
        keepLab: Boolean(opts.keepLab),
        alpha: opts.alpha ?? 0.05,
        repetitions: opts.repetitions,
        acceptNewHostKeys: opts.acceptNewHostKeys,
        calibrate: opts.calibrate !== false,
        junit: opts.junit,
        from: opts.from,
        signal: interrupt?.signal,
      },
      io,
    );
    io.out(md.table(conclusionsTable(result.rows)));
    io.out(displayPath(result.reportDir));
    return result.exitCode;
  } finally {
    interrupt?.dispose();
  }
}
