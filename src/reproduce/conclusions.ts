/**
 * The thesis's conclusions (§5.1) set against what this machine measured: one row each, with a
 * verdict. Pure: stored runs in, rows out.
 *
 * Where two samples are compared, the samples are the repetitions (never the requests) and the
 * test is Mann-Whitney U, two-sided (src/stats): a claim `holds` when the difference goes the
 * thesis's way with p < alpha, `does not hold` when it goes the other way with p < alpha, and is
 * `not significant` otherwise. Peak figures (the thesis reports maxima) compare each scenario's
 * repetitions at its own peak level, the level with the highest mean.
 */
import { pickPair } from '../compare/resolve.js';
import type { FailoverSample, RunSample } from '../results/types.js';
import { levelsOf, type LoadRun } from '../run/stored.js';
import { describe, finiteValues, mannWhitneyU } from '../stats/describe.js';
import { tTwoSided } from '../stats/distributions.js';
import { fmt, pValue } from '../util/format.js';
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
const pct = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v).toFixed(Math.abs(v) >= 10 ? 0 : 1)} %`;
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

/** The level with the highest mean of the metric, and the repetitions there. */
export function peak(run: LoadRun, metric: Metric): { level: number; values: number[]; mean: number } | null {
  let best: { level: number; values: number[]; mean: number } | null = null;
  for (const level of levelsOf(run)) {
    const values = valuesAt(run, metric, level);
    const mean = meanOf(values);
    if (mean !== null && (!best || mean > best.mean)) best = { level, values, mean };
  }
  return best;
}

function notMeasured(base: Omit<ConclusionRow, 'measured' | 'p' | 'verdict' | 'measured_values'>, why: string): ConclusionRow {
  return { ...base, measured: why, p: null, verdict: 'not measured', measured_values: [] };
}

const missing = (...names: string[]) => `no run of ${names.join(' and ')}`;

/** "X is higher than Y" on peak figures: req/s or throughput. */
function peakClaim(
  base: Omit<ConclusionRow, 'measured' | 'p' | 'verdict' | 'measured_values' | 'method'>,
  hi: LoadRun | undefined,
  lo: LoadRun | undefined,
  metric: Metric,
  alpha: number,
  names: [string, string],
): ConclusionRow {
  const method = "each side's repetitions at its peak level (highest mean); Mann-Whitney U, two-sided";
  if (!hi || !lo) return notMeasured({ ...base, method }, missing(...names.filter((_, i) => ![hi, lo][i])));
  const [a, b] = [peak(hi, metric), peak(lo, metric)];
  if (!a || !b) return notMeasured({ ...base, method }, `no ${base.unit} in ${!a ? name(hi) : name(lo)}`);
  const j = judge(a.values, b.values, 'higher', alpha);
  const measured =
    `${name(hi)} ${fmt(a.mean)} (at ${a.level}) vs ${name(lo)} ${fmt(b.mean)} (at ${b.level}) ${base.unit}, ` +
    `${pct(((a.mean - b.mean) / Math.abs(b.mean)) * 100)}; n ${a.values.length} + ${b.values.length}`;
  return { ...base, method, measured, p: j.p, verdict: j.verdict, measured_values: [a.mean, b.mean] };
}

/**
 * Backend CPU under load balancing against the single server. Per run: the mean busy CPU (% of a
 * web server's CPU share) of every web server the balancer used, averaged over them; against the
 * single server's own CPU (the busiest backend of the single run, web1 in the lab) in the single
 * scenario's runs at the same level. Reduction = single − balanced, in points and in % of single.
 */
function cpuClaim(role: LoadRole, lb: LoadRun | undefined, single: LoadRun | undefined, alpha: number): ConclusionRow {
  const base = {
    id: `lb-cpu-${role}`,
    bullet: 1,
    claim: `Load balancing (${role}) lowers backend CPU against the single server`,
    thesis: `by ${THESIS.cpuReduction[0]}–${THESIS.cpuReduction[1]} % (§4.1; §5.1: 21 %)`,
    unit: '% CPU',
    thesis_values: [...THESIS.cpuReduction],
    method: '',
  };
  if (!lb || !single)
    return notMeasured({ ...base, method: 'CPU sampled on the backends' }, missing(...(lb ? [] : [role]), ...(single ? [] : ['single'])));
  const hosts = (run: LoadRun) => [...new Set(run.samples.flatMap((s) => Object.keys(s.cpu ?? {})))].sort();
  const cpu = (s: RunSample, h: string) => s.cpu?.[h]?.mean ?? null;
  const singleHosts = hosts(single);
  const server = singleHosts
    .map((h) => ({ h, m: meanOf(finiteValues(single.samples.map((s) => cpu(s, h)))) ?? -1 }))
    .sort((x, y) => y.m - x.m)[0]?.h;
  const webs = hosts(lb);
  const method = `per run: mean of ${webs.length ? webs.join(', ') : 'the web servers'}'s busy CPU under ${name(lb)} vs ${server ?? 'the single server'} alone in single, at each level both ran; reduction = single − balanced (points, and % of single); Mann-Whitney U at every level; holds only if it holds at each`;
  if (!server || !webs.length)
    return notMeasured(
      { ...base, method },
      `no backend CPU sampled in ${!server ? name(single) : name(lb)} (the scenario has no \`backends\`)`,
    );
  const balanced = (s: RunSample) => {
    const xs = finiteValues(webs.map((h) => cpu(s, h)));
    return xs.length === webs.length ? meanOf(xs) : null; // a run with a host missing is left out, not averaged over fewer
  };
  const levels = levelsOf(lb).filter((l) => levelsOf(single).includes(l));
  const parts: { level: number; a: number[]; b: number[]; j: Judgement }[] = [];
  for (const level of levels) {
    const a = valuesAt(lb, balanced, level);
    const b = valuesAt(single, (s) => cpu(s, server), level);
    if (a.length && b.length) parts.push({ level, a, b, j: judge(a, b, 'lower', alpha) });
  }
  if (!parts.length) return notMeasured({ ...base, method }, `no level with CPU in both ${name(lb)} and single`);
  const points = parts.map((x) => meanOf(x.b)! - meanOf(x.a)!);
  const relative = parts.map((x, i) => (points[i] / meanOf(x.b)!) * 100);
  const range = (xs: number[], f: (v: number) => string) =>
    Math.min(...xs) === Math.max(...xs) ? f(xs[0]) : `${f(Math.min(...xs))} to ${f(Math.max(...xs))}`;
  const perLevel = parts.map((x) => `${x.level}: ${fmt(meanOf(x.b)!)} → ${fmt(meanOf(x.a)!)} (p ${pValue(x.j.p)})`).join('; ');
  const measured = `lower by ${range(points, (v) => v.toFixed(1))} points, ${range(relative, (v) => `${v.toFixed(0)}`)} % of single (${perLevel})`;
  const j = combine(parts.map((x) => x.j));
  return { ...base, method, measured, p: j.p, verdict: j.verdict, measured_values: [Math.min(...relative), Math.max(...relative)] };
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
  return { ...base, measured, p: j.p, verdict: j.verdict, measured_values: [meanOf(a), meanOf(b)] };
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
  return { ...base, method, measured, p, verdict, measured_values: [d.mean] };
}

/** haproxy vs nginx as `lb-bench compare haproxy nginx` resolves them among these runs, or why not. */
export function haproxyNginx(runs: readonly LoadRun[]): [LoadRun, LoadRun] | string {
  try {
    return pickPair({ ref: 'haproxy' }, { ref: 'nginx' }, runs);
  } catch (e) {
    return `compare haproxy nginx: ${(e as Error).message}`;
  }
}

type PeakBase = Parameters<typeof peakClaim>[0];

const rpsOf = (a: keyof typeof THESIS.rps, b: keyof typeof THESIS.rps) => ({
  unit: 'req/s',
  thesis_values: [THESIS.rps[a], THESIS.rps[b]],
});

/** What the thesis claims on peak figures (req/s, throughput): "X serves more than Y". */
const PEAKS: Record<'lbRps' | 'lcRrRps' | 'lcRrThroughput' | 'haproxyNginxRps', PeakBase> = {
  lbRps: {
    id: 'lb-rps',
    bullet: 2,
    claim: 'Load balancing (HAProxy, least connection) serves more req/s than the single server',
    thesis: `${THESIS.rps['haproxy-lc']} vs ${THESIS.rps.single} req/s (peaks)`,
    ...rpsOf('haproxy-lc', 'single'),
  },
  lcRrRps: {
    id: 'lc-rr-rps',
    bullet: 4,
    claim: 'Least connection serves more req/s than round robin (HAProxy)',
    thesis: `${THESIS.rps['haproxy-lc']} vs ${THESIS.rps['haproxy-rr']} req/s`,
    ...rpsOf('haproxy-lc', 'haproxy-rr'),
  },
  lcRrThroughput: {
    id: 'lc-rr-throughput',
    bullet: 4,
    claim: 'Least connection has more throughput than round robin (HAProxy)',
    thesis: `${THESIS.throughput_mbps['haproxy-lc']} vs ${THESIS.throughput_mbps['haproxy-rr']} MB/s`,
    unit: 'MB/s',
    thesis_values: [THESIS.throughput_mbps['haproxy-lc'], THESIS.throughput_mbps['haproxy-rr']],
  },
  haproxyNginxRps: {
    id: 'haproxy-nginx-rps',
    bullet: 6,
    claim: 'HAProxy serves more req/s than Nginx (round robin)',
    thesis: `${THESIS.rps['haproxy-rr']} vs ${THESIS.rps['nginx-rr']} req/s`,
    ...rpsOf('haproxy-rr', 'nginx-rr'),
  },
};

export function conclusions(input: ConclusionInput): ConclusionRow[] {
  const { runs, alpha } = input;
  const present = Object.values(runs).filter((r): r is LoadRun => r !== undefined && r.samples.length > 0);
  const pair = haproxyNginx(present);
  const [h, n] = typeof pair === 'string' ? [undefined, undefined] : pair;
  // haproxy vs nginx as compare would choose them: when it cannot, it says why
  const haproxyNginxRps = peakClaim(PEAKS.haproxyNginxRps, h, n, rps, alpha, ['haproxy', 'nginx']);
  return [
    peakClaim(PEAKS.lbRps, runs['haproxy-lc'], runs.single, rps, alpha, ['haproxy-lc', 'single']),
    cpuClaim('haproxy-rr', runs['haproxy-rr'], runs.single, alpha),
    cpuClaim('haproxy-lc', runs['haproxy-lc'], runs.single, alpha),
    noLossClaim({ 'haproxy-rr': runs['haproxy-rr'], 'haproxy-lc': runs['haproxy-lc'] }),
    peakClaim(PEAKS.lcRrRps, runs['haproxy-lc'], runs['haproxy-rr'], rps, alpha, ['haproxy-lc', 'haproxy-rr']),
    peakClaim(PEAKS.lcRrThroughput, runs['haproxy-lc'], runs['haproxy-rr'], throughput, alpha, ['haproxy-lc', 'haproxy-rr']),
    typeof pair === 'string' ? { ...haproxyNginxRps, measured: pair } : haproxyNginxRps,
    lessLossClaim(pair, alpha),
    failoverClaim(input.failover, alpha),
  ];
}
