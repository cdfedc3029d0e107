import { LbError, ExitCode } from '../../errors.js';
import type { Io } from '../io.js';

export default async function run(_io: Io): Promise<number> {
  throw new LbError('run: not built yet', ExitCode.input);
}
