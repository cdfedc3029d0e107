/**
 * The command transport: a command line, run on this machine, that opens stdio to a worker, in
 * the spirit of GIT_SSH_COMMAND or rsync -e. The command is the whole line, `lb-bench worker`
 * included, as a list (no shell, so nothing needs quoting):
 *
 *   transport: { command: [kubectl, exec, -i, lb-bench-gen-0, --, lb-bench, worker] }
 *   transport: { command: [podman, exec, -i, gen1, lb-bench, worker] }
 *   transport: { command: [ip, netns, exec, gen1, lb-bench, worker] }
 *
 * The command must pass stdin and stdout through unbuffered and end when its stdin closes (kubectl
 * exec -i, podman exec -i, ssh and ip netns exec do).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { childWorker } from '../process.js';
import type { WorkerTransport } from './transport.js';

const COMMAND = 'must be a list: the program and its arguments, e.g. [kubectl, exec, -i, POD, --, lb-bench, worker]';

const settings = z
  .array(z.string({ error: COMMAND }).min(1, { error: 'must not be empty' }).max(4096), { error: COMMAND })
  .min(1, { error: COMMAND })
  .max(256, { error: 'must be at most 256 words' });

const executable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Where `program` would be run from, as a shell finds it; null when it would not be. */
export function whichProgram(program: string, path = process.env.PATH ?? ''): string | null {
  if (program.includes('/')) return executable(program) ? program : null;
  for (const dir of path.split(delimiter)) {
    const file = join(isAbsolute(dir) ? dir : join(process.cwd(), dir || '.'), program);
    if (executable(file)) return file;
  }
  return null;
}

export const commandTransport: WorkerTransport<string[]> = {
  settings,
  ssh: false,
  check: ([program]) =>
    whichProgram(program!) ? [] : [`[0]: no program ${JSON.stringify(program)} here (not executable, or not on PATH)`],
  spawner: (host, command) => ({
    key: `command:${host.name}:${JSON.stringify(command)}`,
    where: `on ${host.name}`,
    host: host.name,
    spawn: () => childWorker(command[0]!, command.slice(1)),
  }),
};
