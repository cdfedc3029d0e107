/**
 * The Kubernetes starter on a real container engine that runs here: Podman. `init --kubernetes 2`
 * writes the manifests; `podman kube play` runs them (host networking, so that a container's
 * 127.0.0.1 is this machine's); the generators are reached with `podman exec -i`; the target is a
 * server on 127.0.0.1 that counts. Images cannot be pulled here, so the image is made from what the
 * machine has: a root filesystem holding this machine's node (and the libraries it links), sh,
 * sleep, and this checkout with its node_modules, imported with `podman import`.
 * Needs root and Debian's podman and runc (`apt-get install -y podman runc`); a failure, never a skip.
 * A minute or two.
 *
 *   npm run build && node --test dist/test-long/podman-generators.test.js
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { assertExactMerge, sum } from '../test/helpers/merge.js';
import { runCli } from '../test/helpers/cli.js';
import { loadScenarioYaml, workspace } from '../test/helpers/scenario.js';
import { startServer, type TestServer } from '../test/helpers/http-server.js';
import { endIdleWorkers } from '../src/load/workers/pool.js';

const ROOT = resolve(import.meta.dirname, '../..');
const IMAGE = `localhost/lb-bench-generator:test-${process.pid}`;
const sh = (program: string, args: string[]) => execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The shared libraries a program links, from ldd. */
function libraries(program: string): string[] {
  return [...sh('ldd', [program]).matchAll(/(\/\S+\.so[.\d]*)/g)].map((m) => m[1]!);
}

/** A root filesystem with node, sh, sleep and this checkout (lb-bench on PATH), as one image. */
function buildImage(): void {
  const stage = mkdtempSync(join(tmpdir(), 'lb-bench-rootfs-'));
  try {
    const programs = {
      '/usr/bin/node': process.execPath,
      '/bin/sh': sh('sh', ['-c', 'command -v dash']).trim(),
      '/bin/sleep': sh('sh', ['-c', 'command -v sleep']).trim(),
    };
    for (const [to, from] of Object.entries(programs)) {
      mkdirSync(dirname(join(stage, to)), { recursive: true });
      copyFileSync(from, join(stage, to));
      chmodSync(join(stage, to), 0o755);
      for (const lib of libraries(from)) {
        mkdirSync(dirname(join(stage, lib)), { recursive: true });
        copyFileSync(lib, join(stage, lib));
      }
    }
    mkdirSync(join(stage, 'usr/local/bin'), { recursive: true });
    mkdirSync(join(stage, 'tmp'), { mode: 0o1777 });
    mkdirSync(join(stage, 'etc'));
    writeFileSync(join(stage, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(stage, 'usr/local/bin/lb-bench'), '#!/bin/sh\nexec /usr/bin/node /opt/lb-bench/bin/lb-bench.js "$@"\n', {
      mode: 0o755,
    });
    // the checkout: its bin, build and dependencies, under /opt/lb-bench
    const tar = join(stage, '..', `${stage.split('/').at(-1)}.tar`);
    sh('tar', ['-C', stage, '-cf', tar, '.']);
    sh('tar', ['-C', ROOT, '--transform', 's,^,opt/lb-bench/,', '-rf', tar, 'package.json', 'bin', 'dist/src', 'node_modules']);
    sh('podman', ['import', '--change', 'ENV PATH=/usr/local/bin:/usr/bin:/bin', tar, IMAGE]);
    rmSync(tar, { force: true });
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

const ws = workspace();
let target: TestServer;
let manifests = '';

/** This machine's hard open-file limit. */
const hardFiles = () => /^Max open files\s+\S+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? '1024';

/**
 * Podman's settings for this test's podman commands only (CONTAINERS_CONF; nothing of the machine's
 * changes). crun refuses this machine's hybrid cgroups ("cgroups in hybrid mode not supported,
 * drop all controllers from cgroupv2"): runc runs them. Podman's default limits (nofile 1048576,
 * nproc 4194304) are above what this machine allows and may not be raised ("error setting rlimits
 * … operation not permitted"): the containers get the hard open-file limit, and 4096 processes.
 */
const containersConf = () =>
  `[containers]\ndefault_ulimits = ["nofile=${hardFiles()}:${hardFiles()}", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\n`;

before(async () => {
  target = await startServer('ok');
  process.env.CONTAINERS_CONF = ws.write('containers.conf', containersConf());
});
after(async () => {
  await endIdleWorkers();
  if (manifests) spawnSync('podman', ['kube', 'down', manifests], { encoding: 'utf8' });
  spawnSync('podman', ['rmi', '--force', IMAGE], { encoding: 'utf8' });
  await target?.close();
  ws.remove();
});

it(
  'podman kube play of init --kubernetes 2; two workers by podman exec -i; the server counted every request',
  { timeout: 15 * 60_000 },
  async () => {
    assert.equal(process.getuid?.(), 0, 'podman here runs as root');
    assert.equal(spawnSync('podman', ['--version']).status, 0, 'podman is installed (apt-get install -y podman runc)');
    let t = Date.now();
    buildImage();
    console.log(`image ${IMAGE} built in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    const dir = join(ws.dir, 'repo');
    const init = await runCli(['init', dir, '--kubernetes', '2', '--image', IMAGE]);
    assert.equal(init.code, 0, init.err.join('\n'));
    manifests = join(dir, 'kubernetes/generators.yaml');
    t = Date.now();
    const play = spawnSync('podman', ['kube', 'play', '--network', 'host', manifests], { encoding: 'utf8' });
    assert.equal(play.status, 0, `podman kube play: ${play.stderr}`);
    console.log(`podman kube play in ${((Date.now() - t) / 1000).toFixed(1)} s:\n${play.stdout.trim()}`);
    const containers = sh('podman', ['ps', '--format', '{{.Names}}'])
      .split('\n')
      .filter((n) => /^lb-bench-gen-\d+-pod-0-generator$/.test(n))
      .sort();
    const all = sh('podman', ['ps', '--all', '--format', '{{.Names}} {{.Status}}']);
    const logs = all
      .split('\n')
      .filter((l) => l.includes('generator'))
      .map((l) => `${l}: ${spawnSync('podman', ['logs', l.split(' ')[0]!], { encoding: 'utf8' }).stderr}`);
    assert.deepEqual(
      containers,
      ['lb-bench-gen-1-pod-0-generator', 'lb-bench-gen-2-pod-0-generator'],
      `one container per generator, running:\n${all}\n${logs.join('\n')}`,
    );

    const inventory = ws.write(
      'podman-inventory.yaml',
      'hosts:\n' +
        containers.map((c, i) => `  gen${i + 1}:\n    transport: { command: [podman, exec, -i, ${c}, lb-bench, worker] }\n`).join(''),
    );
    const file = ws.write(
      'podman.yaml',
      loadScenarioYaml(target.url, {
        levels: [500, 2001],
        repetitions: 2,
        name: 'podman',
        inventory,
        load: '  generators: [gen1, gen2]\n',
      }),
    );
    const before = target.received;
    const r = await runCli(['run', file, '--out', ws.results]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const samples = ws.samples(r.last);
    assert.equal(samples.length, 4);
    for (const s of samples) {
      assertExactMerge(s, ['gen1', 'gen2']);
      assert.ok(Number.isFinite(s.start_skew_ms) && s.start_skew_ms >= 0);
      console.log(
        `level ${s.level} rep ${s.repetition}: ${s.rps} req/s, start skew ${s.start_skew_ms} ms (go round trips ${s.workers.map((w: { go_round_trip_ms: number }) => w.go_round_trip_ms).join(', ')} ms)`,
      );
    }
    await target.idle();
    const requested = sum(samples.map((s: { requested: number }) => s.requested));
    const warmup: number = ws.manifest(r.last).warmup?.requested ?? 0;
    assert.equal(
      target.received - before,
      requested + 1 + warmup,
      "the server's count: every request, the one before the first run, the warm-up",
    );
    console.log(`server counted ${target.received - before} = ${requested} requested + 1 reachability check + ${warmup} warm-up`);
  },
);
