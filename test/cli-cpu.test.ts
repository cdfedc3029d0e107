/**
 * Backend CPU over a real sshd during a real scenario: figures in every run, cpu.jsonl written,
 * and when the sshd stops mid-scenario the load figures stay and that host's CPU is null.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';
import { inventoryYaml, requireSshd, skipUnlessSshd, startSshd, type TestSshd } from './helpers/sshd.js';
import { linesIn, waitFor } from './helpers/wait.js';

const ws = workspace();
let server: TestServer | undefined;
let sshd: TestSshd | undefined;
after(async () => {
  await server?.close();
  await sshd?.dispose();
  ws.remove();
});

test(
  'CPU is sampled in every run; an sshd stopped mid-scenario leaves the load figures and marks its CPU missing',
  skipUnlessSshd(),
  async () => {
    requireSshd();
    sshd = await startSshd();
    server = await startServer('ok', { delayMs: 200 });
    ws.write('inventory.yaml', inventoryYaml(sshd, 'box'));
    const file = ws.write(
      'cpu.yaml',
      loadScenarioYaml(server.url, {
        levels: [20],
        repetitions: 10,
        cooldown: '300ms',
        name: 'cpu',
        more: 'inventory: inventory.yaml\nbackends: [{ host: box, cpu: procstat }]',
      }),
    );
    const { exited, stdout, stderr } = spawnCli(['run', file, '--out', ws.results]);

    // two runs stored, eight to go (seconds of them): sshd stops mid-scenario
    const dir = await waitFor(() => ws.runFolders().find((d) => linesIn(join(d, 'samples.jsonl')).length >= 2), {
      timeout: 30_000,
      what: 'two stored runs',
    });
    await sshd.stop();
    assert.equal(await exited, 0, stderr());

    const samples = ws.samples(dir);
    assert.equal(samples.length, 10);
    const measured = samples.filter((s) => s.cpu.box.mean !== null);
    const missing = samples.filter((s) => s.cpu.box.mean === null);
    assert.ok(measured.length >= 2, 'the runs before the stop have CPU');
    assert.ok(missing.length >= 1, 'the runs after the stop have none');
    for (const s of measured) assert.ok(s.cpu.box.mean >= 0 && s.cpu.box.mean <= 100 && s.cpu.box.peak >= s.cpu.box.mean);
    for (const s of missing) {
      assert.equal(s.completed, 20, 'the load figures are kept');
      assert.ok(
        s.warnings.some((w: string) => w.includes('box')),
        'with a warning naming the host',
      );
    }
    assert.match(stderr(), /warning: .*box/);
    const cpuLines = readFileSync(join(dir, 'cpu.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(cpuLines.length >= 1 && cpuLines.every((r) => r.host === 'box' && typeof r.busy_pct === 'number'));
    const manifest = ws.manifest(dir);
    assert.match(manifest.servers.box.kernel, /\d+\.\d+/, 'the kernel version read over SSH');

    // no secret in any file of the run folder, nor in what was printed
    const key = readFileSync(sshd.identity, 'utf8');
    const secretLines = key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    const texts = [stdout(), stderr(), ...readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'))];
    for (const t of texts) for (const line of secretLines) assert.ok(!t.includes(line), 'private key material leaked');
  },
);
