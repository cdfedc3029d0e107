/** A full disk: one clear line, exit 3, and every run already written stays readable. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';

const ws = workspace();
const mnt = join(ws.dir, 'small-disk');
let server: TestServer | undefined;
let mounted = false;
after(async () => {
  if (mounted) execFileSync('umount', [mnt]);
  await server?.close();
  ws.remove();
});

const why = process.platform !== 'linux' ? 'needs Linux (tmpfs)' : process.getuid?.() !== 0 ? 'needs root to mount a small tmpfs' : null;

test(
  'results on a disk that fills up mid-scenario: exit 3 naming the disk, finished runs kept',
  { skip: why && process.env.CI !== 'true' ? why : false },
  async () => {
    assert.equal(why, null, `cannot run under CI=true: ${why}`);
    mkdirSync(mnt);
    // 12 KiB: room for the manifest and a few samples, not for 40 runs
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12k', 'tmpfs', mnt]);
    mounted = true;
    server = await startServer('ok');
    const file = ws.write('full.yaml', loadScenarioYaml(server.url, { levels: [5], repetitions: 40, name: 'full' }));
    const r = await runCli(['run', file, '--out', mnt]);
    assert.equal(r.code, 3, r.err.join('\n'));
    assert.match(r.err.join('\n'), /the disk is full; finished runs are kept/);
    assert.equal(r.err.filter((l) => l.startsWith('lb-bench:')).length, 1);
    const [dir] = readdirSync(mnt).map((n) => join(mnt, n));
    const lines = readFileSync(join(dir, 'samples.jsonl'), 'utf8').split('\n').filter(Boolean);
    assert.ok(lines.length >= 1 && lines.length < 40, `${lines.length} runs kept`);
    for (const l of lines) assert.equal(JSON.parse(l).completed, 5, 'every kept line is whole');
    rmSync(join(dir, 'samples.jsonl'));
  },
);
