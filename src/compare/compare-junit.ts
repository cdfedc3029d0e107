/**
 * `compare --junit FILE`: a test suite per comparison and per scenario judged by the history, a
 * test case per row. A regression of the gate is a failure with its figures; a row shown but not
 * gated (another machine, judged by the history, too few nights) is skipped, saying why; the rest
 * pass, their figures in system-out. Pure.
 */
import type { JunitCase, JunitSuite } from '../io/junit-xml.js';
import { changeCell, meanCi, pValue } from '../util/format.js';
import { heading, type Comparison, type ComparisonRow } from './compare.js';
import { causeText, isBreach } from './gate.js';
import { historyBreachLine, verdictCell, type HistoryPart, type HistorySettings } from './history-format.js';
import type { HistoryRow } from './tonight.js';

function rowFigures(c: Comparison, r: ComparisonRow): string {
  return [
    `${c.a.label}: ${meanCi(r.a)} (n ${r.a.n}, ${c.a.dir})`,
    `${c.b.label}: ${meanCi(r.b)} (n ${r.b.n}, ${c.b.dir})`,
    `change ${changeCell(r.change_pct)}, p ${pValue(r.p)}, verdict ${r.verdict}${r.portable ? ', portable' : ''}`,
  ].join('\n');
}

function comparisonCase(c: Comparison, r: ComparisonRow, pct: number | null): JunitCase {
  const base = { name: `${r.metric} at level ${r.level}`, classname: `compare.${heading(c)}`, out: rowFigures(c, r) };
  if (!r.gated) return { ...base, skipped: { message: `not gated: ${r.not_gated}` } };
  if (pct !== null && isBreach(r, pct))
    return {
      ...base,
      failure: {
        type: 'regression',
        message: `${r.metric} at level ${r.level}: ${changeCell(r.change_pct)} (p ${pValue(r.p)}), worse by more than ${pct} %${causeText(c.system.changes)}`,
        text: rowFigures(c, r),
      },
    };
  return base;
}

function historyCase(r: HistoryRow, s: HistorySettings, pct: number | null): JunitCase {
  const figures = [
    `tonight ${r.tonight} (${r.run})`,
    r.band
      ? `${r.band.n} nights of ${r.nights_of}: mean ${r.band.mean}, sd ${r.band.sd}, band ${r.band.low} – ${r.band.high}`
      : `${r.recorded} nights of ${r.nights_of}`,
    `change ${r.change_pct === null ? '–' : changeCell(r.change_pct)}, verdict ${verdictCell(r, s.confirm)}${r.portable ? ', portable' : ''}`,
  ].join('\n');
  const base = { name: `${r.metric} at level ${r.level}`, classname: `history.${r.scenario}`, out: figures };
  if (!r.gated) return { ...base, skipped: { message: `not gated: ${verdictCell(r, s.confirm)}` } };
  if (pct !== null && r.verdict === 'worse')
    return { ...base, failure: { type: 'regression', message: historyBreachLine(r), text: figures } };
  return base;
}

export function compareSuites(comparisons: readonly Comparison[], history: HistoryPart | null, pct: number | null): JunitSuite[] {
  const suites: JunitSuite[] = comparisons.map((c) => ({
    name: `compare: ${heading(c)}`,
    cases: c.rows.map((r) => comparisonCase(c, r, pct)),
  }));
  for (const run of history?.judgement.runs ?? [])
    suites.push({
      name: `history: ${run.scenario}`,
      cases: history!.judgement.rows.filter((r) => r.scenario === run.scenario).map((r) => historyCase(r, history!.settings, pct)),
    });
  return suites;
}
