/**
 * The load report's verdict, the first thing the page says. Per level: the set-up that served the
 * most (completed requests per second, among those that lost at most HIGH_LOSS of their requests),
 * its ratio to the reference measured with it (single) with its 95 % interval, the thesis's ratio
 * beside it, and whether the next one is told apart from it. A report of one scenario without a
 * reference: its thresholds and its headline figures. Pure.
 */
import type { LoadRun } from './sample.js';
import { thresholdChecks } from './thresholds.js';
import { fmt } from '../../util/format.js';
import type { Aggregate, ScenarioSummary } from './aggregate.js';
import { HIGH_LOSS, lossShare } from './caveats.js';
import { thesisRatio } from './charts.js';

type Row = Aggregate['rows'][number];

/** One line of the verdict: plain text with **bold** where it says the answer (Markdown; the HTML page turns it into <strong>). */
export type VerdictLine = string;

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;
/** "3066.3–3369.7"; a ratio's with two decimals */
const interval = (r: Row | undefined, digits?: number) => {
  if (r?.ci_low == null || r.ci_high == null) return null;
  const f = (v: number) => (digits === undefined ? fmt(v, r.mean) : v.toFixed(digits));
  return `${f(r.ci_low)}–${f(r.ci_high)}`;
};
export const levelText = (level: number) => level.toLocaleString('en-US');
const times = (v: number) => `${v.toFixed(2)}×`;
const overlap = (a: Row, b: Row) =>
  a.ci_low !== null && a.ci_high !== null && b.ci_low !== null && b.ci_high !== null && a.ci_low <= b.ci_high && b.ci_low <= a.ci_high;

function index(agg: Aggregate) {
  const by = new Map(agg.rows.map((r) => [`${r.scenario}\0${r.level}\0${r.metric}`, r]));
  return (label: string, level: number, metric: string) => {
    const r = by.get(`${label}\0${level}\0${metric}`);
    return r && r.mean !== null ? r : undefined;
  };
}

/** "2.54× single (95 % CI 2.24–2.92)" */
function ratioText(r: Row | undefined, ref: string): string | null {
  if (!r) return null;
  const ci = interval(r, 2);
  return `**${times(r.mean!)} ${ref}**${ci ? ` (95 % CI ${ci})` : ''}`;
}

/** Where the thesis's ratio lies against ours: inside the interval, below it or above it. */
function thesisText(thesis: number | null, r: Row | undefined): string {
  if (thesis === null) return '';
  if (!r || r.ci_low === null || r.ci_high === null) return `; the thesis's ratio of peaks: ${times(thesis)}`;
  const where =
    thesis < r.ci_low
      ? 'below this interval: more than the thesis found'
      : thesis > r.ci_high
        ? 'above this interval: less than the thesis found'
        : 'inside this interval';
  return `; the thesis's ratio of peaks, ${times(thesis)}, lies ${where}`;
}

/** The verdict at one level, one line. */
function levelLine(agg: Aggregate, runs: readonly LoadRun[], level: number): VerdictLine | null {
  const at = index(agg);
  const here = agg.scenarios
    .map((s, i) => ({ s, rps: at(s.label, level, 'rps'), lost: lossShare(runs[i].samples.filter((x) => x.level === level)) }))
    .filter((x) => x.rps);
  if (!here.length) return null;
  const eligible = here.filter((x) => x.lost <= HIGH_LOSS).sort((a, b) => b.rps!.mean! - a.rps!.mean!);
  const left = here.filter((x) => x.lost > HIGH_LOSS).map((x) => `${x.s.label} lost ${pct(x.lost)} of its requests`);
  const leftOut = left.length ? ` Left out: ${left.join('; ')}.` : '';
  const head = `**${levelText(level)}**: `;
  if (!eligible.length) return `${head}every set-up lost more than ${pct(HIGH_LOSS)} of its requests; none is named.${leftOut}`;
  const [best, next] = eligible;
  const ref = best.s.relativeTo?.scenario;
  const speed = ref ? ratioText(at(best.s.label, level, 'speedup'), ref) : null;
  const rps = `${fmt(best.rps!.mean)} req/s${interval(best.rps) ? ` (95 % CI ${interval(best.rps)})` : ''}`;
  let line = `${head}**${best.s.label}** serves the most, ${rps}`;
  if (speed) line += `: ${speed}${thesisText(thesisRatio(agg, best.s), at(best.s.label, level, 'speedup'))}`;
  line += '.';
  if (next) {
    const nextRatio = ref ? at(next.s.label, level, 'speedup') : undefined;
    const figure = nextRatio ? `${times(nextRatio.mean!)}` : `${fmt(next.rps!.mean)} req/s`;
    const bestRatio = ref ? at(best.s.label, level, 'speedup') : undefined;
    // paired ratios where both have one (single's own noise cancels), else req/s
    const tied = bestRatio && nextRatio ? overlap(bestRatio, nextRatio) : overlap(best.rps!, next.rps!);
    line += tied
      ? ` ${next.s.label} (${figure}) is not told apart from it: their intervals overlap.`
      : ` Next: ${next.s.label} (${figure}), clearly less.`;
  }
  return line + leftOut;
}

/** "loss ≤ 0: held over 15 runs", "rps ≥ 800: broken 1 time, judged over 3 levels over 15 runs: … (level 10000: …)" */
function thresholdLines(s: ScenarioSummary, run: LoadRun): VerdictLine[] {
  const t = (run.manifest.scenario as { thresholds?: Parameters<typeof thresholdChecks>[0] }).thresholds;
  return thresholdChecks(t, run.samples).map((c) =>
    c.breaches.length
      ? `${s.label}: \`${c.threshold}\` **broken** ${c.breaches.length} time${c.breaches.length === 1 ? '' : 's'}, judged over ${c.judged} (${c.breaches.slice(0, 2).join('; ')}${c.breaches.length > 2 ? '; …' : ''})`
      : `${s.label}: \`${c.threshold}\` **held** over ${c.judged}`,
  );
}

/** A scenario's headline figures: per level, req/s, loss and p99. */
function headline(agg: Aggregate, s: ScenarioSummary, run: LoadRun): VerdictLine[] {
  const at = index(agg);
  return s.levels.map((level) => {
    const rps = at(s.label, level, 'rps');
    const p99 = at(s.label, level, 'latency_ms.p99');
    const lost = lossShare(run.samples.filter((x) => x.level === level));
    const ci = (r: Row | undefined) => (interval(r) ? ` (95 % CI ${interval(r)})` : '');
    return `${s.label} at **${levelText(level)}**: **${fmt(rps?.mean ?? null)} req/s**${ci(rps)}, ${lost ? `${pct(lost)} of requests lost` : 'no request lost'}, p99 ${fmt(p99?.mean ?? null)} ms${ci(p99)}`;
  });
}

/** The verdict's lines: per level which set-up serves the most (several scenarios), else one scenario's headline figures; then every threshold. */
export function loadVerdict(agg: Aggregate, runs: readonly LoadRun[]): VerdictLine[] {
  const levels = [...new Set(agg.scenarios.flatMap((s) => s.levels))].sort((a, b) => a - b);
  const lines =
    agg.scenarios.length > 1
      ? levels.map((l) => levelLine(agg, runs, l)).filter((l): l is string => l !== null)
      : agg.scenarios.flatMap((s, i) => headline(agg, s, runs[i]));
  return [...lines, ...agg.scenarios.flatMap((s, i) => thresholdLines(s, runs[i]))];
}
