/** `node fake-engine-worker.js SCRIPTS`: a load worker (the real worker program) serving its shares with the fake engine. */
import { installInChild } from './fake-engine.js';
import { runWorker } from '../../src/load/workers/worker.js';

installInChild(process.argv[2]!, undefined);
await runWorker();
