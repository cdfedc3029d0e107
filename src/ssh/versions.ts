/**
 * The versions a host's servers report, for the manifest: one remote command per host, and only
 * the programs present (a missing one is simply left out).
 */
import type { SshPool } from './pool.js';

/** program → command; nginx and keepalived print to stderr, hence 2>&1 */
const PROGRAMS: Record<string, string> = {
  haproxy: 'haproxy -v',
  nginx: 'nginx -v',
  apache2: 'apache2 -v',
  keepalived: 'keepalived --version',
  kernel: 'uname -r',
};

const SCRIPT = [
  // non-root users often lack the sbin folders where these live
  'PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin"',
  ...Object.entries(PROGRAMS).map(
    ([name, cmd]) => `if command -v ${cmd.split(' ')[0]} >/dev/null 2>&1; then echo "@@ ${name}"; ${cmd} 2>&1 | head -n 5; fi`,
  ),
].join('\n');

/** The line that names the version: `Server version: Apache/2.4.57` rather than a warning before it. */
export function versionLine(lines: string[]): string | null {
  const clean = lines.map((l) => l.trim()).filter(Boolean);
  return clean.find((l) => /version/i.test(l)) ?? clean.find((l) => /^\S*\s?v?\d+\.\d+/.test(l)) ?? clean[0] ?? null;
}

export function parseVersions(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  let name: string | null = null;
  let lines: string[] = [];
  const flush = () => {
    const line = name && versionLine(lines);
    if (name && line) out[name] = line;
  };
  for (const line of stdout.split('\n')) {
    const m = /^@@ (\S+)$/.exec(line);
    if (m) {
      flush();
      name = m[1];
      lines = [];
    } else lines.push(line);
  }
  flush();
  return out;
}

/** Per host, program → version line. A host that cannot answer gets a warning, not an error. */
export async function serverVersions(
  pool: SshPool,
  timeoutMs?: number,
): Promise<{ servers: Record<string, Record<string, string>>; warnings: string[] }> {
  const servers: Record<string, Record<string, string>> = {};
  const warnings: string[] = [];
  await Promise.all(
    pool.names.map(async (name) => {
      try {
        servers[name] = parseVersions((await pool.exec(name, SCRIPT, { timeoutMs })).stdout);
      } catch (e) {
        warnings.push(`${name}: server versions not recorded: ${(e as Error).message}`);
      }
    }),
  );
  return { servers, warnings };
}
