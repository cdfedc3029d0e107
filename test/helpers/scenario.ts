/** Scenario files written into a temporary folder, as a user would write them. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namesIn } from './wait.js';

export interface Workspace {
  dir: string;
  results: string;
  write(name: string, text: string): string;
  /** the run folders under `under` (default: results), none while it is not there */
  runFolders(under?: string): string[];
  samples(runDir: string): any[];
  manifest(runDir: string): any;
  remove(): void;
}

export function workspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'lb-bench-test-'));
  const results = join(dir, 'results');
  return {
    dir,
    results,
    write(name, text) {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    },
    runFolders(under = results) {
      return namesIn(under).map((n) => join(under, n));
    },
    samples(runDir) {
      return readFileSync(join(runDir, 'samples.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    },
    manifest(runDir) {
      return JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function loadScenarioYaml(
  target: string,
  extra: {
    levels?: number[];
    repetitions?: number;
    cooldown?: string;
    timeout?: string;
    more?: string;
    name?: string;
    /** more keys of `load:`, each line indented by two (`  workers: 2\n`) */
    load?: string;
    /** the inventory file (`inventory:`) */
    inventory?: string;
  } = {},
): string {
  return [
    `name: ${extra.name ?? 'local-test'}`,
    'kind: load',
    `target: ${target}`,
    `load:\n${extra.load ?? ''}`.replace(/\n$/, ''),
    `  levels: [${(extra.levels ?? [20, 40]).join(', ')}]`,
    '  concurrency: all',
    `  repetitions: ${extra.repetitions ?? 2}`,
    `  timeout: ${extra.timeout ?? '2s'}`,
    `  cooldown: ${extra.cooldown ?? '0ms'}`,
    (extra.inventory ? `inventory: ${extra.inventory}\n` : '') + (extra.more ?? ''),
  ].join('\n');
}
