/**
 * The order of runs. Repetitions are interleaved across levels (every level once, then again),
 * so that the drift of a noisy machine spreads over every level instead of biasing one
 * (the advice of benchstat's authors). Resume skips what a run folder already holds.
 */
import type { RunSample } from './sample.js';

export interface PlannedRun {
  level: number;
  repetition: number;
}

export function planRuns(levels: readonly number[], repetitions: number, done: readonly RunSample[] = []): PlannedRun[] {
  const have = new Set(done.map((s) => `${s.level}/${s.repetition}`));
  const plan: PlannedRun[] = [];
  for (let repetition = 1; repetition <= repetitions; repetition++) {
    for (const level of levels) if (!have.has(`${level}/${repetition}`)) plan.push({ level, repetition });
  }
  return plan;
}

/** A run of one of several scenarios run together: `member` is its index among them. */
export interface ScheduledRun extends PlannedRun {
  member: number;
}

export interface MemberPlan {
  levels: readonly number[];
  repetitions: number;
  done: readonly RunSample[];
}

/**
 * The runs of scenarios run together, interleaved run by run: repetition by repetition, level by
 * level (the levels in the order the members list them, the first member's first), each member's
 * run of that (level, repetition) in turn. Runs of one (level, repetition) are so measured minutes
 * apart at most, on the same state of the machine. The turn starts one member later at each level
 * and each repetition, so that at every level each member goes first as often as the others (a
 * server warmed by the run before, or a drift within a round, favours no one). Resume skips what
 * the folders already hold; the order of the rest is unchanged.
 */
export function interleave(members: readonly MemberPlan[]): ScheduledRun[] {
  const levels = [...new Set(members.flatMap((m) => m.levels))];
  const repetitions = Math.max(0, ...members.map((m) => m.repetitions));
  const have = members.map((m) => new Set(m.done.map((s) => `${s.level}/${s.repetition}`)));
  const wants = (m: number, level: number, repetition: number) =>
    members[m].levels.includes(level) && repetition <= members[m].repetitions && !have[m].has(`${level}/${repetition}`);
  const out: ScheduledRun[] = [];
  for (let repetition = 1; repetition <= repetitions; repetition++) {
    levels.forEach((level, li) => {
      for (let turn = 0; turn < members.length; turn++) {
        const member = (turn + repetition - 1 + li) % members.length;
        if (wants(member, level, repetition)) out.push({ member, level, repetition });
      }
    });
  }
  return out;
}
