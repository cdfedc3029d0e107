import { LbError, ExitCode } from '../../errors.js';
import type { Io } from '../io.js';

export default async function report(_io: Io): Promise<number> {
  throw new LbError('report: not built yet', ExitCode.input);
}
