/**
 * `lb-bench reproduce [--profile quick|thesis] [--out DIR] [--results DIR] [--scenarios DIR]
 * [--keep-lab]`: the thesis's experiments end to end (src/reproduce). Progress goes to stderr;
 * stdout is the conclusions table, then the report folder on the last line.
 */
import { join } from 'node:path';
import { markdownTable } from '../../util/format.js';
import { DEFAULT_RESULTS_DIR, timestampId } from '../../results/store.js';
import { conclusionsTable } from '../../reproduce/format.js';
import { formatDuration, reproduce, reproduceFromStored, type ReproduceResult } from '../../reproduce/reproduce.js';
import { defaultScenariosDir } from '../../reproduce/plan.js';
import { mannWhitneyMinP } from '../../compare/compare.js';
import { writeJunit } from '../../io/junit.js';
import { reproduceSuites } from '../../reproduce/junit.js';
import type { Io } from '../../io/io.js';
import { displayPath } from '../io.js';
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

/** No --scenarios: ./scenarios, or the scenarios shipped with lb-bench (said on stderr, as it is not the working folder). */
function scenariosFolder(io: Io): string {
  const { dir, shipped } = defaultScenariosDir();
  if (shipped)
    io.err(
      `reproduce: the thesis's scenarios shipped with lb-bench, from ${dir} (./scenarios does not hold them; --scenarios DIR for others)`,
    );
  return dir;
}

export default async function reproduceCommand(io: Io, opts: Options): Promise<number> {
  const alpha = opts.alpha ?? 0.05;
  if (opts.repetitions !== undefined) {
    const minP = mannWhitneyMinP(opts.repetitions, opts.repetitions);
    if (minP >= alpha)
      io.err(
        `warning: with ${opts.repetitions} repetitions a side Mann-Whitney cannot reach p < ${alpha} (smallest p ${minP.toPrecision(2)}): every two-sample verdict will be "not significant"`,
      );
  }
  const outDir = opts.out ?? join('reports', `${timestampId()}-reproduce`);
  if (opts.from !== undefined) {
    const result = await reproduceFromStored({ from: opts.from, outDir, alpha, io });
    return finish(io, opts, result);
  }
  const scenariosDir = opts.scenarios ?? scenariosFolder(io);
  const { signal, dispose } = interruptSignal(io, {
    first: 'stopping; what finished is kept, and the lab is brought down if reproduce brought it up',
    second: 'quitting at once; the lab may still be up: lb-bench lab down',
  });
  try {
    const result = await reproduce({
      profile: opts.profile,
      scenariosDir,
      resultsDir: opts.results ?? DEFAULT_RESULTS_DIR,
      outDir,
      keepLab: Boolean(opts.keepLab),
      alpha,
      repetitions: opts.repetitions,
      acceptNewHostKeys: opts.acceptNewHostKeys,
      calibrate: opts.calibrate !== false,
      io,
      signal,
    });
    io.err(`reproduce: wall time ${formatDuration(result.wallSeconds)}`);
    return finish(io, opts, result);
  } finally {
    dispose();
  }
}

/** The JUnit file if asked, the conclusions table, then the report folder on the last line. */
function finish(io: Io, opts: Options, result: ReproduceResult): number {
  if (opts.junit) {
    writeJunit(opts.junit, 'lb-bench reproduce', reproduceSuites(result.scenarios, result.rows));
    io.err(`wrote ${opts.junit}`);
  }
  io.out(markdownTable(conclusionsTable(result.rows)));
  io.out(displayPath(result.reportDir));
  return result.exitCode;
}
