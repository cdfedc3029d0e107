/**
 * `reproduce`, the use case: the thesis's experiments end to end on the lab (reproduce.ts), or with
 * `from` the conclusions of runs stored in a folder; then the JUnit file. Progress goes to stderr;
 * the conclusions and the report folder are returned for the command line to print.
 */
import { join } from 'node:path';
import type { Io } from '../io/io.js';
import { writeJunit } from '../io/junit-xml.js';
import { timestampId } from '../results/store.js';
import { mannWhitneyMinP } from '../compare/compare.js';
import { reproduceSuites } from './conclusions-junit.js';
import { defaultScenariosDir } from './plan.js';
import { formatDuration, reproduce, reproduceFromStored, type ReproduceOptions, type ReproduceResult } from './reproduce.js';

export interface ReproduceRequest extends Omit<ReproduceOptions, 'scenariosDir' | 'outDir' | 'io' | 'signal'> {
  /** default: ./scenarios when it holds the thesis's scenarios, else the ones shipped with lb-bench */
  scenariosDir?: string;
  /** default: reports/<timestamp>-reproduce */
  outDir?: string;
  /** no lab, nothing sent: the conclusions and report of the runs stored in this folder */
  from?: string;
  junit?: string;
  /** aborts the runs (the lab is brought down if reproduce brought it up); not needed with `from` */
  signal?: AbortSignal;
}

/** No scenarios folder given: ./scenarios, or the scenarios shipped with lb-bench (said on stderr, as it is not the working folder). */
function scenariosFolder(io: Io): string {
  const { dir, shipped } = defaultScenariosDir();
  if (shipped)
    io.err(
      `reproduce: the thesis's scenarios shipped with lb-bench, from ${dir} (./scenarios does not hold them; --scenarios DIR for others)`,
    );
  return dir;
}

/** Too few repetitions for any two-sample verdict at this alpha: said before hours are spent measuring. */
function warnRepetitions(repetitions: number | undefined, alpha: number, io: Io): void {
  if (repetitions === undefined) return;
  const minP = mannWhitneyMinP(repetitions, repetitions);
  if (minP >= alpha)
    io.err(
      `warning: with ${repetitions} repetitions a side Mann-Whitney cannot reach p < ${alpha} (smallest p ${minP.toPrecision(2)}): every two-sample verdict will be "not significant"`,
    );
}

async function measureOrRead(req: ReproduceRequest, outDir: string, io: Io): Promise<ReproduceResult> {
  if (req.from !== undefined) return reproduceFromStored({ from: req.from, outDir, alpha: req.alpha, io });
  const result = await reproduce({
    ...req,
    scenariosDir: req.scenariosDir ?? scenariosFolder(io),
    outDir,
    io,
    signal: req.signal ?? new AbortController().signal,
  });
  io.err(`reproduce: wall time ${formatDuration(result.wallSeconds)}`);
  return result;
}

export async function runReproduce(req: ReproduceRequest, io: Io): Promise<ReproduceResult> {
  warnRepetitions(req.repetitions, req.alpha, io);
  const outDir = req.outDir ?? join('reports', `${timestampId()}-reproduce`);
  const result = await measureOrRead(req, outDir, io);
  if (req.junit) {
    writeJunit(req.junit, 'lb-bench reproduce', reproduceSuites(result.scenarios, result.rows));
    io.err(`wrote ${req.junit}`);
  }
  return result;
}
