/**
 * Running system programs (ip, ssh-keygen, apt-get) and turning their failures into exit 3,
 * with the program's own words, since that is what the user can act on.
 */
import { execFile } from 'node:child_process';
import { envError } from '../errors.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell; never throws, so callers can test for "already exists". */
export function tryExec(file: string, args: string[], timeoutMs = 30_000): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      // a program that ran and failed has its exit code; one that could not start (ENOENT) a string code
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (err && !stderr ? err.message : '')) });
    });
  });
}

/** Runs a program and fails with exit 3 naming the command and its error output. */
export async function exec(file: string, args: string[], timeoutMs?: number): Promise<string> {
  const r = await tryExec(file, args, timeoutMs);
  if (r.code !== 0) {
    throw envError(`\`${[file, ...args].join(' ')}\` failed: ${r.stderr.trim().split('\n').pop() || `exit ${r.code}`}`);
  }
  return r.stdout;
}
