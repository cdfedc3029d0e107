/**
 * Summarise a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package, so
 * the README can say where a benchmark's time goes. `node dist/bench/lib/cpuprofile.js FILE [N]`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  functions: { name: string; where: string; ms: number; pct: number }[];
  packages: { name: string; ms: number; pct: number }[];
}

/** node_modules/<pkg>, node:internal, (garbage collector), this project … */
function packageOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1]!;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  if (url.includes('/dist/')) return 'lb-bench';
  return url;
}

export function summarise(p: Profile, top = 15): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map<string, { name: string; where: string; ms: number }>();
  const pkgs = new Map<string, number>();
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = functionName || '(anonymous)';
    const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const f = fns.get(key) ?? { name, where, ms: 0 };
    f.ms += ms;
    fns.set(key, f);
    const pkg = packageOf(url, name);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + ms);
  }
  const pct = (ms: number) => Math.round((ms / total) * 1000) / 10;
  return {
    totalMs: Math.round(total),
    functions: [...fns.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((f) => ({ ...f, ms: Math.round(f.ms), pct: pct(f.ms) })),
    packages: [...pkgs.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), pct: pct(ms) })),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const s = summarise(JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Profile, Number(process.argv[3] ?? 15));
  console.log(`total sampled: ${s.totalMs} ms\n\nby package:`);
  for (const p of s.packages) console.log(`  ${String(p.pct).padStart(5)} %  ${p.name}`);
  console.log('\nby function (self time):');
  for (const f of s.functions) console.log(`  ${String(f.pct).padStart(5)} %  ${f.name}  ${f.where}`);
}
