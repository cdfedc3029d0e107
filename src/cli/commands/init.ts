/**
 * `lb-bench init [DIR] [--force] [--kubernetes N [--image IMAGE]]`: the use case
 * (src/init/write-starter.ts); stdout: each file written; stderr: what to do next.
 */
import type { Io } from '../../io/io.js';
import { writeStarter, type StarterOptions } from '../../init/write-starter.js';

export default async function init(io: Io, dir: string, opts: StarterOptions): Promise<void> {
  const { files, next } = writeStarter(dir, { force: opts.force, kubernetes: opts.kubernetes, image: opts.image });
  for (const f of files) io.out(f);
  io.err(next);
}
