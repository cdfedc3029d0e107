#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
import { main, outputFailure } from '../dist/src/cli/main.js';

// main() never exits by itself; this is the one place that ends the process,
// so that SSH connections or timers left open cannot keep it alive.
const code = await main(process.argv.slice(2));
// Writes to a pipe are asynchronous: exiting at once cut a long output (compare --json) at the
// pipe's 64 KiB. End once stdout and stderr have taken everything, or failed. A result that did not
// reach stdout (a full disk, a reader gone) is said, and is exit 3 where the command had succeeded.
let open = 2;
let ended = false;
const end = () => {
  if (ended) return;
  ended = true;
  const failed = outputFailure();
  if (failed) process.stderr.write(`lb-bench: ${failed}\n  hint: check where stdout goes: a full disk, or a reader that has gone\n`);
  process.exit(failed && code === 0 ? 3 : code);
};
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', () => (stream === process.stdout ? undefined : end()));
  stream.write('', () => --open === 0 && end());
}
