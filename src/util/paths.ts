/**
 * Names that become file names. A name read from a run folder or a file is data: it must be one
 * path segment, and the path made from it must stay inside the folder it was meant for.
 */
import { isAbsolute, join, relative, resolve } from 'node:path';

/** DIR/NAME, or null when NAME would leave DIR (a `/`, `..`, an absolute path) or is empty. */
export function childPath(dir: string, name: string): string | null {
  if (!name || name === '.' || name === '..' || /[/\\\0]/.test(name)) return null;
  const path = join(dir, name);
  const rel = relative(resolve(dir), resolve(path));
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? path : null;
}

/** A path as a user types it next: relative below the working folder, absolute elsewhere. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : resolve(path);
}
