/**
 * Run folders of every kind read back: results/store.ts reads a folder, the registry says which
 * kinds there are and how a folder of each is read.
 */
import { DEFAULT_RESULTS_DIR, listRunsOf, readRunOf, type FolderKinds } from '../results/store.js';
import { KIND_CHOICES, KINDS, kindNamed, type KindName, type StoredRun } from './registry.js';

const kinds: FolderKinds<KindName, StoredRun> = {
  named: kindNamed,
  choices: KIND_CHOICES,
  read: (kind, dir, file, base, scenario) => KINDS[kind].read(dir, file, base, scenario),
};

/** A run folder, checked: exit 2 naming the file and field when manifest.json or a sample is bad. */
export function readRun(dir: string): Promise<StoredRun> {
  return readRunOf(dir, kinds);
}

/** Every run folder under DIR, oldest first. A folder that cannot be read is left out with a warning. */
export function listRuns(resultsDir = DEFAULT_RESULTS_DIR): Promise<StoredRun[]> {
  return listRunsOf(resultsDir, readRun);
}
