#!/usr/bin/env node
// After tsc (npm run build): the files a build makes beside the compiled code, none of them in git.
// - dist/src/build-info.json: the commit the build was made from, for `lb-bench --version`; null
//   when this folder is not the top of a git checkout (e.g. a rebuild from an unpacked tarball)
// - scenario.schema.json: the JSON Schema of scenario files (`lb-bench schema`), named by the
//   shipped scenarios' `# yaml-language-server: $schema=../scenario.schema.json` line
import { execFileSync } from 'node:child_process';
import { realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function git(...args) {
  return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

function commit() {
  try {
    // only this project's own checkout: an unpacked package inside someone else's repository is not
    if (realpathSync(git('rev-parse', '--show-toplevel')) !== realpathSync(root)) return { commit: null, modified: false };
    return { commit: git('rev-parse', 'HEAD'), modified: git('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return { commit: null, modified: false }; // no git, or not a checkout
  }
}

writeFileSync(join(root, 'dist/src/build-info.json'), JSON.stringify(commit()) + '\n');
const { jsonSchema } = await import('../dist/src/kinds/json-schema.js');
writeFileSync(join(root, 'scenario.schema.json'), JSON.stringify(jsonSchema(), null, 2) + '\n');
