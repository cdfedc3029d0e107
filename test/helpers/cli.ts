/**
 * The whole CLI in-process, with what it printed collected: k6's way of testing commands. Or as a
 * process of its own, where a test needs one: a signal, a lock held by another process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const BIN = fileURLToPath(new URL('../../../bin/lb-bench.js', import.meta.url));

export interface CliResult {
  code: number;
  out: string[];
  err: string[];
  /** stdout's last line: commands print their result (a folder path) last */
  last: string;
}

export async function runCli(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    out: (t) => out.push(...t.replace(/\n$/, '').split('\n')),
    err: (t) => err.push(...t.replace(/\n$/, '').split('\n')),
    interactive: false,
    debug: false,
  });
  return { code, out, err, last: out.at(-1) ?? '' };
}

/** A process of node: its exit code once it ended, and what it printed so far. */
export interface SpawnedCli {
  child: ChildProcess;
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

/** node with `argv` (a script and its arguments, e.g. fakeEngineCli's), stdout and stderr collected. */
export function spawnNode(argv: string[]): SpawnedCli {
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** `lb-bench ARGS` as a process of its own. */
export const spawnCli = (args: string[]): SpawnedCli => spawnNode([BIN, ...args]);
