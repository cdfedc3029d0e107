/** `lb-bench --version`: the version, the commit the build was made from (when known) and Node's version. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/cli.js';
import { buildInfo, versionLine, VERSION } from '../src/version.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

test('the version line names the commit only when it is known', () => {
  const commit = '0123456789abcdef0123456789abcdef01234567';
  assert.equal(versionLine({ commit, modified: false }, 'v20.1.0'), `lb-bench ${VERSION} (commit 0123456789ab, Node v20.1.0)`);
  assert.equal(
    versionLine({ commit, modified: true }, 'v20.1.0'),
    `lb-bench ${VERSION} (commit 0123456789ab with uncommitted changes, Node v20.1.0)`,
  );
  assert.equal(versionLine({ commit: null, modified: false }, 'v20.1.0'), `lb-bench ${VERSION} (Node v20.1.0)`);
});

test('--version prints the version, the commit of this build and Node', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.out.join('\n'), versionLine());
  assert.ok(r.out[0].startsWith(`lb-bench ${VERSION} (`) && r.out[0].endsWith(`Node ${process.version})`), r.out[0]);
  if (!existsSync(join(ROOT, '.git'))) return; // not a checkout: nothing to compare with
  // npm run build wrote it from this checkout (npm test builds first)
  const head = execFileSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  assert.equal(buildInfo().commit, head);
  assert.match(r.out[0], new RegExp(`\\(commit ${head.slice(0, 12)}[ ,]`));
});
