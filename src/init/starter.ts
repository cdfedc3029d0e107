/**
 * What `lb-bench init` writes into a user's repository: the templates shipped in templates/init
 * (with this version filled in, so the workflow runs the lb-bench the files were written for), the
 * example server, and the scenarios' JSON Schema.
 */
import { readFileSync } from 'node:fs';
import { envError } from '../errors.js';
import { packagePath } from '../package-files.js';
import { jsonSchema } from '../kinds/json-schema.js';
import { VERSION } from '../version.js';

export interface StarterFile {
  /** relative to the folder init writes into */
  path: string;
  content: string;
}

/** shipped file (relative to the package) → where it goes (relative to the user's folder) */
const SHIPPED: readonly (readonly [string, string])[] = [
  ['templates/init/scenarios/staging.yaml', 'scenarios/staging.yaml'],
  ['templates/init/scenarios/staging-failover.yaml', 'scenarios/staging-failover.yaml'],
  ['templates/init/scenarios/examples/local.yaml', 'scenarios/examples/local.yaml'],
  ['scenarios/examples/server.mjs', 'scenarios/examples/server.mjs'],
  ['templates/init/inventory.yaml', 'inventory.yaml'],
  ['templates/init/known_hosts', 'known_hosts'],
  ['templates/init/lb-bench.yml', '.github/workflows/lb-bench.yml'],
];

function shipped(rel: string): string {
  const file = packagePath(rel);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw envError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code}); it ships with lb-bench`, 'reinstall lb-bench');
  }
}

export function starterFiles(version: string = VERSION): StarterFile[] {
  const files = SHIPPED.map(([from, to]) => ({ path: to, content: shipped(from).replaceAll('{{version}}', version) }));
  // in the user's folder rather than a path into this installation: the repository is shared, and
  // npx leaves no stable install path; the schema stays with the lb-bench version the workflow pins
  files.push({ path: 'scenario.schema.json', content: JSON.stringify(jsonSchema(), null, 2) + '\n' });
  return files;
}
