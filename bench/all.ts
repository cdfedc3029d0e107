/**
 * `npm run bench`: the eight benchmarks one after another, each in its own process (so that one's
 * memory and sockets do not weigh on the next), then their tables under the machine they ran on.
 * `--json` prints one JSON document; `--tiny` passes on. Exit 1 only if a benchmark failed to run;
 * a missed target is a figure, not an error.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { benchArgs, formatResult, isMain, machine, table, type BenchResult } from './lib/result.js';
import { findProgram } from './lib/programs.js';

export const BENCHES = ['burst', 'headroom', 'overhead', 'report-scale', 'report-scenarios', 'probe-precision', 'scale', 'warmup'] as const;

function runOne(name: string, tiny: boolean): Promise<BenchResult | { bench: string; error: string }> {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), `${name}.js`);
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [file, '--json', ...(tiny ? ['--tiny'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => {
      if (code === 0) {
        try {
          return resolve(JSON.parse(out.trim().split('\n').at(-1)!) as BenchResult);
        } catch {}
      }
      resolve({ bench: name, error: (err.trim() || `exited with ${code}`).split('\n').at(-1)! });
    });
  });
}

async function main(): Promise<void> {
  const args = benchArgs();
  const m = { ...machine(), ...Object.fromEntries(['nginx', 'wrk', 'ab'].map((p) => [p, findProgram(p) ? 'installed' : 'missing'])) };
  const results: (BenchResult | { bench: string; error: string })[] = [];
  for (const name of BENCHES) {
    if (!args.json) process.stderr.write(`bench: ${name}…\n`);
    results.push(await runOne(name, args.tiny));
  }
  if (args.json) {
    process.stdout.write(JSON.stringify({ machine: m, results }, null, 2) + '\n');
  } else {
    process.stdout.write(`# lb-bench benchmarks${args.tiny ? ' (tiny)' : ''}\n\n`);
    process.stdout.write(
      table(
        ['machine', ''],
        Object.entries(m).map(([k, v]) => [k, String(v)]),
      ) + '\n\n',
    );
    for (const r of results) process.stdout.write('error' in r ? `## ${r.bench}\nfailed: ${r.error}\n\n` : formatResult(r) + '\n');
  }
  if (results.some((r) => 'error' in r)) process.exitCode = 1;
}

if (isMain(import.meta)) void main();
