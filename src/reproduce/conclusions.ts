/**
 * The thesis's conclusions (§5.1) set against what this machine measured: one row each, with a
 * verdict. Pure: stored runs in, rows out.
 *
 * Claims about req/s, throughput and backend CPU are judged on ratios, which travel between
 * machines where absolute rates do not: the two scenarios' runs, measured together and paired by
 * (level, repetition), give a ratio with a bootstrap confidence interval (src/reproduce/ratios.ts).
 * "X serves more than Y" `holds` when the interval lies above 1, `does not hold` when it lies below
 * 1, and is `not significant` otherwise; each row also says whether the thesis's own ratio lies
 * inside the interval. Lost requests compare two samples of repetitions by Mann-Whitney U,
 * two-sided, at alpha; the failover mean is tested against the thesis's by a one-sample t test.
 */
import { pickPair } from '../compare/resolve.js';
import type { FailoverSample } from '../kinds/failover/sample.js';
import type { RunSample, LoadRun } from '../kinds/load/sample.js';
import { backendCpu } from '../kinds/load/metrics.js';
import { levelsOf } from '../kinds/registry.js';
import { busiestHost } from '../kinds/load/stored.js';
import { describe, finiteValues, mannWhitneyU } from '../stats/describe.js';
import { tTwoSided } from '../stats/distributions.js';
import { fmt } from '../util/format.js';
import { levelRatios, peakRatio, runTogether, type Figures, type LevelRatio } from './ratios.js';
import { THESIS, type LoadRole } from './thesis.js';

export type Verdict = 'holds' | 'does not hold' | 'not significant' | 'not measured';

export interface ConclusionRow {
  id: string;
  /** the bullet of the thesis's §5.1 that states it, 1-based */
  bullet: number;
  claim: string;
  thesis: string;
  measured: string;
  /** what was measured and how it was tested */
  method: string;
  /** the p-value the verdict rests on; null where no test was made */
  p: number | null;
  verdict: Verdict;
  /** the figures behind the texts, for CSV and JSON: the thesis's and this machine's, claimed side first */
  unit: string;
  thesis_values: number[];
  measured_values: (number | null)[];
  /** rows judged on a ratio: ours with its interval, the thesis's (a range for CPU), and whether it lies inside ours */
  ratio: RatioFigures | null;
}

export interface RatioFigures {
  /** at the peaks (req/s, throughput); null for CPU, judged at each level (`levels`) */
  value: number | null;
  low: number | null;
  high: number | null;
  confidence: number;
  thesis: number | [number, number];
  /** the thesis's ratio (or range) inside our interval — at every level, for CPU; null where there is no interval */
  thesis_in_ci: boolean | null;
  /** the ratio at each level both ran */
  levels: LevelRatio[];
}

/** A failover run, or why there is none. */
export type FailoverInput = { dir: string; samples: readonly FailoverSample[] } | { missing: string };

export interface ConclusionInput {
  /** the newest run of each thesis scenario that reproduce ran */
  runs: Partial<Record<LoadRole, LoadRun>>;
  failover: FailoverInput;
  alpha: number;
}

type Metric = (s: RunSample) => number | null;
const rps: Metric = (s) => s.rps;
const throughput: Metric = (s) => s.throughput_mbps;
const loss: Metric = (s) => s.loss;

const meanOf = (xs: readonly number[]) => describe(xs).mean;
const valuesAt = (run: LoadRun, metric: Metric, level: number) => finiteValues(run.samples.filter((s) => s.level === level).map(metric));
const name = (run: LoadRun) => run.manifest.scenario.name;
/** a count (lost requests) as people write it: 0, 10, 10.4 */
const count = (v: number | null) => (v === null ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(1));

interface Judgement {
  p: number;
  verdict: Verdict;
}

/** The claim "`claimed` is higher (or lower) than `other`", by Mann-Whitney U at alpha. */
export function judge(claimed: readonly number[], other: readonly number[], direction: 'higher' | 'lower', alpha: number): Judgement {
  const a = meanOf(claimed)!;
  const b = meanOf(other)!;
  const allEqual = [...claimed, ...other].every((v) => v === claimed[0]);
  const p = allEqual ? 1 : mannWhitneyU(claimed, other).p;
  if (!(p < alpha) || a === b) return { p, verdict: 'not significant' };
  return { p, verdict: a > b === (direction === 'higher') ? 'holds' : 'does not hold' };
}

/** One verdict from several levels: holds only if it holds at every level; refuted if refuted at any. */
export function combine(parts: readonly Judgement[]): Judgement {
  const against = parts.find((j) => j.verdict === 'does not hold');
  if (against) return against;
  const p = Math.max(...parts.map((j) => j.p));
  return { p, verdict: parts.every((j) => j.verdict === 'holds') ? 'holds' : 'not significant' };
}

type RowBase = Omit<ConclusionRow, 'measured' | 'p' | 'verdict' | 'measured_values' | 'ratio'>;

function notMeasured(base: RowBase, why: string): ConclusionRow {
  return { ...base, measured: why, p: null, verdict: 'not measured', measured_values: [], ratio: null };
}

const missing = (...names: string[]) => `no run of ${names.join(' and ')}`;

/** A ratio's verdict on the claim that it lies above 1 (`higher`) or below 1 (`lower`), by its interval. */
export function judgeRatio(low: number | null, high: number | null, direction: 'higher' | 'lower'): Verdict {
  if (low === null || high === null) return 'not significant';
  if (low > 1) return direction === 'higher' ? 'holds' : 'does not hold';
  if (high < 1) return direction === 'higher' ? 'does not hold' : 'holds';
  return 'not significant';
}

/** The thesis's ratio, or its range, inside (overlapping) our interval; null without an interval. */
export function thesisInside(thesis: number | readonly [number, number], low: number | null, high: number | null): boolean | null {
  if (low === null || high === null) return null;
  const [a, b] = typeof thesis === 'number' ? [thesis, thesis] : thesis;
  return a <= high && low <= b;
}

const ratioText = (r: number | null, low: number | null, high: number | null) =>
  r === null ? '–' : low === null || high === null ? r.toFixed(3) : `${r.toFixed(3)} (${low.toFixed(3)}–${high.toFixed(3)})`;
const perLevel = (levels: readonly LevelRatio[]) => levels.map((l) => `${l.level}: ${ratioText(l.ratio, l.low, l.high)}`).join(', ');
const confidenceOf = (alpha: number) => `${+((1 - alpha) * 100).toFixed(1)} %`;
const apart = (a: LoadRun, b: LoadRun) => (runTogether(a, b) ? '' : '; not run together: paired by level and repetition only');

/**
 * Backend CPU under load balancing against the single server, as a ratio. Per run: the mean busy
 * CPU (% of a web server's share) of every web server the balancer used, over that of the single
 * server alone (the busiest backend of the single run, web1 in the lab) in the single scenario's
 * run of the same level and repetition. At each level: the ratio of the means with its interval;
 * the thesis's fall of 18–21 % is a ratio of 0.79–0.82.
 */
function cpuClaim(role: LoadRole, lb: LoadRun | undefined, single: LoadRun | undefined, alpha: number): ConclusionRow {
  const band = [+(1 - THESIS.cpuReduction[1] / 100).toFixed(2), +(1 - THESIS.cpuReduction[0] / 100).toFixed(2)] as const;
  const base: RowBase = {
    id: `lb-cpu-${role}`,
    bullet: 1,
    claim: `Load balancing (${role}) lowers backend CPU against the single server`,
    thesis: `by ${THESIS.cpuReduction[0]}–${THESIS.cpuReduction[1]} % (§4.1; §5.1: 21 %): ratio ${band[0].toFixed(2)}–${band[1].toFixed(2)}`,
    unit: '×',
    thesis_values: [...band],
    method: 'CPU sampled on the backends',
  };
  if (!lb || !single) return notMeasured(base, missing(...(lb ? [] : [role]), ...(single ? [] : ['single'])));
  const server = busiestHost(single.samples);
  const webs = [...new Set(lb.samples.flatMap((s) => Object.keys(s.cpu ?? {})))].sort();
  const confidence = confidenceOf(alpha);
  const method = `per run: the mean busy CPU of ${webs.length ? webs.join(', ') : 'the web servers'} under ${name(lb)} ÷ that of ${server ?? 'the single server'} alone in single, runs paired by level and repetition; at each level the ratio of the means with its ${confidence} bootstrap interval; holds when it lies below 1 at every level, does not hold when above 1 at any`;
  if (!server || !webs.length)
    return notMeasured(
      { ...base, method },
      `no backend CPU sampled in ${!server ? name(single) : name(lb)} (the scenario has no \`backends\`)`,
    );
  const levels = levelRatios(lb, single, [backendCpu, (s) => s.cpu?.[server]?.mean ?? null], 1 - alpha).filter((l) => l.n > 0);
  if (!levels.length) return notMeasured({ ...base, method }, `no level with CPU in both ${name(lb)} and single`);
  const verdicts = levels.map((l) => judgeRatio(l.low, l.high, 'lower'));
  const verdict: Verdict = verdicts.includes('does not hold')
    ? 'does not hold'
    : verdicts.every((v) => v === 'holds')
      ? 'holds'
      : 'not significant';
  const inside = levels.map((l) => thesisInside(band, l.low, l.high));
  const ratios = levels.map((l) => l.ratio);
  const measured = `${confidence} CI at each level: ${perLevel(levels)}${apart(lb, single)}`;
  const thesis_in_ci = inside.includes(null) ? null : inside.every(Boolean);
  return {
    ...base,
    method,
    measured,
    p: null,
    verdict,
    measured_values: ratios,
    ratio: { value: null, low: null, high: null, confidence: 1 - alpha, thesis: [...band], thesis_in_ci, levels },
  };
}

/** A claim "X serves more than Y" on a figure whose thesis values are peaks: req/s, throughput. */
interface RatioSpec {
  id: string;
  bullet: number;
  claim: string;
  /** the scenarios' roles, numerator first, for "no run of …" */
  names: [string, string];
  figure: Figures;
  unit: string;
  /** the thesis's peaks, numerator first */
  thesis: [number, number];
}

/**
 * a ÷ b at the peaks (each side's highest mean over the levels both ran), with its bootstrap
 * interval over the repetitions; holds when the interval lies above 1. The ratios at each level
 * are said beside it.
 */
function ratioClaim(spec: RatioSpec, a: LoadRun | undefined, b: LoadRun | undefined, alpha: number): ConclusionRow {
  const thesis = spec.thesis[0] / spec.thesis[1];
  const confidence = confidenceOf(alpha);
  const base: RowBase = {
    id: spec.id,
    bullet: spec.bullet,
    claim: spec.claim,
    thesis: `${spec.thesis[0]} ÷ ${spec.thesis[1]} ${spec.unit} = ${thesis.toFixed(3)} (peaks)`,
    unit: spec.unit,
    thesis_values: [...spec.thesis],
    method: `${spec.names[0]} ÷ ${spec.names[1]}: each side's peak (its highest mean over the levels both ran), from their runs paired by level and repetition; ${confidence} percentile bootstrap interval (expanded) over the repetitions, each resampled with its runs at every level of both; holds when the interval lies above 1, does not hold when it lies below 1`,
  };
  if (!a || !b) return notMeasured(base, missing(...spec.names.filter((_, i) => ![a, b][i])));
  const peak = peakRatio(a, b, spec.figure, 1 - alpha);
  if (!peak) return notMeasured(base, `no repetition with ${spec.unit} at every level both ${name(a)} and ${name(b)} ran`);
  const levels = levelRatios(a, b, spec.figure, 1 - alpha);
  const measured =
    `${ratioText(peak.ratio, peak.low, peak.high)} at the peaks: ${name(a)} ${fmt(peak.a.mean)} (at ${peak.a.level}) ÷ ${name(b)} ${fmt(peak.b.mean)} (at ${peak.b.level}) ${spec.unit}; ` +
    `n ${peak.n} repetitions; at each level: ${perLevel(levels)}${apart(a, b)}`;
  return {
    ...base,
    measured,
    p: null,
    verdict: judgeRatio(peak.low, peak.high, 'higher'),
    measured_values: [peak.a.mean, peak.b.mean],
    ratio: {
      value: peak.ratio,
      low: peak.low,
      high: peak.high,
      confidence: 1 - alpha,
      thesis,
      thesis_in_ci: thesisInside(thesis, peak.low, peak.high),
      levels,
    },
  };
}

/** "HAProxy loses no request up to 10000": a universal claim; one lost request refutes it. */
function noLossClaim(runs: Record<string, LoadRun | undefined>): ConclusionRow {
  const base = {
    id: 'haproxy-no-loss',
    bullet: 5,
    claim: 'HAProxy loses no request up to 10000 simultaneous requests',
    thesis: '0 lost, round robin and least connection, every level',
    unit: 'requests',
    thesis_values: [0],
    method: 'lost requests (no 2xx/3xx answer) in every run of haproxy-rr and haproxy-lc; no test: one lost request refutes it',
  };
  const present = Object.values(runs).filter((r): r is LoadRun => r !== undefined);
  const absent = Object.keys(runs).filter((k) => !runs[k]);
  if (!present.length) return notMeasured(base, missing(...absent));
  const parts = present.map((run) => {
    const lost = run.samples.reduce((n, s) => n + s.loss, 0);
    const worst = levelsOf(run).filter((l) => valuesAt(run, loss, l).some((v) => v > 0));
    return { run, lost, worst, top: Math.max(...levelsOf(run)), runs: run.samples.length };
  });
  const lost = parts.reduce((n, x) => n + x.lost, 0);
  const measured = parts
    .map((x) => `${name(x.run)}: ${x.lost} lost in ${x.runs} runs up to ${x.top}${x.worst.length ? ` (at ${x.worst.join(', ')})` : ''}`)
    .join('; ');
  const short = parts.filter((x) => x.top < THESIS.noLossUpTo);
  const note = short.length ? `; measured only up to ${Math.min(...short.map((x) => x.top))}` : '';
  const missingOne = absent.length ? `; ${missing(...absent)}` : '';
  return {
    ...base,
    measured: measured + note + missingOne,
    p: null,
    verdict: lost > 0 ? 'does not hold' : 'holds',
    measured_values: [lost],
    ratio: null,
  };
}

/** HAProxy loses fewer requests than Nginx, at the highest level both ran (the thesis: 0 vs 470.133 at 10000). */
function lessLossClaim(pair: [LoadRun, LoadRun] | string, alpha: number): ConclusionRow {
  const base = {
    id: 'haproxy-nginx-loss',
    bullet: 5,
    claim: 'HAProxy loses fewer requests than Nginx',
    thesis: `0 vs ${THESIS.nginxLoss[10000]} at 10000 (Nginx: ${THESIS.nginxLoss[1000]} from 1000 on)`,
    unit: 'requests',
    thesis_values: [0, THESIS.nginxLoss[10000]],
    method: 'lost requests per run at the highest level both ran; Mann-Whitney U, two-sided',
  };
  if (typeof pair === 'string') return notMeasured(base, pair);
  const [h, n] = pair;
  const level = Math.max(...levelsOf(h).filter((l) => levelsOf(n).includes(l)));
  if (!Number.isFinite(level)) return notMeasured(base, `no level run by both ${name(h)} and ${name(n)}`);
  const [a, b] = [valuesAt(h, loss, level), valuesAt(n, loss, level)];
  const j = judge(a, b, 'lower', alpha);
  const perLevel = levelsOf(n)
    .map((l) => `${l}: ${count(meanOf(valuesAt(h, loss, l)))} vs ${count(meanOf(valuesAt(n, loss, l)))}`)
    .join('; ');
  const measured = `${name(h)} ${count(meanOf(a))} vs ${name(n)} ${count(meanOf(b))} at ${level}; n ${a.length} + ${b.length} (mean lost per run, ${perLevel})`;
  return { ...base, measured, p: j.p, verdict: j.verdict, measured_values: [meanOf(a), meanOf(b)], ratio: null };
}

/**
 * Failover downtime against the thesis's mean: ICMP downtime where probed (the thesis's probe),
 * else HTTP, else TCP. It holds when every repetition recovered and a one-sample Student t test
 * does not reject the thesis's mean at alpha and the 95 % CI lies within ±25 % of it.
 */
const DOWNTIME_BAND = 0.25;

function failoverClaim(input: FailoverInput, alpha: number): ConclusionRow {
  const base = {
    id: 'failover-downtime',
    bullet: 3,
    claim: 'The balancer pair fails over, with a mean downtime of 1992.8 ms',
    thesis: `${THESIS.downtimeMs} ms, mean of ${THESIS.downtimeN} (ICMP every 5 ms)`,
    unit: 'ms',
    thesis_values: [THESIS.downtimeMs],
    method:
      'downtime per repetition (last answer before the outage to the first after it); every repetition must recover; one-sample Student t test against 1992.8 ms; holds when not rejected and the 95 % CI lies within ±25 % of it',
  };
  if ('missing' in input) return notMeasured(base, input.missing);
  const probe = (['icmp', 'http', 'tcp'] as const).find((t) => input.samples.some((s) => typeof s.downtime_ms[t] === 'number'));
  if (!probe) return notMeasured(base, `no downtime measured in ${input.dir}`);
  const failed = input.samples.filter((s) => !s.recovered || typeof s.downtime_ms[probe] !== 'number').length;
  const xs = finiteValues(input.samples.map((s) => s.downtime_ms[probe]));
  const d = describe(xs);
  const method = base.method.replace('downtime per repetition', `${probe.toUpperCase()} downtime per repetition`);
  let measured =
    `mean ${fmt(d.mean)} ms` +
    (d.ci_low !== null ? ` (95 % CI ${fmt(d.ci_low)}–${fmt(d.ci_high)}), median ${fmt(d.median)}` : '') +
    `, n ${xs.length}`;
  if (failed) measured += `; ${failed} of ${input.samples.length} repetitions did not recover`;
  let p: number | null = null;
  let verdict: Verdict;
  if (failed) verdict = 'does not hold';
  else if (d.sd === null) verdict = 'not significant';
  else {
    const t = d.sd === 0 ? (d.mean === THESIS.downtimeMs ? 0 : Infinity) : (d.mean! - THESIS.downtimeMs) / (d.sd / Math.sqrt(d.n));
    p = Number.isFinite(t) ? tTwoSided(t, d.n - 1) : 0;
    // not rejecting is not agreeing: "holds" also needs the 95 % CI inside ±25 % of the thesis's
    // mean, so that two wildly different repetitions cannot confirm it
    const band = [THESIS.downtimeMs * (1 - DOWNTIME_BAND), THESIS.downtimeMs * (1 + DOWNTIME_BAND)];
    const precise = d.ci_low !== null && d.ci_high !== null && d.ci_low >= band[0] && d.ci_high <= band[1];
    verdict = p < alpha ? 'does not hold' : precise ? 'holds' : 'not significant';
    if (p < alpha) measured += d.mean! < THESIS.downtimeMs ? ' — shorter than the thesis' : ' — longer than the thesis';
  }
  return { ...base, method, measured, p, verdict, measured_values: [d.mean], ratio: null };
}

/** haproxy vs nginx as `lb-bench compare haproxy nginx` resolves them among these runs, or why not. */
export function haproxyNginx(runs: readonly LoadRun[]): [LoadRun, LoadRun] | string {
  try {
    return pickPair({ ref: 'haproxy' }, { ref: 'nginx' }, runs);
  } catch (e) {
    return `compare haproxy nginx: ${(e as Error).message}`;
  }
}

const rpsSpec = (a: keyof typeof THESIS.rps, b: keyof typeof THESIS.rps): Pick<RatioSpec, 'figure' | 'unit' | 'thesis' | 'names'> => ({
  names: [a, b],
  figure: rps,
  unit: 'req/s',
  thesis: [THESIS.rps[a], THESIS.rps[b]],
});

/** What the thesis claims on peak figures (req/s, throughput), as ratios: "X serves more than Y". */
const RATIOS = {
  lcSingle: {
    id: 'lb-rps',
    bullet: 2,
    claim: 'Load balancing (HAProxy, least connection) serves more req/s than the single server',
    ...rpsSpec('haproxy-lc', 'single'),
  },
  rrSingle: {
    id: 'lb-rps-rr',
    bullet: 2,
    claim: 'Load balancing (HAProxy, round robin) serves more req/s than the single server',
    ...rpsSpec('haproxy-rr', 'single'),
  },
  nginxSingle: {
    id: 'lb-rps-nginx',
    bullet: 2,
    claim: 'Load balancing (Nginx, round robin) serves more req/s than the single server',
    ...rpsSpec('nginx-rr', 'single'),
  },
  lcRrRps: {
    id: 'lc-rr-rps',
    bullet: 4,
    claim: 'Least connection serves more req/s than round robin (HAProxy)',
    ...rpsSpec('haproxy-lc', 'haproxy-rr'),
  },
  lcRrThroughput: {
    id: 'lc-rr-throughput',
    bullet: 4,
    claim: 'Least connection has more throughput than round robin (HAProxy)',
    names: ['haproxy-lc', 'haproxy-rr'],
    figure: throughput,
    unit: 'MB/s',
    thesis: [THESIS.throughput_mbps['haproxy-lc'], THESIS.throughput_mbps['haproxy-rr']],
  },
} satisfies Record<string, RatioSpec>;

/** HAProxy ÷ Nginx as compare pairs them (haproxy-rr with nginx-rr; haproxy-lc when rr has no run): the thesis's ratio of those two. */
function haproxyNginxClaim(pair: [LoadRun, LoadRun] | string, alpha: number): ConclusionRow {
  const [h, n] = typeof pair === 'string' ? [undefined, undefined] : pair;
  const hName = h && h.manifest.scenario.name in THESIS.rps ? (h.manifest.scenario.name as keyof typeof THESIS.rps) : 'haproxy-rr';
  const spec: RatioSpec = {
    id: 'haproxy-nginx-rps',
    bullet: 6,
    claim: 'HAProxy serves more req/s than Nginx (round robin)',
    ...rpsSpec(hName, 'nginx-rr'),
    names: ['haproxy', 'nginx'],
  };
  const row = ratioClaim(spec, h, n, alpha);
  return typeof pair === 'string' ? { ...row, measured: pair } : row;
}

export function conclusions(input: ConclusionInput): ConclusionRow[] {
  const { runs, alpha } = input;
  const present = Object.values(runs).filter((r): r is LoadRun => r !== undefined && r.samples.length > 0);
  // haproxy vs nginx as compare would choose them: when it cannot, it says why
  const pair = haproxyNginx(present);
  const [lc, rr] = [runs['haproxy-lc'], runs['haproxy-rr']];
  return [
    ratioClaim(RATIOS.lcSingle, lc, runs.single, alpha),
    ratioClaim(RATIOS.rrSingle, rr, runs.single, alpha),
    ratioClaim(RATIOS.nginxSingle, runs['nginx-rr'], runs.single, alpha),
    cpuClaim('haproxy-rr', rr, runs.single, alpha),
    cpuClaim('haproxy-lc', lc, runs.single, alpha),
    noLossClaim({ 'haproxy-rr': rr, 'haproxy-lc': lc }),
    ratioClaim(RATIOS.lcRrRps, lc, rr, alpha),
    ratioClaim(RATIOS.lcRrThroughput, lc, rr, alpha),
    haproxyNginxClaim(pair, alpha),
    lessLossClaim(pair, alpha),
    failoverClaim(input.failover, alpha),
  ];
}
