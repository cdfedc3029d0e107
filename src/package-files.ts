/**
 * Files that ship with lb-bench (lab.yaml, the thesis scenarios, the example server, the generated
 * JSON Schema), found beside the package, never in the working folder: an installed lb-bench runs
 * from the user's own folder. Compiled to dist/src/package-files.js, two levels below the root.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder that holds package.json: dist/src/package-files.js → ../.. */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../..');
}

export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}

/** Does `dir` hold every one of these scenario files (NAME.yaml)? */
export function holdsScenarios(dir: string, names: readonly string[]): boolean {
  return names.every((n) => existsSync(join(dir, `${n}.yaml`)));
}
