/**
 * load.timeout per level and as a multiple of the expected window: the schema's forms and their
 * problems, which timeout a level gets, and a real run in which the level's own timeout decides
 * whether slow answers are timeouts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { timeoutAt, firstTimeout, slowestRps } from '../src/kinds/load/timeout.js';
import { loadSchema } from '../src/kinds/load/scenario.js';
import { checkSchema } from '../src/util/issues.js';
import { runCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace, type Workspace } from './helpers/scenario.js';

const check = (timeout: unknown) => checkSchema(loadSchema, { levels: [1000], timeout }, { prefix: ['load'] });
const timeoutOf = (timeout: unknown) => {
  const r = check(timeout);
  assert.ok(r.ok, JSON.stringify(r));
  return r.value.timeout;
};
const problems = (timeout: unknown) => {
  const r = check(timeout);
  assert.ok(!r.ok, `${JSON.stringify(timeout)} was accepted`);
  return r.problems;
};

describe('load.timeout: the forms', () => {
  it('a duration, as before; 10 s when absent', () => {
    assert.equal(timeoutOf('2.5s'), 2500);
    assert.equal(timeoutOf(undefined), 10_000);
  });

  it('durations per level, in ms', () => {
    assert.deepEqual(timeoutOf({ 1000: '10s', 10000: '30s' }), { 1000: 10_000, 10000: 30_000 });
  });

  it('a multiple of the expected window, with min 10 s and max 5 min unless given', () => {
    assert.deepEqual(timeoutOf({ window: 3 }), { window: 3, min: 10_000, max: 300_000 });
    assert.deepEqual(timeoutOf({ window: 1.5, min: '2s', max: '1m' }), { window: 1.5, min: 2000, max: 60_000 });
  });

  it('each problem on its own line, naming the field', () => {
    assert.deepEqual(problems('0s'), ['load.timeout: must be longer than 0, got "0s"']);
    assert.deepEqual(problems([10]), [
      'load.timeout: must be a duration (10s), durations per level ({ 1000: 10s, 10000: 30s }) or { window: 3 }, got [10]',
    ]);
    assert.deepEqual(problems({ 1000: '10s', ten: '1s', 5000: 'soon' }), [
      'load.timeout.5000: must be a duration such as 10s, 500ms or 2m, got "soon"',
      'load.timeout.ten: must be a level (a request count), e.g. { 1000: 10s, 10000: 30s }, or { window: N }, got "1s"',
    ]);
    assert.deepEqual(problems({}), ['load.timeout: must name at least one level, e.g. { 1000: 10s, 10000: 30s }, got {}']);
    assert.deepEqual(problems({ window: 0, min: '2h', extra: 1 }), [
      'load.timeout.extra: unknown field; the window form has `window`, `min` and `max`, got 1',
      'load.timeout.window: must be a number above 0 and at most 100 (times the expected window), got 0',
      'load.timeout.min: must be at most 1h, got "2h"',
    ]);
    assert.deepEqual(problems({ window: 2, min: '20s', max: '10s' }), ['load.timeout.max: must not be below min (20000 ms), got "10s"']);
  });
});

describe('load.timeout: the timeout of a level', () => {
  it('per level: the largest level named at or below it; below the smallest, the smallest', () => {
    const t = { 1000: 10_000, 10000: 30_000 };
    assert.equal(timeoutAt(t, 500, null), 10_000);
    assert.equal(timeoutAt(t, 1000, null), 10_000);
    assert.equal(timeoutAt(t, 9999, null), 10_000);
    assert.equal(timeoutAt(t, 10000, null), 30_000);
    assert.equal(timeoutAt(t, 50000, null), 30_000);
    assert.equal(firstTimeout(t), 30_000);
  });

  it('window: window × level ÷ the slowest run so far, within min and max; min before any run', () => {
    const t = { window: 3, min: 10_000, max: 300_000 };
    assert.equal(timeoutAt(t, 10000, null), 10_000);
    // 10000 requests at 1000 req/s: a 10 s window, three of them
    assert.equal(timeoutAt(t, 10000, 1000), 30_000);
    assert.equal(timeoutAt(t, 1000, 1000), 10_000, 'never below min');
    assert.equal(timeoutAt(t, 10000, 10), 300_000, 'never above max');
    assert.equal(slowestRps([{ rps: 1200 }, { rps: 0 }, { rps: 900 }]), 900, 'a run that completed nothing says nothing of the rate');
    assert.equal(slowestRps([{ rps: 0 }]), null);
    assert.equal(firstTimeout(t), 10_000);
  });

  it("a fixed timeout is every level's", () => {
    assert.equal(timeoutAt(7000, 123, 5), 7000);
  });
});

describe('load.timeout per level, in a real run', () => {
  let server: TestServer;
  let ws: Workspace;
  before(async () => {
    // every answer 600 ms late: within one level's timeout, past the other's
    server = await startServer('ok', { delayMs: 600 });
    ws = workspace();
  });
  after(async () => {
    await server.close();
    ws.remove();
  });

  it("the level's own timeout decides whether slow answers are timeouts, and each run records it", async () => {
    const file = ws.write(
      'per-level.yaml',
      loadScenarioYaml(server.url, { levels: [4, 8], repetitions: 1, timeout: '{ 4: 150ms, 8: 20s }' }),
    );
    const r = await runCli(['run', file, '--out', ws.results]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const samples = ws.samples(r.last);
    const at = (level: number) => samples.find((s) => s.level === level);
    assert.equal(at(4).timeouts, 4, JSON.stringify(at(4)));
    assert.equal(at(4).completed, 0);
    assert.equal(at(4).timeout_ms, 150);
    assert.equal(at(8).completed, 8, JSON.stringify(at(8)));
    assert.equal(at(8).timeouts, 0);
    assert.equal(at(8).timeout_ms, 20_000);
    assert.deepEqual(ws.manifest(r.last).scenario.load.timeout, { 4: 150, 8: 20_000 });
  });
});
