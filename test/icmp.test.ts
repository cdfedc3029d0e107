/**
 * The ICMP probe's reading of ping: each line of `ping -D -O -n` (parsePingLine), and the
 * outcome of each request from those lines (PingAccount). The reply lines were recorded from
 * iputils 20221126 on this machine (`ping -D -O -n -i 0.2 -c 3 127.0.0.1`, and ::1); loopback
 * always answers, so the "no answer yet" and ICMP error lines are written in the formats iputils
 * prints them (ping_common.c, ping.c), with the -D timestamp in front.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePingLine, PingAccount, type PingLine } from '../src/kinds/failover/icmp.js';
import type { ProbeResult } from '../src/kinds/failover/probe.js';

const RECORDED = [
  'PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.',
  '[1795675894.375165] 64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.192 ms',
  '[1795675894.578680] 64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.038 ms',
  '[1795675894.782704] 64 bytes from 127.0.0.1: icmp_seq=3 ttl=64 time=0.040 ms',
  '',
  '--- 127.0.0.1 ping statistics ---',
  '3 packets transmitted, 3 received, 0% packet loss, time 408ms',
  'rtt min/avg/max/mdev = 0.038/0.090/0.192/0.072 ms',
  'PING ::1(::1) 56 data bytes',
  '[1795675894.785237] 64 bytes from ::1: icmp_seq=1 ttl=64 time=0.247 ms',
];

describe('parsePingLine', () => {
  test('recorded output: a reply per reply line, nothing for the header and the statistics', () => {
    const said = RECORDED.map(parsePingLine);
    assert.deepEqual(said.filter((x) => x === null).length, 6);
    assert.deepEqual(said[1], { kind: 'reply', at: Number('1795675894.375165') * 1000, seq: 1, rttMs: 0.192 });
    assert.deepEqual(said[3], { kind: 'reply', at: Number('1795675894.782704') * 1000, seq: 3, rttMs: 0.04 });
    assert.deepEqual(said[9], { kind: 'reply', at: Number('1795675894.785237') * 1000, seq: 1, rttMs: 0.247 });
  });

  test('a request still unanswered, an ICMP error, a late reply of a whole number of ms', () => {
    const ms = (stamp: string) => Number(stamp) * 1000;
    assert.deepEqual(parsePingLine('[1586021972.313402] no answer yet for icmp_seq=6'), {
      kind: 'no-answer',
      at: ms('1586021972.313402'),
      seq: 6,
    });
    assert.deepEqual(parsePingLine('[1586021973.341370] From 10.0.0.1 icmp_seq=7 Destination Host Unreachable'), {
      kind: 'error',
      at: ms('1586021973.341370'),
      seq: 7,
      reason: 'Destination Host Unreachable',
    });
    assert.deepEqual(parsePingLine('[1586021987.633862] 64 bytes from 10.0.0.2: icmp_seq=21 ttl=64 time=978 ms'), {
      kind: 'reply',
      at: ms('1586021987.633862'),
      seq: 21,
      rttMs: 978,
    });
    assert.equal(
      parsePingLine('64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.192 ms'),
      null,
      'without -D there is no send time: not a line of ours',
    );
  });
});

describe('PingAccount', () => {
  const account = (interval = 100, timeout = 500) => {
    const out: ProbeResult[] = [];
    return { a: new PingAccount({ interval, timeout }, (r) => out.push(r)), out };
  };
  const reply = (seq: number, at: number, rttMs: number): PingLine => ({ kind: 'reply', seq, at, rttMs });

  test('replies: sent at their timestamp less the round trip; one past the timeout is late', () => {
    const { a, out } = account();
    a.add(reply(1, 10_000.5, 0.5));
    a.add(reply(2, 10_700, 600));
    assert.deepEqual(out, [
      { type: 'icmp', seq: 1, sent_at: 10_000, ok: true, latency_ms: 0.5 },
      { type: 'icmp', seq: 2, sent_at: 10_100, ok: false, latency_ms: null, error: 'late' },
    ]);
    assert.equal(a.sent, 2);
  });

  test('no answer: it fails once its timeout has passed, and a reply after that does not count it twice', () => {
    const { a, out } = account();
    a.add(reply(1, 10_000, 1));
    a.add({ kind: 'no-answer', seq: 2, at: 10_200 }); // printed as request 3 goes out: request 2 went an interval earlier
    a.sweep(10_600);
    assert.equal(out.length, 1, 'within its timeout: no outcome yet');
    a.sweep(10_601);
    assert.deepEqual(out[1], { type: 'icmp', seq: 2, sent_at: 10_100, ok: false, latency_ms: null, error: 'timeout' });
    a.add(reply(2, 11_000, 900));
    assert.equal(out.length, 2);
  });

  test('requests ping never mentions (its slowdown) are placed between those it does, and time out', () => {
    const { a, out } = account();
    a.add(reply(1, 10_001, 1));
    a.add(reply(4, 10_301, 1)); // 2 and 3 went out between 10 000 and 10 300
    a.sweep(11_000);
    assert.deepEqual(
      out.map((r) => [r.seq, r.sent_at, r.ok, r.error]),
      [
        [1, 10_000, true, undefined],
        [4, 10_300, true, undefined],
        [2, 10_100, false, 'timeout'],
        [3, 10_200, false, 'timeout'],
      ],
    );
    assert.equal(a.sent, 4);
  });

  test('an ICMP error fails its request at once, at the send time already estimated', () => {
    const { a, out } = account();
    a.add(reply(1, 10_000, 0));
    a.add({ kind: 'no-answer', seq: 2, at: 10_200 });
    a.add({ kind: 'error', seq: 2, at: 10_300, reason: 'Destination Host Unreachable' });
    assert.deepEqual(out[1], { type: 'icmp', seq: 2, sent_at: 10_100, ok: false, latency_ms: null, error: 'Destination Host Unreachable' });
  });

  test('icmp_seq wraps after 65535: the count goes on', () => {
    const { a, out } = account();
    a.add(reply(65_535, 10_000, 0));
    a.add(reply(0, 10_100, 0));
    assert.deepEqual(
      out.map((r) => r.seq),
      [65_535, 65_536],
    );
  });

  test('stopped: requests still within their timeout are dropped, not failed', () => {
    const { a, out } = account();
    a.add({ kind: 'no-answer', seq: 1, at: 10_100 });
    a.clear();
    a.sweep(20_000);
    assert.deepEqual(out, []);
  });
});
