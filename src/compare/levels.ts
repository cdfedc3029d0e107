/**
 * A run's figures per level, as summary.csv gives them (each metric's n, mean, sd, 95 % CI,
 * median, min, max and cv over the level's repetitions): what `run --json` prints, so that a script
 * reads tonight's figures without parsing a report. A kind without levels gives one, level 0. Pure.
 */
import type { Description } from '../stats/describe.js';
import { describe } from '../stats/describe.js';
import { withRun, type StoredRun } from '../kinds/registry.js';

export interface LevelFigures {
  level: number;
  /** runs (repetitions) stored at this level */
  runs: number;
  /** metric → its figures over the level's repetitions; a metric with no value at this level is left out */
  metrics: Record<string, Description>;
}

export function levelFigures(run: StoredRun): LevelFigures[] {
  return withRun(run, (kind, r) => {
    const metrics = kind.metrics(r.samples);
    const levels = [...new Set(r.samples.map((s) => kind.level(s)))].sort((a, b) => a - b);
    return levels.map((level) => {
      const samples = r.samples.filter((s) => kind.level(s) === level);
      const figures: Record<string, Description> = {};
      for (const m of metrics) {
        const d = m.describe?.(samples) ?? describe(samples.map((s) => m.value(s)));
        if (d.n > 0) figures[m.name] = d;
      }
      return { level, runs: samples.length, metrics: figures };
    });
  });
}
