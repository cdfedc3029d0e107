/**
 * Which scenarios of one invocation run together: each scenario and the companion its kind names
 * (the load kind's `relative_to`) form a group, run interleaved run by run by their kind; every
 * other scenario runs alone, as before. A companion that no file of the invocation names is read
 * (with the invocation's profile and overrides) and added, right before the first scenario naming it.
 */
import { resolve } from 'node:path';
import type { ResolvedScenario } from '../scenario/resolved.js';
import { companionOf, type AnyScenario, type Job } from './registry.js';

type Loader = (file: string) => Promise<ResolvedScenario<AnyScenario>>;

/** The invocation's scenarios in groups, in the order they were named; exit 2 on a companion that cannot serve. */
export async function groupJobs(jobs: readonly Job[], load: Loader): Promise<Job[][]> {
  const all: Job[] = [...jobs];
  const parent = new Map<Job, Job>();
  const root = (j: Job): Job => {
    const p = parent.get(j);
    return p && p !== j ? root(p) : j;
  };
  const loaded = new Map<string, Promise<ResolvedScenario<AnyScenario>>>();
  const once: Loader = (file) => {
    const key = resolve(file);
    if (!loaded.has(key)) loaded.set(key, load(file));
    return loaded.get(key)!;
  };
  for (const job of jobs) {
    const companion = await companionOf(job.scenario, once);
    if (!companion) continue;
    let other = all.find((j) => resolve(j.scenario.file) === resolve(companion.file));
    if (!other) {
      other = { scenario: companion };
      all.splice(all.indexOf(job), 0, other);
    }
    parent.set(root(job), root(other));
  }
  const groups = new Map<Job, Job[]>();
  for (const j of all) {
    const r = root(j);
    if (!groups.has(r)) groups.set(r, []);
    groups.get(r)!.push(j);
  }
  return [...groups.values()];
}
