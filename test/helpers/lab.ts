/**
 * Whether the lab tests can run here, asked in one place. Where they cannot, a file's lab tests are
 * replaced by one test that says why: skipped on a developer's machine, a failure under CI=true
 * (a CI job that skipped the lab would pass without testing it).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { missingPrograms } from '../../src/lab/system.js';

/** Why the lab cannot run on this machine, or null: Linux, root, and the programs it starts. */
function labUnavailable(): string | null {
  if (process.platform !== 'linux') return `the lab needs Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'the lab needs root (run the tests as root)';
  const missing = missingPrograms();
  if (missing.length) return `missing ${missing.join(', ')} (run \`lb-bench lab install\`)`;
  return null;
}

/**
 * `define` the lab tests named `what` when the lab can run here; otherwise one test saying why
 * they cannot, skipped — except under CI=true, where it fails.
 */
export function labTests(what: string, define: () => void): void {
  const whyNot = labUnavailable();
  if (!whyNot) return define();
  it(`${what} cannot run: ${whyNot}`, { skip: process.env.CI === 'true' ? false : whyNot }, () => {
    assert.fail(`CI=true and the ${what} cannot run: ${whyNot}`);
  });
}

/** Fails the test when the lab cannot run here: under CI=true, and in test-long/ (run only when asked: a failure, never a skip). */
export function requireLab(): void {
  assert.equal(labUnavailable(), null, 'the lab cannot run here');
}
