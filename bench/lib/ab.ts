/**
 * ApacheBench (Debian's `ab`, in apache2-utils) as the independent C client of the burst: `ab -n N
 * -c N` opens N connections at once, without keep-alive (HTTP/1.0: the server closes each after
 * its answer), and writes each request as its connection is established. Its limits: at most
 * 20 000 concurrent connections, its own open-file limit, and times in whole milliseconds.
 */
import { execFile } from 'node:child_process';
import { findProgram } from './programs.js';
import { childrenCpuMs } from './wrk.js';

export interface AbRun {
  /** completed / time taken, ab's "Requests per second" */
  rps: number;
  complete: number;
  failed: number;
  non2xx: number;
  /** first connect to the last answer, s */
  seconds: number;
  /** median of "Processing": connection established to the answer's end (ab writes the request at once), ms */
  processingMedianMs: number;
  /** median of "Total": connect included, ms */
  totalMedianMs: number;
  /** ab's CPU time (user + system), ms; null where /proc is missing */
  cpuMs: number | null;
}

export function runAb(url: string, o: { requests: number; concurrency: number; timeoutS?: number }): Promise<AbRun> {
  const bin = findProgram('ab');
  if (!bin) return Promise.reject(new Error('ab is not installed (apache2-utils; scripts/setup.sh installs it)'));
  // -r: a failed receive is counted, not fatal; -q: no progress lines
  const args = ['-q', '-r', '-s', String(o.timeoutS ?? 30), '-n', String(o.requests), '-c', String(o.concurrency), url];
  const cpu0 = childrenCpuMs();
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 120_000, encoding: 'utf8', maxBuffer: 4 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`ab failed: ${(stderr || err.message).trim().split('\n').at(-1)}`));
      const num = (re: RegExp) => Number(stdout.match(re)?.[1] ?? NaN);
      const median = (row: string) => Number(stdout.match(new RegExp(`^${row}:\\s+\\d+\\s+\\d+\\s+[\\d.]+\\s+(\\d+)`, 'm'))?.[1] ?? NaN);
      resolve({
        rps: num(/Requests per second:\s+([\d.]+)/),
        complete: num(/Complete requests:\s+(\d+)/),
        failed: num(/Failed requests:\s+(\d+)/),
        non2xx: num(/Non-2xx responses:\s+(\d+)/) || 0,
        seconds: num(/Time taken for tests:\s+([\d.]+)/),
        processingMedianMs: median('Processing'),
        totalMedianMs: median('Total'),
        cpuMs: cpu0 === null ? null : childrenCpuMs()! - cpu0,
      });
    });
  });
}
