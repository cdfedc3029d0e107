/** What every run over generator hosts must show, whatever carries the workers (SSH, a command, Podman). */
import assert from 'node:assert/strict';

export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * One stored sample of a run over `hosts` (one worker each): every request accounted for and
 * completed, a worker on each host, and the workers' counts and bytes adding up to the run's exactly.
 */
export function assertExactMerge(s: Record<string, any>, hosts: string[]): void {
  assert.equal(s.requested, s.level);
  assert.equal(s.requested, s.completed + s.errors + s.timeouts + s.non2xx, 'every request accounted for');
  assert.equal(s.completed, s.level);
  assert.deepEqual(s.workers.map((w: { host: string }) => w.host).sort(), hosts);
  for (const k of ['requested', 'completed', 'errors', 'timeouts', 'non2xx', 'bytes'])
    assert.equal(sum(s.workers.map((w: Record<string, number>) => w[k])), s[k], `the merge: ${k}`);
}
