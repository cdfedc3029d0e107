/**
 * The load engine seam. One run of load is `requests` HTTP requests over `connections`
 * connections; an engine (engines/registry.ts) is given a share of it, opens its connections,
 * sends, and reports exact counts and a latency histogram through the engine-independent
 * accounting (accounting.ts). `startLoad` runs the share in this process (`workers: 0`) or splits
 * it over worker processes (workers/pool.ts) and merges their figures exactly. The seam's types:
 * engine-types.ts.
 */
import { DEFAULT_ENGINE } from './engines/names.js';
import { engineSubstituted } from './engines/registry.js';
import type { LoadRun, LoadRunOptions } from './engine-types.js';
import { startLocal } from './local.js';
import { startWorkers } from './workers/pool.js';

export function startLoad(opts: LoadRunOptions): LoadRun {
  // the URL as WHATWG URL writes it, for every engine and worker: autocannon prefixes `http://` to a
  // URL not starting with lower-case `http`, so `HTTP://host/` (a valid target) went to a host named `http`
  const o = { ...opts, url: new URL(opts.url).href, engine: opts.engine ?? DEFAULT_ENGINE };
  if (o.spawners?.length) return startWorkers(o, o.spawners.length, o.spawners);
  // lb-bench's own worker processes would run the real engine beside a test's substitute
  if (o.workers && engineSubstituted()) throw new Error('a substituted engine runs in this process only: give spawners that run it');
  return o.workers ? startWorkers(o, o.workers) : startLocal(o);
}
