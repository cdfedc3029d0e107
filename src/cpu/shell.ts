/**
 * Sources that read their counters with one POSIX sh command over the host's SSH connection (the
 * persistent shell of src/ssh: no process is started per read). The wall clock, where a source
 * needs it, is read in the same command.
 */
import type { Counters, CpuReader, Shell } from './source.js';

/** Why a counter command failed, from what the host's shell said; the hint only where it fits. */
export function counterFailure(host: string, output: string): Error & { hint?: string } {
  const said = output.trim().split('\n').filter(Boolean).pop() ?? '(no output)';
  const [what, hint] = /no such file|can't cd|cannot access|not found/i.test(said)
    ? ['file missing', `check hosts.${host}.cgroup.path in the inventory (the cgroup's folder on that host), or use cpu: procstat`]
    : /permission denied|operation not permitted/i.test(said)
      ? ['permission denied', `log in as a user that may read it (hosts.${host}.ssh.user)`]
      : ['the counter command failed', undefined];
  return Object.assign(new Error(`${host}: ${what}: ${said}`), { hint });
}

/** A reader that runs `command` on the host and parses what it printed; `parse` throws saying what is wrong. */
export function commandReader(host: string, shell: Shell | null, command: string, parse: (stdout: string) => Counters): CpuReader {
  if (!shell) throw new Error(`${host}: its CPU source reads over SSH, but no SSH connection was opened to it`);
  return {
    connect: () => shell.host(host).connect(),
    get connected() {
      return shell.host(host).connected;
    },
    get setupTimeoutMs() {
      return shell.host(host).setupTimeoutMs;
    },
    async read(timeoutMs, reconnect) {
      const out = await shell.query(host, command, { timeoutMs, reconnect });
      if (out.code !== 0) throw counterFailure(host, out.stdout);
      try {
        return parse(out.stdout);
      } catch (e) {
        throw new Error(`${host}: ${(e as Error).message}`);
      }
    },
  };
}

/** The host's SSH address: what an SSH source sends to. */
export const sshAddress = (host: { name: string; address: string }) => [{ address: host.address, field: `hosts.${host.name}.address` }];

/** A path as one single-quoted sh word. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
