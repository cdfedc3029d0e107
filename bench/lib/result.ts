/**
 * What every benchmark prints: a table of figures, each beside its target and verdict, or the same
 * as JSON (`--json`). Pure formatting here; the scripts measure.
 */
import { cpus, totalmem, release } from 'node:os';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';

export interface Figure {
  figure: string;
  value: number | string;
  unit?: string;
  /** e.g. "≥ 0.9" — absent for context figures */
  target?: string;
  /** null: no target, or not measurable here */
  met?: boolean | null;
}

export interface BenchResult {
  bench: string;
  title: string;
  tiny: boolean;
  figures: Figure[];
  /** how it was measured, what was compared, what stopped it */
  notes: string[];
  /** set when the benchmark could not run here at all (a missing program) */
  skipped?: string;
}

export interface BenchArgs {
  json: boolean;
  tiny: boolean;
  /** a target of the user's instead of the benchmark's own Nginx (the burst: the lab's VIP) */
  target?: string;
}

export function benchArgs(argv = process.argv.slice(2)): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, tiny: { type: 'boolean' }, target: { type: 'string' } },
    strict: false,
  });
  return {
    json: Boolean(values.json),
    tiny: Boolean(values.tiny),
    ...(typeof values.target === 'string' ? { target: values.target } : {}),
  };
}

export function machine(): Record<string, string | number> {
  const c = cpus();
  return {
    cpus: c.length,
    cpu_model: c[0]?.model.trim() ?? '?',
    memory_gb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
  };
}

export const round = (v: number, digits = 2) => (Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v);

function verdict(f: Figure): string {
  if (f.met === true) return 'met';
  if (f.met === false) return 'MISSED';
  return '';
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(headers), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

export function formatResult(r: BenchResult): string {
  const head = `## ${r.title}${r.tiny ? ' (tiny)' : ''}`;
  if (r.skipped) return `${head}\nskipped: ${r.skipped}\n`;
  const rows = r.figures.map((f) => [f.figure, `${f.value}${f.unit ? ` ${f.unit}` : ''}`, f.target ?? '', verdict(f)]);
  return [head, table(['figure', 'value', 'target', 'verdict'], rows), ...r.notes.map((n) => `- ${n}`), ''].join('\n');
}

/** Is this module the script node was started with (not imported)? */
export const isMain = (meta: ImportMeta) => Boolean(process.argv[1]) && meta.url === pathToFileURL(process.argv[1]!).href;

/** Run a benchmark as a script: print its table (or JSON), exit 1 if it threw. */
export function runAsScript(meta: ImportMeta, bench: (a: BenchArgs) => Promise<BenchResult>): void {
  if (!isMain(meta)) return;
  const args = benchArgs();
  bench(args).then(
    (r) => {
      process.stdout.write(args.json ? JSON.stringify(r) + '\n' : formatResult(r) + '\n');
    },
    (e: unknown) => {
      process.stderr.write(`${meta.url.split('/').pop()}: ${e instanceof Error ? e.message : String(e)}\n`);
      if (process.env.DEBUG) console.error(e);
      process.exitCode = 1;
    },
  );
}

/**
 * Time this thread was runnable but waiting for a CPU (Linux schedstat's run_delay, ns), since the
 * call: on a shared machine, the share of a window that other processes took from the benchmark.
 * Returns ms, or null where schedstat is missing.
 */
export function runQueueMeter(): () => number | null {
  const read = (): number | null => {
    try {
      return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]);
    } catch {
      return null;
    }
  };
  const w0 = read();
  return () => {
    const w1 = read();
    return w0 === null || w1 === null ? null : (w1 - w0) / 1e6;
  };
}
