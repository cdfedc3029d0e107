/**
 * The guard before anything is sent into the benchmarking range (198.18.0.0/15): an address
 * written in another notation that the system resolves to the same IPv4 address is guarded too.
 * Only the guard runs here (it reads the routing table); nothing is sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardBenchAddress } from '../src/lab/guard.js';

// 198.18.7.7: in the range, not the lab's /24, and not attached to this machine
const NOTATIONS = [
  '198.18.7.7',
  '3323070215', // one number, as inet_aton and WHATWG URL read it
  '0xc6.0x12.7.7', // hex parts
  '0306.022.07.07', // octal parts
  '198.18.1799', // three parts: the last is 16 bits
  '198.18.7.7.', // a trailing dot
  '::ffff:198.18.7.7', // IPv4-mapped IPv6: the kernel sends it as IPv4
  '[::ffff:198.18.7.7]',
  '[::ffff:c612:707]', // what new URL('http://[::ffff:198.18.7.7]/').hostname gives
  '0:0:0:0:0:ffff:c612:0707',
];

test('every notation of an address in the benchmarking range is guarded (all but the dotted one passed)', async () => {
  for (const address of NOTATIONS) {
    await assert.rejects(
      guardBenchAddress(address, 'x.yaml: target'),
      (e: any) => {
        assert.equal(e.code, 3, `${address}: ${e.message}`);
        assert.match(
          e.message,
          /^x\.yaml: target: 198\.18\.7\.7 is in the benchmarking range 198\.18\.0\.0\/15 but not on a network attached to this machine/,
          address,
        );
        return true;
      },
      `${address} must be refused`,
    );
  }
});

test('addresses and names outside the range pass untouched', async () => {
  for (const address of ['127.0.0.1', '10.0.0.11', 'web1.example', '::1', '[::ffff:127.0.0.1]', '198.20.0.1', '2130706433']) {
    await guardBenchAddress(address, 'x');
  }
});
