import { LbError, ExitCode } from '../../errors.js';
import type { Io } from '../io.js';

export default async function lab(_io: Io): Promise<number> {
  throw new LbError('lab: not built yet', ExitCode.input);
}
