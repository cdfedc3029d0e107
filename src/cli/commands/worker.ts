import { runWorker } from '../../load/workers/worker.js';

/**
 * `lb-bench worker`: serve the worker protocol on stdin and stdout until stdin ends. lb-bench
 * starts it over SSH on a generator host (`load.generators`); not a command for people.
 */
export default async function worker(): Promise<void> {
  await runWorker();
}
