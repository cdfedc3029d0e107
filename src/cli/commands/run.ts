/**
 * `lb-bench run FILE… [--profile P] [--out DIR] [--resume RUN] [--json] [--junit FILE]`: the use
 * case (src/run/run-scenarios.ts) under an interrupt signal. stdout: each run folder as it is
 * stored, or with --json the summaries; stderr: every threshold breach (exit 1).
 */
import { ExitCode, inputError } from '../../errors.js';
import type { Io } from '../../io/io.js';
import { DEFAULT_RESULTS_DIR } from '../../results/store.js';
import { runScenarios } from '../../run/run-scenarios.js';
import type { Overrides } from '../../kinds/scenario-file.js';
import { displayPath } from '../../util/paths.js';
import { checkOutFolder } from '../io.js';
import { interruptSignal } from '../signals.js';

interface RunFlags extends Overrides {
  junit?: string;
  out?: string;
  resume?: string;
  acceptNewHostKeys?: boolean;
  json?: boolean;
}

export default async function run(io: Io, files: string[], flags: RunFlags): Promise<number> {
  if (!files.length && !flags.resume)
    throw inputError('run: name at least one scenario file', 'e.g. lb-bench run scenarios/haproxy-lc.yaml');
  // --out and --junit were checked as they were read; the default folder is checked here
  const outDir = flags.out ?? DEFAULT_RESULTS_DIR;
  if (flags.out === undefined) checkOutFolder(outDir);

  const { signal, dispose } = interruptSignal(io, { first: 'stopping after dropping the run in flight' });
  let outcome;
  try {
    outcome = await runScenarios(
      {
        files,
        outDir,
        resume: flags.resume,
        profile: flags.profile,
        repetitions: flags.repetitions,
        levels: flags.levels,
        acceptNewHostKeys: flags.acceptNewHostKeys,
        junit: flags.junit,
        signal,
        stored: (dir) => {
          if (!flags.json) io.out(displayPath(dir));
        },
      },
      io,
    );
  } finally {
    dispose();
  }
  if (flags.json) io.out(JSON.stringify(outcome.summaries(), null, 2));
  const { breaches } = outcome;
  if (!breaches.length) return ExitCode.ok;
  for (const b of breaches) io.err(`threshold breached: ${b}`);
  io.err(`lb-bench: ${breaches.length} threshold breach${breaches.length > 1 ? 'es' : ''}; every run is stored`);
  return ExitCode.gate;
}
