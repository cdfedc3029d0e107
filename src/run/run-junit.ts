/** `run --junit FILE`: a suite per scenario, a case per threshold; a breach is a failure with its figures. */
import type { JunitCase, JunitSuite } from '../io/junit-xml.js';
import type { ThresholdCheck } from '../scenario/fields.js';

/** How many of a check's breaches its failure message lists; the text holds them all. */
const LISTED = 5;

export interface JunitRun {
  scenario: string;
  dir: string;
  runs: number;
  checks: readonly ThresholdCheck[];
}

export function runSuites(results: readonly JunitRun[]): JunitSuite[] {
  return results.map((r) => {
    const cases: JunitCase[] = r.checks.map((c) => {
      const base = { name: c.threshold, classname: `run.${r.scenario}`, out: `judged on ${c.judged} in ${r.dir}` };
      if (!c.breaches.length) return base;
      const more = c.breaches.length > LISTED ? `; … (${c.breaches.length} in all)` : '';
      const message = `${c.threshold} breached: ${c.breaches.slice(0, LISTED).join('; ')}${more}`;
      return { ...base, failure: { type: 'threshold', message, text: c.breaches.join('\n') } };
    });
    if (!cases.length)
      cases.push({
        name: 'no thresholds',
        classname: `run.${r.scenario}`,
        out: `${r.runs} runs stored in ${r.dir}; the scenario sets no thresholds, so nothing gates them`,
      });
    return { name: `run: ${r.scenario}`, cases };
  });
}
