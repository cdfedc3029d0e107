/**
 * The kernel's input-backlog drops (src/load/backlog-drops.ts): the dropped column of
 * /proc/net/softnet_stat summed over CPUs, and the run's warning when it grew during the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { backlogDrops, backlogWarning, parseSoftnetDrops, SOFTNET_STAT } from '../src/load/backlog-drops.js';

// two CPUs as Linux 6.x prints them: processed, dropped, time_squeeze, … (hexadecimal)
const TWO_CPUS = [
  '03ba9a4a 0001ac36 00000018 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000',
  '03b91e2e 0001880d 00000016 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000001',
  '',
].join('\n');

test('the dropped column, summed over the CPUs; nothing readable is null', () => {
  assert.equal(parseSoftnetDrops(TWO_CPUS), 0x1ac36 + 0x1880d);
  assert.equal(parseSoftnetDrops(''), null);
  assert.equal(parseSoftnetDrops('not a table\n'), null);
  assert.equal(backlogDrops('/nonexistent/softnet_stat'), null);
});

test(
  "this machine's counter is read as the kernel prints it",
  { skip: !existsSync(SOFTNET_STAT) && 'no /proc/net/softnet_stat here' },
  () => {
    const text = readFileSync(SOFTNET_STAT, 'utf8');
    const cpus = text.trim().split('\n');
    const byHand = cpus.reduce((s, l) => s + Number.parseInt(l.trim().split(/\s+/)[1]!, 16), 0);
    // the counter only grows: read after the file, it is at least the file's sum
    assert.ok(backlogDrops()! >= byHand);
  },
);

test('a warning only when packets were dropped during the run, naming how many', () => {
  assert.equal(backlogWarning(10, 10), null);
  assert.equal(backlogWarning(null, 12), null);
  assert.equal(backlogWarning(10, null), null);
  assert.match(
    backlogWarning(10, 4010)!,
    /^this machine's kernel dropped 4000 received packets during the run, its input backlog full \(net\.core\.netdev_max_backlog /,
  );
});
