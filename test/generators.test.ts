/**
 * Generator hosts (`load.generators`): the level's workers run on other hosts, started over SSH as
 * `lb-bench worker`, each with its own exact accounting. Here the hosts are real sshds on
 * 127.0.0.1 (a generator host needs nothing but SSH and lb-bench), the target a server that counts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { runCli } from './helpers/cli.js';
import { inventoryYaml, requireSshd, skipUnlessSshd, startSshd, type TestSshd } from './helpers/sshd.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { endIdleWorkers } from '../src/load/workers/pool.js';

const LB_BENCH = `${process.execPath} ${resolve(import.meta.dirname, '../../bin/lb-bench.js')}`;

describe('generator hosts over SSH', skipUnlessSshd(), () => {
  const ws = workspace();
  let gens: TestSshd[] = [];
  let target: TestServer;
  before(async () => {
    requireSshd();
    gens = await Promise.all([startSshd(), startSshd()]);
    target = await startServer('ok');
  });
  after(async () => {
    await endIdleWorkers();
    await target?.close();
    await Promise.all(gens.map((g) => g.dispose()));
    ws.remove();
  });

  const inventory = (lbBench = LB_BENCH) => {
    const [a, b] = gens as [TestSshd, TestSshd];
    const yaml = inventoryYaml(a, 'gen1') + inventoryYaml(b, 'gen2').replace('hosts:\n', '');
    return ws.write('inventory.yaml', yaml.replace(/(    ssh: .*\n)/g, `$1    lbBench: ${lbBench}\n`));
  };

  test('each generator runs its share; the merge is exact and the server counted every request', async () => {
    const inv = inventory();
    const file = ws.write(
      'gens.yaml',
      loadScenarioYaml(target.url, {
        levels: [200, 301],
        repetitions: 2,
        name: 'gens',
        inventory: inv,
        load: '  generators: [gen1, gen2]\n  workers: 2\n',
      }),
    );
    const before = target.received;
    const r = await runCli(['run', file, '--out', ws.results]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const samples = ws.samples(r.last);
    assert.equal(samples.length, 4);
    for (const s of samples) {
      assert.equal(s.requested, s.completed + s.errors + s.timeouts + s.non2xx, 'every request accounted for');
      assert.equal(s.completed, s.level);
      // two workers on each host, the level spread over the four with the remainder to the first
      assert.deepEqual(s.workers.map((w: { host: string }) => w.host).sort(), ['gen1', 'gen1', 'gen2', 'gen2']);
      const shares = s.workers.map((w: { requested: number }) => w.requested);
      assert.equal(
        shares.reduce((a: number, b: number) => a + b, 0),
        s.level,
      );
      assert.ok(Math.max(...shares) - Math.min(...shares) <= 1, `shares ${shares}`);
      for (const w of s.workers) assert.equal(w.requested, w.completed + w.errors + w.timeouts + w.non2xx);
    }
    await target.idle();
    const requested = samples.reduce((n: number, s: { requested: number }) => n + s.requested, 0);
    const m = ws.manifest(r.last);
    assert.equal(m.warmup.requested, 200, 'the warm-up: the smallest level');
    assert.equal(
      target.received - before,
      requested + 1 + 200,
      'the server saw every request, the one before the first run and the warm-up',
    );
    assert.deepEqual(m.generator.hosts, ['gen1', 'gen2']);
    assert.deepEqual(m.generator.workers_by_level, { 200: 4, 301: 4 });
  });

  test('a generator without lb-bench: exit 3 naming the worker, its host and what its shell said; no run stored', async () => {
    const inv = inventory('/nonexistent/lb-bench');
    const file = ws.write(
      'nolb.yaml',
      loadScenarioYaml(target.url, { levels: [20], repetitions: 1, name: 'nolb', inventory: inv, load: '  generators: [gen1, gen2]\n' }),
    );
    const r = await runCli(['run', file, '--out', ws.results]);
    assert.equal(r.code, 3, r.err.join('\n'));
    assert.match(
      r.err.join('\n'),
      /worker \d of 2 \(on gen[12]\) exited with code 127 before it started; its stderr: .*\/nonexistent\/lb-bench/,
    );
  });

  test('a generator that is not in the inventory: exit 2 naming the field', async () => {
    const inv = inventory();
    const file = ws.write(
      'nohost.yaml',
      loadScenarioYaml(target.url, { levels: [20], repetitions: 1, name: 'nohost', inventory: inv, load: '  generators: [gen1, gen9]\n' }),
    );
    const r = await runCli(['run', file, '--out', ws.results]);
    assert.equal(r.code, 2);
    assert.match(r.err[0]!, /nohost\.yaml: load\.generators\[1\]: no host "gen9" in .*inventory\.yaml \(it has: gen1, gen2\)/);
  });
});
