/** Waiting on a condition instead of a fixed sleep: as long as it takes, and no longer, up to a bound. */

import { readdirSync, readFileSync } from 'node:fs';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Resolves with the first truthy value of `cond` (polled every `every` ms, default 10), or throws
 * naming `what` once `timeout` ms (default 10 s) have passed.
 */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  { timeout = 10_000, every = 10, what = 'the condition' }: { timeout?: number; every?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeout;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(every);
  }
}

/**
 * The names in a folder another process is writing, or none while it is not there. Not
 * `existsSync` then `readdirSync`: `run` makes its results folder to try that it can write there,
 * removes it again, and makes it for good later, so the folder can vanish between the two calls.
 * Hidden names (that probe's file) are left out.
 */
export function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith('.'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/**
 * The whole lines of a file another process appends to (a JSON line each), or none while it is not
 * there: what follows the last newline is a line still being written, and is left out.
 */
export function linesIn(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(0, -1).filter(Boolean);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
