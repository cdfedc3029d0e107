/** compare on failover runs: downtime and availability per probe type, gated like load metrics. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RunWriter } from '../src/results/store.js';
import type { FailoverSample } from '../src/kinds/failover/sample.js';
import type { Manifest } from '../src/results/types.js';
import { resolveScenarioText } from '../src/kinds/scenario-file.js';
import { newManifest } from '../src/results/manifest.js';
import { runCli } from './helpers/cli.js';
import { workspace } from './helpers/scenario.js';

const ws = workspace();
after(() => ws.remove());

const SCENARIO = `name: fo
kind: failover
target: http://127.0.0.1:9/
probe: [{ type: http, interval: 5ms }]
fault: { host: lb1, inject: "true", recover: "true" }
repetitions: 5
`;

function failoverRun(dir: string, downtimes: number[], startedAt: string): string {
  const resolved = resolveScenarioText('fo.yaml', SCENARIO);
  assert.ok(resolved.ok);
  const manifest = { ...newManifest(resolved.value as never, downtimes.length), started_at: startedAt } as Omit<Manifest, 'id'>;
  const w = RunWriter.create(dir, manifest);
  downtimes.forEach((d, i) => {
    const sample: FailoverSample = {
      repetition: i + 1,
      started_at: startedAt,
      ended_at: startedAt,
      injected_at: startedAt,
      recovered_at: startedAt,
      downtime_ms: { http: d },
      failback_downtime_ms: { http: 0 },
      availability: { http: (10_000 / (10_000 + d)) * 100 },
      window_ms: 10_000 + d,
      probes: { http: { sent: 2000, ok: 1900 } },
      recovered: true,
      failed_back: true,
    };
    w.appendSample(sample as never);
  });
  w.update({ status: 'complete', ended_at: startedAt });
  w.close();
  return w.dir;
}

test('two failover runs: downtime worse, availability worse, and the gate fails', async () => {
  const a = failoverRun(join(ws.dir, 'a'), [600, 610, 620, 615, 605], '2026-01-01T00:00:00.000Z');
  const b = failoverRun(join(ws.dir, 'b'), [3000, 3100, 2900, 3050, 2950], '2026-01-02T00:00:00.000Z');
  const r = await runCli(['compare', a, b, '--json']);
  assert.equal(r.code, 0, r.err.join('\n'));
  const rows = JSON.parse(r.out.join('\n')).comparisons.flatMap((c: any) => c.rows);
  const downtime = rows.find((x: any) => x.metric === 'downtime_ms.http');
  const availability = rows.find((x: any) => x.metric === 'availability.http');
  assert.ok(downtime && availability, JSON.stringify(rows).slice(0, 300));
  // 5 against 5 with no overlap: the exact two-sided Mann-Whitney p is 2/252 = 0.0079
  assert.ok(Math.abs(downtime.p - 2 / 252) < 1e-6);
  assert.equal(downtime.verdict, 'worse');
  assert.equal(availability.verdict, 'worse');
  const gate = await runCli(['compare', a, b, '--fail-on-regression', '10']);
  assert.equal(gate.code, 1);
  assert.match(gate.err.join('\n'), /downtime_ms\.http/);
});
