/** The worker program as lb-bench starts it on this machine: `node main.js` (process.ts). */
import { runWorker } from './worker.js';

await runWorker();
