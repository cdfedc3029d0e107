/** The whole CLI in-process, with what it printed collected: k6's way of testing commands. */
import { main } from '../../src/cli/main.js';

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
