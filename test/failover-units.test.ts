/** The pure parts of failover: downtime and availability on literal timelines, the scenario schema's errors, and the probe schedule. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { availability, outages, phaseDowntime, stable } from '../src/kinds/failover/downtime.js';
import { startProber, type ProbeResult } from '../src/kinds/failover/probes.js';
import { resolveScenarioText } from '../src/kinds/scenario-file.js';
import { sleep } from './helpers/wait.js';

const line = (spec: string, step = 10) => [...spec].map((c, i) => ({ t: i * step, ok: c === '+' }));

describe('downtime', () => {
  it('runs from the last success before the outage to the first after it', () => {
    const pts = line('+++---++++'); // successes at 0..20, failures 30..50, back at 60
    assert.deepEqual(outages(pts), [{ from: 20, to: 60, failures: 3, ended: true }]);
    assert.equal(phaseDowntime(pts, 25).downtime_ms, 40);
  });
  it('counts answers that come back and drop again as one outage ("return and stay")', () => {
    assert.equal(phaseDowntime(line('++--+--+++'), 15).downtime_ms, 60); // 10 → 70
  });
  it('is 0 without a failure, null when the answers never came back', () => {
    assert.equal(phaseDowntime(line('++++'), 0).downtime_ms, 0);
    assert.equal(phaseDowntime(line('++--'), 0).downtime_ms, null);
  });
  it('ignores failures outside the phase', () => {
    const pts = line('+-+++--++');
    assert.equal(phaseDowntime(pts, 30).downtime_ms, 30); // 40 → 70; the early blip is not this fault's
    assert.equal(phaseDowntime(pts, 0, 30).downtime_ms, 20);
  });
  it('gives availability by eq. 2.1 over the window', () => {
    const a = availability(line('++-++---++'));
    // outages: 10→30 (20 ms) and 40→80 (40 ms); window 90 ms → (90 − 60) / 90
    assert.equal(a.downtime_ms, 60);
    assert.ok(Math.abs(a.availability! - (30 / 90) * 100) < 1e-9);
  });
  it('calls a stream stable when every probe in the hold window answered', () => {
    const pts = line('--++++++++', 100);
    assert.equal(stable(pts, 1000, 500, 100), true); // window 400..900
    assert.equal(stable(pts, 600, 500, 100), false); // window 0..500 has failures
  });
});

describe('failover scenario schema', () => {
  const base = `name: f
kind: failover
target: http://127.0.0.1:8080/
probe: { type: http }
fault: { host: web, inject: "true" }
`;
  it('fills the defaults: 5 ms interval, 25 repetitions, one probe as a list', () => {
    const r = resolveScenarioText('f.yaml', base);
    assert.ok(r.ok);
    const s = r.value.scenario;
    assert.equal(s.kind, 'failover');
    if (s.kind !== 'failover') return;
    assert.deepEqual(s.probe, [{ type: 'http', interval: 5, timeout: 500 }]);
    assert.equal(s.repetitions, 25);
    assert.equal(s.fault.settle, 5000);
  });
  it('reports each problem with its field path', () => {
    const r = resolveScenarioText(
      'f.yaml',
      base.replace('{ type: http }', '[{ type: http }, { type: http, interval: 2x }]').replace('inject: "true"', 'lab: fire'),
    );
    assert.ok(!r.ok);
    assert.ok(
      r.problems.some((p) => /^probe\[1\]\.interval: must be a duration/.test(p)),
      r.problems.join('\n'),
    );
    assert.ok(
      r.problems.some((p) => /^fault\.lab: must be one of keepalived-crash/.test(p)),
      r.problems.join('\n'),
    );
  });
  it('rejects an unknown kind and a second probe of one type', () => {
    const bad = resolveScenarioText('f.yaml', base.replace('kind: failover', 'kind: chaos'));
    assert.ok(!bad.ok && bad.problems.some((p) => p.startsWith('kind:')), JSON.stringify(bad));
    const twice = resolveScenarioText('f.yaml', base.replace('{ type: http }', '[{ type: icmp }, { type: icmp }]'));
    assert.ok(!twice.ok && twice.problems.some((p) => p.startsWith('probe[1].type: a second icmp probe')), JSON.stringify(twice));
  });
  it('takes --repetitions at the top level of a failover scenario', () => {
    const r = resolveScenarioText('f.yaml', base, { repetitions: 3 });
    assert.ok(r.ok && r.value.scenario.kind === 'failover' && r.value.scenario.repetitions === 3);
  });
});

describe('the probe schedule', () => {
  it('after a stall of the event loop across the window’s end, sends every slot due within it, late (they were dropped)', async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as net.AddressInfo;
      const results: ProbeResult[] = [];
      const prober = startProber(
        { type: 'tcp', interval: 5, timeout: 1000 },
        { url: new URL(`http://127.0.0.1:${port}/`), host: '127.0.0.1', port },
        200,
        (r) => results.push(r),
      );
      // the event loop stalls for 400 ms from the first probe on: the window of 200 ms passes inside it
      const until = performance.now() + 400;
      while (performance.now() < until);
      await sleep(50);
      await prober.stop();
      // slots at 0, 5, …, 200 ms: 41, sent at once when the loop came back
      assert.equal(prober.sent, 41);
      assert.deepEqual(
        results.map((r) => r.seq).sort((a, b) => a - b),
        Array.from({ length: 41 }, (_, i) => i),
      );
      assert.ok(results.every((r) => r.ok));
      const first = results.find((r) => r.seq === 0)!.sent_at;
      const late = results.filter((r) => r.seq > 0).map((r) => r.sent_at - first);
      assert.ok(Math.min(...late) >= 390, `the late ones carry their real send time (${Math.min(...late)} ms after the first)`);
    } finally {
      server.close();
    }
  });
});
