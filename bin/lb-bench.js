#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
import { main } from '../dist/src/cli/main.js';

// main() never exits by itself; this is the one place that ends the process,
// so that SSH connections or timers left open cannot keep it alive.
const code = await main(process.argv.slice(2));
// Writes to a pipe are asynchronous: exiting at once cut a long output (compare --json) at the
// pipe's 64 KiB. End once stdout and stderr have taken everything, or failed (a reader gone, EPIPE).
let open = 2;
const drained = () => --open === 0 && process.exit(code);
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', () => process.exit(code));
  stream.write('', drained);
}
