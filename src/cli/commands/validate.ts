import { LbError, ExitCode } from '../../errors.js';
import { loadScenario } from '../../scenario/load.js';
import type { Io } from '../io.js';

/** `lb-bench validate FILE…`: every file is checked, every problem printed; exit 2 if any. */
export default async function validate(io: Io, files: string[]): Promise<number> {
  let bad = 0;
  for (const file of files) {
    try {
      const { scenario } = await loadScenario(file);
      const shape = scenario.kind === 'failover'
        ? `${scenario.probe.map((p) => p.type).join(' + ')} probes × ${scenario.repetitions} repetitions`
        : `${scenario.load.levels.length} levels × ${scenario.load.repetitions} repetitions`;
      io.out(`${file}: ok (${scenario.kind} scenario "${scenario.name}", ${shape})`);
    } catch (e) {
      if (!(e instanceof LbError)) throw e;
      bad++;
      io.err(e.message);
    }
  }
  return bad ? ExitCode.input : ExitCode.ok;
}
