/** Waiting on a condition instead of a fixed sleep: as long as it takes, and no longer, up to a bound. */

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
