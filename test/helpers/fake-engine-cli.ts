/**
 * `node fake-engine-cli.js SCRIPTS LOG ARGS…`: lb-bench as a user starts it (bin/lb-bench.js, its
 * exit and its signals), with the fake engine (fake-engine.ts) in place of every engine, each share
 * it is given appended to LOG. Used through fakeEngineCli().
 */
import { installInChild } from './fake-engine.js';

const [scripts, log] = process.argv.splice(2, 2);
installInChild(scripts!, log);
await import(new URL('../../../bin/lb-bench.js', import.meta.url).href);
