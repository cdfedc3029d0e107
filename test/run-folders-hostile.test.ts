/**
 * Run folders damaged in ways a careless user or a hostile copy leaves them (issue 15, part 3):
 * samples.jsonl that is a folder or too large to read, a manifest.json that is another file, files
 * that are links out of the folder. Each is exit 2 naming the file, never exit 70; an error never
 * quotes another file; a resume never writes through a link.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliResult } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';

const ws = workspace();
let server: TestServer;
after(async () => {
  await server?.close();
  ws.remove();
});

const text = (r: CliResult) => [...r.out, ...r.err].join('\n');

/** A finished run of 2 × 2 in its own results folder, made by the real CLI. */
async function finishedRun(name: string): Promise<{ file: string; results: string; dir: string }> {
  server ??= await startServer('ok');
  const file = ws.write(`${name}.yaml`, loadScenarioYaml(server.url, { levels: [5, 6], repetitions: 2, name }));
  const results = join(ws.dir, `results-${name}`);
  const r = await runCli(['run', file, '--out', results]);
  assert.equal(r.code, 0, text(r));
  return { file, results, dir: join(results, readdirSync(results)[0]) };
}

test('samples.jsonl that is a folder: exit 2 naming it (exit 70 before); among other runs it is left out', async () => {
  const { file, results, dir } = await finishedRun('folder');
  const samples = join(dir, 'samples.jsonl');
  rmSync(samples);
  mkdirSync(samples);
  for (const args of [
    ['report', dir, '--out', join(ws.dir, 'rep-folder')],
    ['compare', dir, dir],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args[0]}: ${text(r)}`);
    assert.equal(r.err[0], `lb-bench: ${samples}: cannot read it (a folder, not a file)`);
  }
  const resume = await runCli(['run', file, '--resume', dir, '--out', results]);
  assert.equal(resume.code, 2, text(resume));
  assert.match(resume.err[0], /samples\.jsonl: not a plain file/);
  const good = await finishedRun('folder-good');
  rmSync(join(good.results, 'bad'), { recursive: true, force: true });
  mkdirSync(join(good.results, 'bad'));
  writeFileSync(join(good.results, 'bad', 'manifest.json'), readFileSync(join(dir, 'manifest.json')));
  mkdirSync(join(good.results, 'bad', 'samples.jsonl'));
  const r = await runCli(['report', '--results', good.results, '--out', join(ws.dir, 'rep-mixed')]);
  assert.equal(r.code, 0, text(r));
  assert.ok(
    r.err.includes(
      `warning: ${join(good.results, 'bad', 'samples.jsonl')}: cannot read it (a folder, not a file); that run folder is left out`,
    ),
    text(r),
  );
});

test('samples.jsonl larger than a string can hold is refused before it is read (exit 70 before)', async () => {
  const { dir } = await finishedRun('huge');
  const samples = join(dir, 'samples.jsonl');
  const fd = openSync(samples, 'r+');
  ftruncateSync(fd, 600 * 1024 * 1024); // sparse: no disk, and never read
  closeSync(fd);
  const r = await runCli(['report', dir, '--out', join(ws.dir, 'rep-huge')]);
  assert.equal(r.code, 2, text(r));
  assert.equal(r.err[0], `lb-bench: ${samples}: too large to read (600.0 MiB; at most 512 MiB)`);
});

test('a manifest.json that is not JSON is named, its contents are not quoted (the JSON error quoted its first bytes)', async () => {
  const { dir } = await finishedRun('shadow');
  const manifest = join(dir, 'manifest.json');
  writeFileSync(manifest, 'root:$y$j9T$SECRETHASH:19000:0:99999:7:::\n');
  const r = await runCli(['report', dir, '--out', join(ws.dir, 'rep-shadow')]);
  assert.equal(r.code, 2, text(r));
  assert.match(r.err[0], new RegExp(`^lb-bench: ${manifest}: not valid JSON`));
  assert.ok(!/root|SECRET/.test(text(r)), text(r));
});

test('a resume never writes through a link: samples.jsonl pointing elsewhere is exit 2, nothing sent; a stale manifest.json.tmp link is replaced', async () => {
  const { file, results, dir } = await finishedRun('links');
  // an interrupted run: the last pair is missing, so a resume would append
  const samples = join(dir, 'samples.jsonl');
  const kept = readFileSync(samples, 'utf8').split('\n').filter(Boolean);
  const victim = ws.write('victim.txt', `${kept.slice(0, 3).join('\n')}\nsomeone else's last line, no newline`);
  const before = readFileSync(victim, 'utf8');
  rmSync(samples);
  symlinkSync(victim, samples);
  const sent = server.received;
  let r = await runCli(['run', file, '--resume', dir, '--out', results]);
  assert.equal(r.code, 2, text(r));
  assert.equal(
    r.err[0],
    `lb-bench: ${samples}: not a plain file (a link, a folder or a device); a resume writes only plain files of the run folder`,
  );
  assert.equal(readFileSync(victim, 'utf8'), before, "the link's target is untouched (its last line was cut, then samples appended)");
  assert.equal(server.received, sent, 'nothing sent');

  // the manifest's temporary file, left as a link: replaced, never written through
  rmSync(samples);
  writeFileSync(samples, kept.slice(0, 3).join('\n') + '\n');
  symlinkSync(victim, join(dir, 'manifest.json.tmp'));
  r = await runCli(['run', file, '--resume', dir, '--out', results]);
  assert.equal(r.code, 0, text(r));
  assert.equal(readFileSync(victim, 'utf8'), before, "the manifest was written into the link's target before");
  assert.equal(readFileSync(samples, 'utf8').split('\n').filter(Boolean).length, 4);
});
