/** Debian's wrk as the reference generator: one run, its req/s parsed from its summary. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { findProgram } from './programs.js';

export interface WrkRun {
  rps: number;
  requests: number;
  seconds: number;
  socketErrors: number;
  non2xx: number;
  /** wrk's CPU time (user + system), ms; null where /proc is missing */
  cpuMs: number | null;
}

/**
 * CPU time of this process's reaped children (cutime + cstime of /proc/self/stat, in clock ticks
 * of 10 ms): wrk's, once it has exited, since it is the only child that exits during its run.
 */
export function childrenCpuMs(): number | null {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    // after "pid (comm) ", field 3 is index 0: cutime is field 16, cstime 17
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return null;
  }
}

export function wrkVersion(): string {
  return findProgram('wrk') ? 'wrk 4.x' : 'missing';
}

/** `wrk -t threads -c connections -d seconds URL`: keep-alive, many requests per connection. */
export function runWrk(url: string, o: { threads: number; connections: number; seconds: number }): Promise<WrkRun> {
  const bin = findProgram('wrk');
  if (!bin) return Promise.reject(new Error('wrk is not installed (scripts/setup.sh installs it)'));
  const args = ['-t', String(o.threads), '-c', String(o.connections), '-d', `${o.seconds}s`, '--timeout', '10s', url];
  const cpu0 = childrenCpuMs();
  return new Promise((resolve, reject) => {
    // bounded: wrk stops itself after -d; the timeout is a guard against a hung wrk
    execFile(bin, args, { timeout: (o.seconds + 20) * 1000, encoding: 'utf8' }, (err, stdout) => {
      if (err) return reject(new Error(`wrk failed: ${err.message}`));
      const num = (re: RegExp) => Number(stdout.match(re)?.[1] ?? NaN);
      const done = stdout.match(/(\d+) requests in ([\d.]+)(ms|s|m)/);
      const unit = done?.[3] === 'ms' ? 0.001 : done?.[3] === 'm' ? 60 : 1;
      const errs = stdout.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
      resolve({
        rps: num(/Requests\/sec:\s+([\d.]+)/),
        requests: Number(done?.[1] ?? NaN),
        seconds: Number(done?.[2] ?? NaN) * unit,
        socketErrors: errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
        non2xx: num(/Non-2xx or 3xx responses: (\d+)/) || 0,
        cpuMs: cpu0 === null ? null : childrenCpuMs()! - cpu0,
      });
    });
  });
}
