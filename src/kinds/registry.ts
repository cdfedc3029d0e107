/**
 * The kinds of scenario: one line each. Everything that works on scenarios or run folders of any
 * kind asks here for the kind's part — the scenario loader, the run folder reader, run, validate,
 * report, compare and reproduce — and nowhere else is a kind named.
 */
import { failoverKind } from './failover/kind.js';
import { loadKind } from './load/kind.js';
import type { StoredRunOf } from '../results/types.js';
import { distinctLevels } from './load/stored.js';
import type { ResolvedScenario } from '../scenario/resolved.js';
import type { RunLock } from '../results/lock.js';
import type { Kind, KindTypes, MetricDef, TogetherMember, TogetherOptions, TogetherOutcome } from './kind.js';

export type KindName = keyof KindTypes;
export type ScenarioOf<K extends KindName> = KindTypes[K]['scenario'];
export type SampleOf<K extends KindName> = KindTypes[K]['sample'];
/** the scenario as its run folders are read back (only what the readers use is checked) */
export type StoredScenarioOf<K extends KindName> = KindTypes[K]['stored'];

/** Each kind as a Kind of its own types: what lets generic code hand a kind its own runs (see `dispatch`). */
type KindOf<K extends KindName> = Kind<ScenarioOf<K>, SampleOf<K>, StoredScenarioOf<K>>;
export const KINDS: { [K in KindName]: KindOf<K> } = {
  load: loadKind,
  failover: failoverKind,
};

const isKindName = (name: unknown): name is KindName => typeof name === 'string' && Object.hasOwn(KINDS, name);
export const KIND_NAMES: KindName[] = Object.keys(KINDS).filter(isKindName);

export type AnyScenario = ScenarioOf<KindName>;
export type RunOf<K extends KindName> = StoredRunOf<StoredScenarioOf<K>, SampleOf<K>>;
type RunsByKind = { [K in KindName]: RunOf<K> };
/** A run folder read back: a union over the kinds, told apart by its manifest's scenario kind. */
export type StoredRun = RunsByKind[KindName];
/** A run of kind K, as a member of StoredRun. */
export type RunOfKind<K extends KindName> = RunsByKind[K];
export type AnySample = SampleOf<KindName>;

/** The kind a manifest or scenario file names, or null; a scenario without `kind` is a load scenario. */
export function kindNamed(name: unknown): KindName | null {
  const k = name ?? 'load';
  return isKindName(k) ? k : null;
}

/** "load or failover": the kinds, as a message lists them. */
export const KIND_CHOICES = `${KIND_NAMES.slice(0, -1).join(', ')} or ${KIND_NAMES.at(-1)}`;

/**
 * Hand a kind what is its own: `kind` is the name that `it` carries. The mapped type of KINDS lets
 * TypeScript see that KINDS[kind] and `it` belong together (TypeScript 4.6's correlated unions).
 */
function dispatch<K extends KindName, T, R>(kind: K, it: T, f: (k: KindOf<K>, it: T) => R): R {
  return f(KINDS[kind], it);
}

/** The kind of a run folder, with the run as its own. */
export function withRun<R>(run: StoredRun, f: <K extends KindName>(kind: KindOf<K>, run: RunOf<K>) => R): R {
  return forRun(run.manifest.scenario.kind, run, f);
}
function forRun<K extends KindName, R>(name: K, run: RunOf<K>, f: <J extends KindName>(kind: KindOf<J>, run: RunOf<J>) => R): R {
  return dispatch(name, run, (k, r) => f(k, r));
}

/** The kind of a resolved scenario, with the scenario as its own. */
export function withScenario<R>(
  r: ResolvedScenario<AnyScenario>,
  f: <K extends KindName>(kind: KindOf<K>, r: ResolvedScenario<ScenarioOf<K>>) => R,
): R {
  return forScenario(r.scenario.kind, r, f);
}
function forScenario<K extends KindName, R>(
  name: K,
  r: ResolvedScenario<ScenarioOf<K>>,
  f: <J extends KindName>(kind: KindOf<J>, r: ResolvedScenario<ScenarioOf<J>>) => R,
): R {
  return dispatch(name, r, (k, it) => f(k, it));
}

/** Is this scenario of that kind? For the few places that need one kind in particular (reproduce's steps). */
export function hasKind<K extends KindName>(r: ResolvedScenario<AnyScenario>, name: K): r is ResolvedScenario<ScenarioOf<K>> {
  return r.scenario.kind === name;
}

/** The runs of that kind among these. */
export function runsOfKind<K extends KindName>(runs: readonly StoredRun[], name: K): RunOfKind<K>[] {
  return runs.filter((r): r is RunOfKind<K> => r.manifest.scenario.kind === name);
}

/** For each kind that has runs here, in the registry's order: f with the kind and its runs. */
export function eachKind<R>(runs: readonly StoredRun[], f: <K extends KindName>(kind: KindOf<K>, runs: RunOf<K>[]) => R): R[] {
  return KIND_NAMES.flatMap((name) => {
    const mine = runsOfKind(runs, name);
    return mine.length ? [dispatch(name, mine, (k, rs) => f(k, rs))] : [];
  });
}

/** Both runs as their kind's, when they are of one kind; else null. */
export function withPair<R>(a: StoredRun, b: StoredRun, f: <K extends KindName>(kind: KindOf<K>, a: RunOf<K>, b: RunOf<K>) => R): R | null {
  const name = a.manifest.scenario.kind;
  return b.manifest.scenario.kind === name ? forPair(name, a, b, f) : null;
}
function forPair<K extends KindName, R>(
  name: K,
  a: RunOf<K>,
  b: RunOf<K>,
  f: <J extends KindName>(kind: KindOf<J>, a: RunOf<J>, b: RunOf<J>) => R,
): R {
  return dispatch(name, [a, b] as const, (k, [x, y]) => f(k, x, y));
}

/** The metrics of a run's kind that its samples have. */
export function metricsOf(run: StoredRun): MetricDef<never>[] {
  return withRun<MetricDef<never>[]>(run, (kind, r) => kind.metrics(r.samples));
}

/** The levels a run measured, ascending (a kind without levels: [0]). */
export function levelsOf(run: StoredRun): number[] {
  return withRun(run, (kind, r) => distinctLevels(r.samples.map((s) => kind.level(s))));
}

/** compare's words for what a run measured ("levels 1000,5000", "failover"). */
export function measuredBy(run: StoredRun): string {
  return withRun(run, (kind, r) => kind.measured(r));
}

/** What a run folder planned ("levels 1000, 5000 × 5 repetitions"). */
export function planOf(run: StoredRun): string {
  return withRun(run, (kind, r) => kind.plan(r.manifest.scenario));
}

/**
 * A scenario and the run folder it resumes, if any, both as their kind's. `run --resume` has
 * checked that the folder holds this very scenario (its hash), so they are of one kind.
 */
export function withResume<R>(
  r: ResolvedScenario<AnyScenario>,
  stored: StoredRun | undefined,
  f: <K extends KindName>(kind: KindOf<K>, r: ResolvedScenario<ScenarioOf<K>>, stored: RunOf<K> | undefined) => R,
): R {
  const name = r.scenario.kind;
  const [resumed] = stored ? runsOfKind([stored], name) : [];
  return forResume(name, r, resumed, f);
}
function forResume<K extends KindName, R>(
  name: K,
  r: ResolvedScenario<ScenarioOf<K>>,
  stored: RunOf<K> | undefined,
  f: <J extends KindName>(kind: KindOf<J>, r: ResolvedScenario<ScenarioOf<J>>, stored: RunOf<J> | undefined) => R,
): R {
  return dispatch(name, [r, stored] as const, (k, [x, y]) => f(k, x, y));
}

/** A scenario of an invocation, with the folder it continues (`run --resume`) and that folder's lock. */
export interface Job {
  scenario: ResolvedScenario<AnyScenario>;
  stored?: StoredRun;
  lock?: RunLock;
}

/**
 * Scenarios run together by their kind (its runTogether), each with the folder it continues; null
 * when they are not all of one kind, or the kind runs its scenarios only alone.
 */
export function runGroup(jobs: readonly Job[], opts: TogetherOptions): Promise<TogetherOutcome<AnySample>[]> | null {
  const name = jobs[0]?.scenario.scenario.kind;
  return name === undefined ? null : forGroup(name, jobs, opts);
}
function forGroup<K extends KindName>(name: K, jobs: readonly Job[], opts: TogetherOptions): Promise<TogetherOutcome<AnySample>[]> | null {
  const members: TogetherMember<ScenarioOf<K>, RunOf<K>>[] = [];
  for (const j of jobs) {
    if (!hasKind(j.scenario, name)) return null;
    members.push({ scenario: j.scenario, resume: j.stored ? runsOfKind([j.stored], name)[0] : undefined, lock: j.lock });
  }
  return dispatch(name, members, (k, ms): Promise<TogetherOutcome<AnySample>[]> | null => k.runTogether?.(ms, opts) ?? null);
}

/** The companion a scenario's kind names for it (docs/scenarios.md, `relative_to`), read with `load`; null: none. */
export function companionOf(
  r: ResolvedScenario<AnyScenario>,
  load: (file: string) => Promise<ResolvedScenario<AnyScenario>>,
): Promise<ResolvedScenario<AnyScenario> | null> {
  return withScenario<Promise<ResolvedScenario<AnyScenario> | null>>(
    r,
    (kind, own) => kind.companion?.(own, load) ?? Promise.resolve(null),
  );
}
