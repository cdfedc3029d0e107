/**
 * `reproduce --junit FILE`: a test case per scenario and per conclusion. reproduce gates on
 * nothing but its environment (it exits 0 whatever the verdicts), so a conclusion is an
 * informational case that passes, its verdict and figures in system-out; a scenario that could not
 * be measured (exit 3) is an error. Pure.
 */
import type { JunitSuite } from '../io/junit-xml.js';
import { pValue } from '../util/format.js';
import type { ConclusionRow } from './conclusions.js';
import type { ScenarioOutcome } from './reproduce.js';

function scenarioSuite(outcomes: readonly ScenarioOutcome[]): JunitSuite {
  return {
    name: 'reproduce: scenarios',
    cases: outcomes.map((o) => {
      const base = { name: o.scenario, classname: 'reproduce.scenarios' };
      if (o.failure) return { ...base, error: { type: 'environment', message: o.failure } };
      const notes = o.breaches.map((b) => `note: threshold breached (reproduce does not gate on it): ${b}`);
      return { ...base, out: [`${o.runs} runs stored in ${o.dir}`, ...notes].join('\n') };
    }),
  };
}

function conclusionSuite(rows: readonly ConclusionRow[]): JunitSuite {
  return {
    name: 'reproduce: conclusions',
    cases: rows.map((r) => ({
      name: `${r.id}: ${r.claim}`,
      classname: 'reproduce.conclusions',
      out: [`verdict: ${r.verdict}`, `thesis: ${r.thesis}`, `measured: ${r.measured}`, `p: ${pValue(r.p)}`, `method: ${r.method}`].join(
        '\n',
      ),
    })),
  };
}

export function reproduceSuites(outcomes: readonly ScenarioOutcome[], rows: readonly ConclusionRow[]): JunitSuite[] {
  return [scenarioSuite(outcomes), conclusionSuite(rows)];
}
