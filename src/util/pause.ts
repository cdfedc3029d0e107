import { setTimeout as sleep } from 'node:timers/promises';

/** A pause that ends early, without an error, when the user interrupts. */
export function interruptible(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => {});
}
