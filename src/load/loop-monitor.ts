/**
 * How long the generator's event loop was blocked: a 1 ms timer that notes how late each tick
 * comes. A response that arrives while the loop is blocked is read only when the block ends, so its
 * latency grows by up to the block; the longest block bounds that error for every request. Lateness
 * up to one interval is the timers' own jitter (about 0.1 ms a tick) and is not counted as a block.
 */
import { performance } from 'node:perf_hooks';

export interface LoopBlocks {
  /** the longest single block, ms */
  max_ms: number;
  /** all blocks together, ms */
  total_ms: number;
}

const TICK_MS = 1;

/** Start watching; `stop()` returns the blocks seen since. */
export function watchLoop(): { stop(): LoopBlocks } {
  let last = performance.now();
  let max = 0;
  let total = 0;
  const note = (now: number) => {
    const late = now - last - TICK_MS;
    if (late > TICK_MS) {
      total += late;
      if (late > max) max = late;
    }
    last = now;
  };
  const timer = setInterval(() => note(performance.now()), TICK_MS);
  return {
    stop() {
      clearInterval(timer);
      note(performance.now()); // a block still going on when the window closed
      return { max_ms: max, total_ms: total };
    },
  };
}
