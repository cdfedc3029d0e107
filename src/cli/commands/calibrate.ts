/**
 * `lb-bench lab calibrate [--json]`: measures this machine and keeps the web servers' CPU share
 * that makes the lab a scale model of the thesis (src/calibrate). Progress on stderr; stdout is the
 * chosen share, the evidence table and where the calibration is kept.
 */
import { calibrationSummary, evidenceTable } from '../../calibrate/evidence-table.js';
import { ExitCode, inputError } from '../../errors.js';
import { md } from '../../export/md.js';
import type { Io } from '../../io/io.js';
import { formatDuration } from '../../reproduce/reproduce.js';
import { interruptSignal } from '../signals.js';

export default async function calibrateCommand(io: Io, opts: { config?: string; json?: boolean }): Promise<number> {
  if (opts.config)
    throw inputError(
      "lab calibrate: --config: calibration measures the lab on lab.yaml's settings, the thesis's lab",
      'calibrate without it; `lab up --config FILE` applies your settings afterwards (a FILE naming web.cpus wins over the calibration)',
    );
  const { calibrate } = await import('../../calibrate/calibrate.js');
  const { signal, dispose } = interruptSignal(io, { first: 'stopping calibration; the lab is put back as it was' });
  try {
    const { record, file, up } = await calibrate({ io, signal });
    if (opts.json) {
      io.out(JSON.stringify({ ...record, file }, null, 2));
      return ExitCode.ok;
    }
    io.out(`lab calibrate: chose web.cpus ${record.web_cpus}: ${record.reason}`);
    io.out(calibrationSummary(record));
    io.out(md.table(evidenceTable(record.evidence, record.web_cpus)));
    io.out(`took ${formatDuration(record.seconds)}; kept in ${file}`);
    io.out(
      up
        ? `the lab runs it now (${up.webCpus.line})`
        : '`lb-bench lab up` applies it (unless its --config names web.cpus), and so do reproduce and every run on the lab',
    );
    return ExitCode.ok;
  } finally {
    dispose();
  }
}
