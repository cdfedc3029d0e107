/**
 * The net engine's time-out sweeper ends with its run, also when every connection was refused
 * before the first request: a sweeper left running (an interval every 50 ms, for ever) would
 * spend CPU beside the next runs and keep lb-bench from exiting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLoad } from '../src/load/engine.js';
import { closedPort } from './helpers/http-server.js';

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('a run whose every connection is refused leaves no timer behind', async () => {
  const port = await closedPort();
  const before = timers();
  for (let i = 0; i < 3; i++) {
    const run = startLoad({ url: `http://127.0.0.1:${port}/`, requests: 20, connections: 20, timeoutMs: 2000, engine: 'net', workers: 0 });
    const outcome = await run.done;
    await run.closed;
    assert.equal(outcome.errors, 20, 'every request refused');
  }
  assert.equal(timers(), before, `timers before: ${before}, after: ${timers()} (${process.getActiveResourcesInfo().join(', ')})`);
});
