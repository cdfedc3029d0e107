#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
import { main } from '../dist/src/cli/main.js';

// main() never exits by itself; this is the one place that ends the process,
// so that SSH connections or timers left open cannot keep it alive.
process.exit(await main(process.argv.slice(2)));
