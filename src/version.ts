import { readFileSync } from 'node:fs';

function readJson(rel: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
  } catch {
    return null;
  }
}

/** The package version, read once from package.json (two levels above dist/src). */
export const VERSION: string = (() => {
  for (const rel of ['../../package.json', '../package.json']) {
    const pkg = readJson(rel);
    if (typeof pkg?.version === 'string') return pkg.version;
  }
  return '0.0.0';
})();

/**
 * The commit this build was made from: dist/src/build-info.json, written after tsc by
 * scripts/build-info.mjs when the build ran in a git checkout (null otherwise, e.g. a rebuild
 * from an unpacked tarball). `modified`: the checkout had uncommitted changes at build time.
 */
export interface BuildInfo {
  commit: string | null;
  modified: boolean;
}

export function buildInfo(): BuildInfo {
  const info = readJson('./build-info.json');
  const commit = typeof info?.commit === 'string' && /^[0-9a-f]{7,64}$/.test(info.commit) ? info.commit : null;
  return { commit, modified: commit !== null && info?.modified === true };
}

/** `lb-bench --version`: `lb-bench 0.1.0 (commit 0123456789ab, Node v20.20.2)`; the commit only when known. */
export function versionLine(info: BuildInfo = buildInfo(), node: string = process.version): string {
  const commit = info.commit ? `commit ${info.commit.slice(0, 12)}${info.modified ? ' with uncommitted changes' : ''}, ` : '';
  return `lb-bench ${VERSION} (${commit}Node ${node})`;
}
