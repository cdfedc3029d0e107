/**
 * Which runs `compare A B` means (README, "Comparing runs"). A side is a run folder, else the
 * newest run of the scenario of that name, else the newest runs of every scenario whose
 * `balancer` is that name — in each case only runs of a kind the other side also has (a load run
 * compares with load runs, a failover run with failover runs), so a failover scenario with
 * `balancer: haproxy` never answers for `haproxy` against nginx-rr. A side left with several
 * candidates keeps those that share an `algorithm` with the other side, so `haproxy` vs `nginx` is
 * haproxy-rr vs nginx-rr (thesis §4.2). Still several: exit 2 with the candidates. pickPair is
 * pure; resolvePair reads the disk.
 */
import { inputError } from '../errors.js';
import { KIND_NAMES, type KindName, type StoredRun } from '../kinds/registry.js';
import { findRunFolder, newestPerScenario } from '../results/store.js';
import { listRuns, readRun } from '../kinds/run-folders.js';

export interface SideRef<R extends StoredRun = StoredRun> {
  ref: string;
  /** the run folder that ref names, if it names one */
  folder?: R;
}

const kindOf = (r: StoredRun): KindName => r.manifest.scenario.kind;
const algorithm = (r: StoredRun) => r.manifest.scenario.algorithm;
const describeRun = (r: StoredRun) =>
  `${r.manifest.scenario.name} (${[kindOf(r), [r.manifest.scenario.balancer, algorithm(r)].filter(Boolean).join('/')].filter(Boolean).join(', ')}, ${r.manifest.id})`;

/** The runs a name can mean: its scenario's newest run, else the newest run of each scenario with that balancer. */
export function candidates<R extends StoredRun>(ref: string, newest: readonly R[]): R[] {
  const byName = newest.filter((r) => r.manifest.scenario.name === ref);
  return byName.length ? byName : newest.filter((r) => r.manifest.scenario.balancer === ref);
}

/** Keep the candidates that share an algorithm with the other side's; an empty result keeps them all. */
function narrow<R extends StoredRun>(mine: R[], theirs: readonly R[]): R[] {
  if (mine.length < 2) return mine;
  const algorithms = new Set(theirs.map(algorithm).filter((a): a is string => a !== undefined));
  const kept = mine.filter((r) => algorithms.has(algorithm(r) ?? ''));
  return kept.length ? kept : mine;
}

/** Both sides' candidates among the runs of one kind, each narrowed by the other's algorithms. */
function withinKind<R extends StoredRun>(kind: KindName, sides: readonly [SideRef<R>, SideRef<R>], newest: readonly R[]): [R[], R[]] {
  const ofKind = newest.filter((r) => kindOf(r) === kind);
  let [ca, cb] = sides.map((s) => (s.folder ? [s.folder].filter((r) => kindOf(r) === kind) : candidates(s.ref, ofKind)));
  // narrowing one side can narrow the other: repeat until nothing changes
  for (let before = -1; before !== ca.length + cb.length;) {
    before = ca.length + cb.length;
    ca = narrow(ca, cb);
    cb = narrow(cb, ca);
  }
  return [ca, cb];
}

export function pickPair<R extends StoredRun>(a: SideRef<R>, b: SideRef<R>, newest: readonly R[]): [R, R] {
  const known = () => {
    const names = newest.map((r) => r.manifest.scenario.name).sort();
    const balancers = [...new Set(newest.map((r) => r.manifest.scenario.balancer))].filter((x) => x !== 'none').sort();
    return names.length
      ? `scenarios with runs: ${names.join(', ')}${balancers.length ? `; balancers: ${balancers.join(', ')}` : ''}`
      : 'no runs yet: run a scenario first (lb-bench run FILE)';
  };
  const all = [a, b].map((s) => {
    if (s.folder) return [s.folder];
    const found = candidates(s.ref, newest);
    if (!found.length) throw inputError(`unknown run "${s.ref}": neither a run folder nor a scenario or balancer with runs`, known());
    return found;
  });
  // the kind first: a name's runs of a kind the other side lacks are no candidates at all
  const comparable = KIND_NAMES.map((k) => withinKind(k, [a, b], newest)).filter(([ca, cb]) => ca.length && cb.length);
  if (!comparable.length) {
    const means = (s: SideRef<R>, runs: R[]) => `"${s.ref}" is ${runs.map(describeRun).join(' or ')}`;
    throw inputError(
      `nothing comparable: ${means(a, all[0])}; ${means(b, all[1])}`,
      'load runs compare only with load runs, failover runs with failover runs: name two of one kind',
    );
  }
  const [ca, cb] = [0, 1].map((i) => comparable.flatMap((pair) => pair[i]));
  for (const [s, c] of [
    [a, ca],
    [b, cb],
  ] as const) {
    if (c.length > 1) {
      throw inputError(
        `"${s.ref}" is ambiguous: ${c.length} candidates: ${c.map(describeRun).join(', ')}`,
        `name one scenario or run folder, e.g. lb-bench compare ${c[0].manifest.scenario.name} …`,
      );
    }
  }
  if (ca[0].dir === cb[0].dir)
    throw inputError(
      `"${a.ref}" and "${b.ref}" are the same run (${ca[0].dir})`,
      'to compare two runs of one scenario, name both run folders',
    );
  return [ca[0], cb[0]];
}

async function sideRef(ref: string, resultsDir: string): Promise<SideRef> {
  const folder = await findRunFolder(ref, resultsDir);
  return folder ? { ref, folder: await readRun(folder) } : { ref };
}

export async function resolvePair(refA: string, refB: string, resultsDir: string): Promise<[StoredRun, StoredRun]> {
  const [a, b] = [await sideRef(refA, resultsDir), await sideRef(refB, resultsDir)];
  const newest = a.folder && b.folder ? [] : newestPerScenario(await listRuns(resultsDir));
  const pair = pickPair(a, b, newest);
  for (const run of pair)
    if (!run.samples.length)
      throw inputError(`${run.dir}: no finished runs to compare`, `complete it with lb-bench run --resume ${run.dir}`);
  return pair;
}

/**
 * --baseline DIR: the newest run of every scenario in the results folder, each with the newest
 * run of the same scenario in DIR (A = baseline, B = current). Scenarios missing on one side are
 * returned apart, for a warning: a scenario that stopped running is no regression, but is news.
 */
export async function baselinePairs(
  resultsDir: string,
  baselineDir: string,
): Promise<{ pairs: [StoredRun, StoredRun][]; unmatched: string[]; notRun: string[] }> {
  const current = newestPerScenario(await listRuns(resultsDir));
  const base = newestPerScenario(await listRuns(baselineDir));
  if (!base.length)
    throw inputError(
      `--baseline ${baselineDir}: no run folders with finished runs there`,
      "point it at a folder of run folders, e.g. last night's results",
    );
  if (!current.length)
    throw inputError(
      `no runs under ${resultsDir}/ to compare with the baseline`,
      'run the scenarios first, or name the folder with --results',
    );
  const pairs: [StoredRun, StoredRun][] = [];
  const unmatched: string[] = [];
  for (const run of current) {
    const old = base.find((r) => r.manifest.scenario.name === run.manifest.scenario.name);
    if (old) pairs.push([old, run]);
    else unmatched.push(run.manifest.scenario.name);
  }
  if (!pairs.length)
    throw inputError(
      `--baseline ${baselineDir}: none of its scenarios (${base.map((r) => r.manifest.scenario.name).join(', ')}) has runs under ${resultsDir}/`,
    );
  const notRun = base.map((r) => r.manifest.scenario.name).filter((name) => !current.some((r) => r.manifest.scenario.name === name));
  return { pairs, unmatched, notRun };
}
