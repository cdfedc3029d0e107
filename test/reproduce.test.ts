/**
 * reproduce: the conclusions table from literal runs (ratios worked out by hand, their intervals
 * against Fieller's where the bootstrap must agree with it; p-values from scipy 1.17.1,
 * `scipy.stats.mannwhitneyu(a, b, alternative='two-sided')` and `ttest_1samp(x, 1992.8)`), and
 * the whole command against local HTTP servers: four load scenarios and a failover scenario aimed
 * at servers this test starts on 127.0.0.1, with no `inventory: lab`, so the lab step is skipped.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FailoverSample } from '../src/kinds/failover/sample.js';
import type { RunSample, LoadRun } from '../src/kinds/load/sample.js';
import { combine, conclusions, judge, judgeRatio, thesisInside, type ConclusionRow } from '../src/reproduce/conclusions.js';
import { conclusionsCsv, conclusionsMarkdown, conclusionsTable } from '../src/reproduce/conclusions-tables.js';
import { md } from '../src/export/md.js';
import { writeReproduceReport } from '../src/reproduce/report.js';
import { runCli } from './helpers/cli.js';
import { assertJunit } from './helpers/junit.js';
import { fakeEngineCli, useFakeEngine, type FakeScript } from './helpers/fake-engine.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { workspace, type Workspace } from './helpers/scenario.js';
import { manifest, scenario } from './report-fixtures.js';

/** A stored run whose metrics at each level are the given lists, one value per repetition. */
function run(
  name: string,
  balancer: string,
  algorithm: string,
  levels: Record<number, { rps?: number[]; throughput?: number[]; loss?: number[]; cpu?: Record<string, number[]> }>,
): LoadRun {
  const samples: RunSample[] = [];
  for (const [level, m] of Object.entries(levels)) {
    const n = Math.max(
      m.rps?.length ?? 0,
      m.throughput?.length ?? 0,
      m.loss?.length ?? 0,
      ...Object.values(m.cpu ?? {}).map((x) => x.length),
    );
    for (let i = 0; i < n; i++) {
      const lost = m.loss?.[i] ?? 0;
      samples.push({
        level: Number(level),
        repetition: i + 1,
        started_at: '2026-01-02T03:04:05.000Z',
        ended_at: '2026-01-02T03:04:06.000Z',
        requested: Number(level),
        completed: Number(level) - lost,
        loss: lost,
        errors: lost,
        timeouts: 0,
        non2xx: 0,
        bytes: 0,
        duration_s: 1,
        rps: m.rps?.[i] ?? 1000,
        throughput_mbps: m.throughput?.[i] ?? 1,
        latency_ms: { p50: 1, p90: 2, p99: 3, max: 4 },
        generator_cpu: 10,
        generator_bound: false,
        cpu: m.cpu ? Object.fromEntries(Object.entries(m.cpu).map(([h, xs]) => [h, { mean: xs[i], peak: xs[i] }])) : undefined,
      });
    }
  }
  const sc = scenario(name, { balancer, algorithm });
  // the four ran together, as reproduce runs them: each manifest names every folder of the invocation
  const interleaved = ['x-single', 'x-haproxy-rr', 'x-haproxy-lc', 'x-nginx-rr'];
  return { dir: `results/x-${name}`, manifest: { id: `x-${name}`, ...manifest(sc, samples.length), interleaved }, samples };
}

const zeros = [0, 0, 0, 0, 0];
const idle = [0.1, 0.1, 0.2, 0.1, 0.1];
const runs = {
  single: run('single', 'none', 'none', {
    1000: { rps: [1000, 1012, 990, 1005, 996], cpu: { web1: [80, 82, 84, 81, 83], web2: idle, web3: idle } },
    5000: { rps: [1050, 1061, 1043, 1055, 1048], cpu: { web1: [90, 91, 89, 92, 88], web2: idle, web3: idle } },
  }),
  'haproxy-rr': run('haproxy-rr', 'haproxy', 'roundrobin', {
    1000: {
      rps: [2200, 2210, 2190, 2205, 2195],
      loss: zeros,
      cpu: { web1: [60, 61, 62, 63, 64], web2: [59, 60, 61, 62, 63], web3: [61, 62, 63, 64, 65] },
    },
    5000: {
      rps: [2335, 2320, 2344, 2329, 2350],
      throughput: [3.6, 3.62, 3.61, 3.63, 3.64],
      loss: zeros,
      cpu: { web1: [70, 71, 72, 73, 74], web2: [70, 71, 72, 73, 74], web3: [70, 71, 72, 73, 74] },
    },
  }),
  'haproxy-lc': run('haproxy-lc', 'haproxy', 'leastconn', {
    1000: {
      rps: [2290, 2301, 2312, 2285, 2296],
      loss: zeros,
      cpu: { web1: [60, 61, 62, 63, 64], web2: [60, 61, 62, 63, 64], web3: [60, 61, 62, 63, 64] },
    },
    // at 5000 the balanced servers are busier than the single one: the CPU claim is refuted there
    5000: {
      rps: [2330, 2341, 2325, 2352, 2338],
      throughput: [3.5, 3.52, 3.49, 3.55, 3.51],
      loss: [0, 0, 0, 2, 0],
      cpu: { web1: [95, 96, 94, 97, 93], web2: [95, 96, 94, 97, 93], web3: [95, 96, 94, 97, 93] },
    },
  }),
  'nginx-rr': run('nginx-rr', 'nginx', 'roundrobin', {
    1000: { rps: [2000, 2010, 1995, 2020, 2005], loss: [100, 98, 105, 101, 103] },
    5000: { rps: [2100, 2110, 2095, 2120, 2105], loss: [300, 310, 290, 305, 298] },
  }),
};

function failoverSample(rep: number, icmp: number | null, recovered = true): FailoverSample {
  return {
    repetition: rep,
    started_at: '',
    ended_at: '',
    injected_at: '',
    recovered_at: null,
    downtime_ms: { icmp, http: icmp === null ? null : icmp + 100 },
    failback_downtime_ms: { icmp: 0 },
    availability: { icmp: 99 },
    window_ms: 10_000,
    probes: {},
    recovered,
    failed_back: recovered,
  };
}

const byId = (rows: ConclusionRow[], id: string) => {
  const row = rows.find((r) => r.id === id);
  assert.ok(row, `row ${id} in ${rows.map((r) => r.id).join(', ')}`);
  return row;
};
const close = (a: number | null, b: number, what: string) => assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

describe('conclusions from literal runs', () => {
  const rows = conclusions({
    runs,
    failover: { dir: 'results/x-failover', samples: [1990, 2001, 1985, 2010, 1995].map((d, i) => failoverSample(i + 1, d)) },
    alpha: 0.05,
  });

  it('has every conclusion of §5.1, each with a verdict', () => {
    assert.deepEqual(
      rows.map((r) => r.id),
      [
        'lb-rps',
        'lb-rps-rr',
        'lb-rps-nginx',
        'lb-cpu-haproxy-rr',
        'lb-cpu-haproxy-lc',
        'haproxy-no-loss',
        'lc-rr-rps',
        'lc-rr-throughput',
        'haproxy-nginx-rps',
        'haproxy-nginx-loss',
        'failover-downtime',
      ],
    );
    assert.deepEqual([...new Set(rows.map((r) => r.bullet))].sort(), [1, 2, 3, 4, 5, 6]);
  });

  it("load balancing ÷ single: the ratio of the peaks, its interval above 1 (holds); the thesis's 1.648 is not inside", () => {
    const r = byId(rows, 'lb-rps');
    assert.equal(r.verdict, 'holds');
    // haproxy-lc peaks at 5000 (2337.2 against 2296.8 at 1000), single too (1051.4 against 1000.6)
    close(r.ratio!.value, 2337.2 / 1051.4, 'ratio');
    assert.deepEqual(r.measured_values, [2337.2, 1051.4]);
    assert.ok(r.ratio!.low! > 1 && r.ratio!.low! < r.ratio!.value! && r.ratio!.value! < r.ratio!.high!, JSON.stringify(r.ratio));
    // five repetitions, each with both levels of both runs: the pairs' ratios at 5000 are 2.19–2.26
    assert.ok(r.ratio!.low! > 2.15 && r.ratio!.high! < 2.3, JSON.stringify(r.ratio));
    close(r.ratio!.thesis as number, 2352.937 / 1428.161, 'thesis ratio');
    assert.equal(r.ratio!.thesis_in_ci, false);
    assert.equal(r.p, null);
    assert.match(r.thesis, /^2352\.937 ÷ 1428\.161 req\/s = 1\.648 \(peaks\)$/);
    assert.match(
      r.measured,
      /^2\.223 \(2\.\d{3}–2\.\d{3}\) at the peaks: haproxy-lc 2337\.2 \(at 5000\) ÷ single 1051\.4 \(at 5000\) req\/s; n 5 repetitions; at each level: 1000: 2\.295 \(/,
    );
    assert.deepEqual(
      r.ratio!.levels.map((l) => [l.level, l.n]),
      [
        [1000, 5],
        [5000, 5],
      ],
    );
    close(r.ratio!.levels[0].ratio, 2296.8 / 1000.6, 'ratio at 1000');
    assert.deepEqual(byId(rows, 'lb-rps-rr').verdict, 'holds');
    close(byId(rows, 'lb-rps-rr').ratio!.value, 2335.6 / 1051.4, 'haproxy-rr ÷ single');
    close(byId(rows, 'lb-rps-nginx').ratio!.thesis as number, 2207.575 / 1428.161, 'thesis nginx ÷ single');
  });

  it("each level's interval is Fieller's to bootstrap error (five pairs)", () => {
    // haproxy-lc ÷ single at 1000, pairs (2290, 1000), (2301, 1012), (2312, 990), (2285, 1005), (2296, 996):
    // Fieller's 95 % interval (t with 4 df) is 2.2638–2.3277
    const [at1000] = byId(rows, 'lb-rps').ratio!.levels;
    const width = 2.3277 - 2.2638;
    assert.ok(Math.abs(at1000.low! - 2.2638) < 0.2 * width && Math.abs(at1000.high! - 2.3277) < 0.2 * width, JSON.stringify(at1000));
  });

  it('CPU ÷ single: below 1 at every level for round robin (holds); above 1 at 5000 for least connection (does not hold)', () => {
    const rr = byId(rows, 'lb-cpu-haproxy-rr');
    assert.equal(rr.verdict, 'holds');
    // 1000: the three web servers' mean 60…64 (62) ÷ web1 alone 80…84 (82); 5000: 72 ÷ 90
    assert.deepEqual(
      rr.ratio!.levels.map((l) => l.level),
      [1000, 5000],
    );
    close(rr.ratio!.levels[0].ratio, 62 / 82, 'rr at 1000');
    close(rr.ratio!.levels[1].ratio, 72 / 90, 'rr at 5000');
    assert.ok(rr.ratio!.levels.every((l) => l.high! < 1));
    assert.match(rr.method, /web1, web2, web3 under haproxy-rr ÷ that of web1 alone in single/);
    assert.deepEqual(rr.ratio!.thesis, [0.79, 0.82]);
    // at 1000 the interval (about 0.74–0.77) lies below the thesis's 0.79–0.82: not inside at every level
    assert.equal(rr.ratio!.thesis_in_ci, false);
    const lc = byId(rows, 'lb-cpu-haproxy-lc');
    assert.equal(lc.verdict, 'does not hold');
    close(lc.ratio!.levels[1].ratio, 95 / 90, 'lc at 5000');
    assert.ok(lc.ratio!.levels[1].low! > 1);
  });

  it('one lost request refutes "no loss"; the level is named', () => {
    const r = byId(rows, 'haproxy-no-loss');
    assert.equal(r.verdict, 'does not hold');
    assert.match(
      r.measured,
      /haproxy-rr: 0 lost in 10 runs up to 5000; haproxy-lc: 2 lost in 10 runs up to 5000 \(at 5000\); measured only up to 5000/,
    );
    assert.equal(r.p, null);
  });

  it('least connection ÷ round robin: req/s 1.0007, its interval across 1 (not significant); throughput 0.971, below 1 (does not hold)', () => {
    const rps = byId(rows, 'lc-rr-rps');
    assert.equal(rps.verdict, 'not significant');
    close(rps.ratio!.value, 2337.2 / 2335.6, 'ratio');
    assert.ok(rps.ratio!.low! < 1 && rps.ratio!.high! > 1);
    // the thesis's 1.042 is beyond the spread of these pairs
    assert.equal(rps.ratio!.thesis_in_ci, false);
    const tput = byId(rows, 'lc-rr-throughput');
    assert.equal(tput.verdict, 'does not hold');
    close(tput.ratio!.value, 3.514 / 3.62, 'throughput ratio');
    assert.ok(tput.ratio!.high! < 1);
    close(tput.ratio!.thesis as number, 3.53 / 3.318, 'thesis ratio');
  });

  it('haproxy ÷ nginx picks haproxy-rr (shared algorithm), as compare does; loss at the highest common level (p 0.0075, ties)', () => {
    const rps = byId(rows, 'haproxy-nginx-rps');
    assert.match(rps.measured, / haproxy-rr 2335\.6 \(at 5000\) ÷ nginx-rr 2106\.0 \(at 5000\) req\/s/);
    assert.equal(rps.verdict, 'holds');
    close(rps.ratio!.thesis as number, 2258.154 / 2207.575, 'thesis 1.023');
    const loss = byId(rows, 'haproxy-nginx-loss');
    assert.equal(loss.verdict, 'holds');
    close(loss.p, 0.007494957516935239, 'p');
    assert.match(loss.measured, /at 5000/);
  });

  it('a ratio whose interval holds the thesis\'s: "yes"; runs that did not run together are said to be paired across invocations', () => {
    // haproxy-lc at 1.648 × single's in every repetition, but for a spread of ±1 %
    const single = runs.single;
    const lc = run('haproxy-lc', 'haproxy', 'leastconn', {
      1000: { rps: single.samples.filter((x) => x.level === 1000).map((x, i) => x.rps * 1.648 * [1, 1.01, 0.99, 1.005, 0.995][i]) },
      5000: { rps: single.samples.filter((x) => x.level === 5000).map((x, i) => x.rps * 1.648 * [0.99, 1, 1.01, 0.995, 1.005][i]) },
    });
    const [row] = conclusions({ runs: { single, 'haproxy-lc': lc }, failover: { missing: 'x' }, alpha: 0.05 });
    assert.equal(row.verdict, 'holds');
    assert.equal(row.ratio!.thesis_in_ci, true);
    assert.ok(!/not run together/.test(row.measured));
    const apart = { ...lc, manifest: { ...lc.manifest, interleaved: undefined } };
    const [alone] = conclusions({ runs: { single, 'haproxy-lc': apart }, failover: { missing: 'x' }, alpha: 0.05 });
    assert.match(alone.measured, /; not run together: paired by level and repetition only$/);
    assert.equal(judgeRatio(0.9, 1.1, 'higher'), 'not significant');
    assert.equal(judgeRatio(1.01, 1.1, 'lower'), 'does not hold');
    assert.equal(judgeRatio(null, null, 'higher'), 'not significant');
    assert.equal(thesisInside([0.79, 0.82], 0.81, 0.9), true);
    assert.equal(thesisInside(1.648, 1.5, 1.6), false);
  });

  it('the table of the report, as it reads', () => {
    const table = md.table(conclusionsTable(rows));
    console.log(table);
    assert.match(table, /\| §5\.1 \| the thesis concludes \| thesis \| this machine \| p \| thesis in CI \| verdict \|/);
    assert.match(
      table,
      /\| 2 \| Load balancing \(HAProxy, least connection\) serves more req\/s than the single server \| 2352\.937 ÷ 1428\.161 req\/s = 1\.648 \(peaks\) \| 2\.223 \(/,
    );
    assert.match(table, /\| – \| no \| holds \|/);
  });

  it('failover: the thesis mean inside our CI holds (one-sample t, p 0.478); ICMP chosen over HTTP', () => {
    const r = byId(rows, 'failover-downtime');
    assert.equal(r.verdict, 'holds');
    close(r.p, 0.47830982783846543, 'p');
    assert.match(r.method, /^ICMP downtime/);
    assert.match(r.measured, /mean 1996\.2 ms/);
  });

  it('failover: shorter downtime does not hold (p 9.5e-5); a repetition that did not recover refutes it; none: not measured', () => {
    const shorter = conclusions({
      runs,
      failover: { dir: 'f', samples: [610, 640, 655].map((d, i) => failoverSample(i + 1, d)) },
      alpha: 0.05,
    });
    const r = byId(shorter, 'failover-downtime');
    assert.equal(r.verdict, 'does not hold');
    close(r.p, 9.490839067622429e-5, 'p');
    assert.match(r.measured, /shorter than the thesis/);
    const lost = conclusions({
      runs,
      failover: { dir: 'f', samples: [failoverSample(1, 2000), failoverSample(2, null, false), failoverSample(3, 1990)] },
      alpha: 0.05,
    });
    assert.equal(byId(lost, 'failover-downtime').verdict, 'does not hold');
    assert.match(byId(lost, 'failover-downtime').measured, /1 of 3 repetitions did not recover/);
    // 500 and 3500: t = 0.0048 does not reject 1992.8, but a CI of −17 000…21 000 ms confirms nothing
    const vague = conclusions({ runs, failover: { dir: 'f', samples: [500, 3500].map((d, i) => failoverSample(i + 1, d)) }, alpha: 0.05 });
    assert.equal(byId(vague, 'failover-downtime').verdict, 'not significant');
    const none = conclusions({ runs, failover: { missing: 'not run: scenarios/failover.yaml does not exist' }, alpha: 0.05 });
    assert.equal(byId(none, 'failover-downtime').verdict, 'not measured');
    assert.equal(byId(none, 'failover-downtime').measured, 'not run: scenarios/failover.yaml does not exist');
  });

  it('three repetitions a side can never be significant at 0.05 (p ≥ 0.1): not significant, not holds', () => {
    assert.deepEqual(judge([10, 11, 12], [1, 2, 3], 'higher', 0.05), { p: 0.1, verdict: 'not significant' });
    assert.equal(judge([10, 11, 12, 13, 14], [1, 2, 3, 4, 5], 'higher', 0.05).verdict, 'holds');
    assert.equal(judge([10, 11, 12, 13, 14], [1, 2, 3, 4, 5], 'lower', 0.05).verdict, 'does not hold');
    assert.deepEqual(judge(zeros, zeros, 'lower', 0.05), { p: 1, verdict: 'not significant' });
    assert.deepEqual(
      combine([
        { p: 0.01, verdict: 'holds' },
        { p: 0.2, verdict: 'not significant' },
      ]),
      { p: 0.2, verdict: 'not significant' },
    );
  });

  it('a missing scenario makes its rows "not measured", naming it', () => {
    const partial = conclusions({
      runs: { single: runs.single, 'haproxy-rr': runs['haproxy-rr'] },
      failover: { missing: 'x' },
      alpha: 0.05,
    });
    assert.equal(byId(partial, 'lb-rps').verdict, 'not measured');
    assert.equal(byId(partial, 'lb-rps').measured, 'no run of haproxy-lc');
    assert.equal(byId(partial, 'lb-cpu-haproxy-lc').measured, 'no run of haproxy-lc');
    assert.match(byId(partial, 'haproxy-nginx-rps').measured, /unknown run "nginx"/);
    assert.equal(byId(partial, 'haproxy-nginx-rps').verdict, 'not measured');
    assert.equal(byId(partial, 'haproxy-no-loss').verdict, 'holds');
    assert.match(byId(partial, 'haproxy-no-loss').measured, /no run of haproxy-lc/);
  });

  it('formats: the table first in summary.md, after the title in index.html, one CSV line per row', () => {
    const ctx = { alpha: 0.05, profile: 'quick', runs: [], notes: ['a note'] };
    const md = conclusionsMarkdown(rows, ctx);
    assert.match(md, /^# Conclusions of the thesis, reproduced\n/);
    assert.match(md, /\| §5\.1 \| the thesis concludes \| thesis \| this machine \| p \| thesis in CI \| verdict \|/);
    assert.match(md, /alpha 0\.05/);
    // where the conclusions stand in the report (after its verdict, before its own sections): reproduce-report.test.ts
    const csv = conclusionsCsv(rows, 0.05).trim().split('\n');
    assert.equal(csv.length, rows.length + 1);
    assert.match(csv[1], /^lb-rps,2,/);
  });

  it('the report: at most one noise line per scenario before the table, every noisy figure in summary.md', async () => {
    const err: string[] = [];
    const io = { out: () => {}, err: (t: string) => void err.push(t), interactive: false, debug: false };
    const outDir = join(mkdtempSync(join(tmpdir(), 'lb-reproduce-')), 'report');
    await writeReproduceReport({
      runs,
      failover: { missing: 'not run' },
      rows,
      context: { alpha: 0.05, profile: 'quick', runs: [], notes: [] },
      outDir,
      io,
    });
    // single's idle web2 and web3 (0.1, 0.1, 0.2, 0.1, 0.1: cv 37 %), mean and peak, at both levels: one line
    assert.deepEqual(
      err.filter((l) => /vary|cv /.test(l)),
      ['warning: single: 4 metrics vary by more than 10 % between repetitions at 1000, 5000 — see report'],
    );
    const md = readFileSync(join(outDir, 'summary.md'), 'utf8');
    assert.match(md, /## Noise between repetitions\n[^#]*\| single \| cpu\.web2\.mean \| 1000 \| 5 \| 0\.120 \| 37\.3 \|/);
  });
});

describe('lb-bench reproduce against local servers (no lab)', () => {
  let ws: Workspace;
  const servers: TestServer[] = [];
  let stoppable: ChildProcess | null = null;
  // the load goes to the fake engine (test/helpers/fake-engine.ts), a script per target: what is
  // tested is the plan, the conclusions and the report; the servers answer the reachability checks
  const scripts: Record<string, FakeScript> = {};
  let fake: ReturnType<typeof useFakeEngine> | null = null;
  const answer = (latencyMs: number) => ({ status: 200, latencyMs, bytes: 1600 });
  /** a target answering each request after `latencyMs`, every tenth with a 503 if `failTenth` */
  async function target(latencyMs: number, failTenth = false): Promise<TestServer> {
    const s = await startServer('ok');
    servers.push(s);
    const ok = Array.from({ length: 10 }, () => answer(latencyMs));
    scripts[s.url] = { outcomes: failTenth ? [...ok.slice(0, 9), { status: 503, latencyMs, bytes: 130 }] : ok };
    return s;
  }

  /**
   * A server in its own process, so that the fault can stop and continue it (SIGSTOP, SIGCONT). As
   * root at a raised priority (nice −10, then exec): busy loops beside it do not starve it past the
   * probes' 200 ms timeout outside the stop. Its pid is the server's either way.
   */
  async function childServer(): Promise<{ pid: number; port: number }> {
    const code = "const s=require('http').createServer((q,r)=>r.end('ok')).listen(0,'127.0.0.1',()=>console.log(s.address().port))";
    const [cmd, args] = process.getuid?.() === 0 ? ['nice', ['-n', '-10', process.execPath, '-e', code]] : [process.execPath, ['-e', code]];
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    stoppable = child;
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
      child.once('exit', () => reject(new Error('the child server ended')));
    });
    return { pid: child.pid!, port };
  }

  const load = (name: string, balancer: string, algorithm: string, url: string) =>
    [
      `name: ${name}`,
      `balancer: ${balancer}`,
      `algorithm: ${algorithm}`,
      `target: ${url}`,
      'load: { levels: [50, 100], concurrency: 5, repetitions: 10, timeout: 5s, cooldown: 0ms }',
      'profiles: { quick: { load: { repetitions: 3 } } }',
      '',
    ].join('\n');

  before(async () => {
    ws = workspace();
    const [slow, rrServer, lcServer, nginx] = [await target(15), await target(5), await target(0), await target(0, true)];
    fake = useFakeEngine(scripts);
    ws.write('single.yaml', load('single', 'none', 'none', slow.url));
    ws.write('haproxy-rr.yaml', load('haproxy-rr', 'haproxy', 'roundrobin', rrServer.url));
    ws.write('haproxy-lc.yaml', load('haproxy-lc', 'haproxy', 'leastconn', lcServer.url));
    ws.write('nginx-rr.yaml', load('nginx-rr', 'nginx', 'roundrobin', nginx.url));
  });
  after(async () => {
    fake?.restore();
    if (stoppable?.pid && stoppable.exitCode === null) {
      process.kill(stoppable.pid, 'SIGCONT');
      process.kill(stoppable.pid, 'SIGTERM');
    }
    for (const s of servers) await s.close();
    ws?.remove();
  });

  it('without failover.yaml: runs the four, says failover is not run, skips the lab, ends with the report folder', async () => {
    const out = join(ws.dir, 'report-1');
    const junit = join(out, 'junit.xml');
    const r = await runCli(['reproduce', '--scenarios', ws.dir, '--results', ws.results, '--out', out, '--junit', junit]);
    assert.equal(r.code, 0, r.err.join('\n'));
    // --junit: the scenarios and the conclusions as test cases, every one passed (reproduce gates on nothing but its environment)
    const suites = await assertJunit(readFileSync(junit, 'utf8'));
    assert.deepEqual(
      suites.map((s) => [s.name, s.cases.length, s.cases.every((c) => c.outcome === 'passed')]),
      [
        ['reproduce: scenarios', 4, true],
        ['reproduce: conclusions', 11, true],
      ],
    );
    assert.equal(resolve(r.last), out);
    assert.ok(!r.err.some((l) => l.startsWith('lab:')), 'no lab step');
    assert.ok(
      r.err.some((l) => /single: 3 repetitions in profile quick raised to 5/.test(l)),
      r.err.join('\n'),
    );
    const json = JSON.parse(readFileSync(join(out, 'conclusions.json'), 'utf8')) as {
      conclusions: ConclusionRow[];
      runs: { scenario: string }[];
    };
    const verdicts = Object.fromEntries(json.conclusions.map((c) => [c.id, c.verdict]));
    assert.deepEqual(verdicts, {
      'lb-rps': 'holds', // no delay vs a 15 ms delay
      'lb-rps-rr': 'holds', // 5 ms vs 15 ms
      'lb-rps-nginx': 'holds', // no delay (but every 10th a 503) vs 15 ms
      'lb-cpu-haproxy-rr': 'not measured', // no backends sampled
      'lb-cpu-haproxy-lc': 'not measured',
      'haproxy-no-loss': 'holds',
      'lc-rr-rps': 'holds', // no delay vs 5 ms
      'lc-rr-throughput': 'holds',
      'haproxy-nginx-rps': 'does not hold', // "nginx" here answers at once, but every 10th with a 503
      'haproxy-nginx-loss': 'holds',
      'failover-downtime': 'not measured',
    });
    assert.match(json.conclusions.at(-1)!.measured, /failover\.yaml does not exist/);
    assert.deepEqual(
      json.runs.map((x) => x.scenario),
      ['single', 'haproxy-rr', 'haproxy-lc', 'nginx-rr'],
    );
    // 2 levels × 5 repetitions each
    for (const dir of ws.runFolders()) assert.equal(ws.samples(dir).length, 10, dir);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    // the verdict first, then the conclusions, then the report's own sections
    assert.match(summary, /^# lb-bench report\n\n## Verdict\n/);
    assert.ok(summary.indexOf('## Conclusions of the thesis, reproduced') > summary.indexOf('### Read with care'));
    assert.ok(summary.indexOf('## Runs') > summary.indexOf('| verdict |'), 'the report follows the conclusions');
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    assert.ok(html.indexOf('id="conclusions"') < html.indexOf('<h2>Runs</h2>'));
    for (const f of ['summary.csv', 'conclusions.csv', 'compare-haproxy-nginx.md', 'rps.png']) assert.ok(existsSync(join(out, f)), f);
    // stdout: the table, then the folder
    assert.ok(
      r.out.some((l) => l.startsWith('| 2 | Load balancing (HAProxy, least connection) serves more req/s')),
      r.out.join('\n'),
    );
  });

  it('with a failover scenario: a server stopped for 400 ms, far shorter than the thesis (does not hold)', async () => {
    const { pid, port } = await childServer();
    ws.write(
      'failover.yaml',
      [
        'name: failover',
        'kind: failover',
        `target: http://127.0.0.1:${port}/`,
        'probe: { type: http, interval: 5ms, timeout: 200ms }',
        `fault: { host: local, inject: { local: "kill -STOP ${pid}; sleep 0.4; kill -CONT ${pid}" }, settle: 300ms, hold: 300ms, bound: 5s }`,
        'repetitions: 5',
        'profiles: { quick: { repetitions: 3 } }',
        '',
      ].join('\n'),
    );
    const out = join(ws.dir, 'report-2');
    const r = await runCli(['reproduce', '--scenarios', ws.dir, '--results', ws.results, '--out', out]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const json = JSON.parse(readFileSync(join(out, 'conclusions.json'), 'utf8')) as { conclusions: ConclusionRow[]; notes: string[] };
    const f = json.conclusions.find((c) => c.id === 'failover-downtime')!;
    assert.equal(f.verdict, 'does not hold', JSON.stringify(f));
    assert.match(f.method, /^HTTP downtime/);
    // probes sent in the last 200 ms (their timeout) of the stop are answered when it ends: ~200–400 ms
    const mean = f.measured_values[0]!;
    assert.ok(mean > 100 && mean < 900, `mean downtime ${mean} ms for a 400 ms stop`);
    assert.match(f.measured, /n 3 — shorter than the thesis$/);
    assert.ok(
      json.notes.some((n) => /^failover, http probe: downtime mean/.test(n)),
      json.notes.join('\n'),
    );
  });

  it('SIGINT: stops at once with exit 130, keeps the finished runs of the four (run together), writes no report', async () => {
    const dir = join(ws.dir, 'interrupt');
    mkdirSync(dir);
    for (const f of ['single', 'haproxy-rr', 'haproxy-lc', 'nginx-rr']) copyFileSync(join(ws.dir, `${f}.yaml`), join(dir, `${f}.yaml`));
    const results = join(dir, 'results');
    const out = join(dir, 'report');
    const args = ['reproduce', '--scenarios', dir, '--results', results, '--out', out];
    const child = spawn(process.execPath, fakeEngineCli(scripts, join(dir, 'shares.jsonl'), args), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    const code = await new Promise<number | null>((done) => {
      child.stderr!.on('data', (d: Buffer) => {
        err += String(d);
        // haproxy-rr's first run is done: the four are under way, interleaved
        if (/haproxy-rr +level \d+ +rep 1\/5 .*req\/s/.test(err) && child.exitCode === null && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => done(c));
    });
    assert.equal(code, 130, err);
    assert.ok(!existsSync(out), 'no report');
    const folders = readdirSync(results);
    const manifests = folders.map(
      (d) =>
        JSON.parse(readFileSync(join(results, d, 'manifest.json'), 'utf8')) as {
          scenario: { name: string };
          status: string;
          interleaved: string[];
        },
    );
    assert.deepEqual(manifests.map((m) => [m.scenario.name, m.status]).sort(), [
      ['haproxy-lc', 'interrupted'],
      ['haproxy-rr', 'interrupted'],
      ['nginx-rr', 'interrupted'],
      ['single', 'interrupted'],
    ]);
    for (const m of manifests) assert.deepEqual([...m.interleaved].sort(), [...folders].sort());
    assert.ok(
      ws.samples(
        join(
          results,
          folders.find((f) => f.endsWith('haproxy-rr'))!,
        ),
      ).length >= 1,
    );
    assert.match(err, /finish them all, interleaved as before, with: lb-bench run --resume /);
  });

  it('a missing scenario file or profile is exit 2 before anything runs, every problem listed', async () => {
    const empty = join(ws.dir, 'empty');
    const r = await runCli(['reproduce', '--scenarios', empty, '--results', join(ws.dir, 'none')]);
    assert.equal(r.code, 2);
    for (const name of ['single', 'haproxy-rr', 'haproxy-lc', 'nginx-rr'])
      assert.ok(
        r.err.some((l) => l.includes(`${name}.yaml: cannot read`)),
        name,
      );
    assert.ok(!existsSync(join(ws.dir, 'none')));
    const p = await runCli(['reproduce', '--scenarios', ws.dir, '--profile', 'thesis', '--results', join(ws.dir, 'none')]);
    assert.equal(p.code, 2);
    assert.ok(
      p.err.some((l) => /no profile named "thesis"/.test(l)),
      p.err.join('\n'),
    );
  });
});

describe('reproduce --from: a stored reproduction read back, nothing sent', () => {
  const BASELINE = resolve(import.meta.dirname, '../../baselines/lab-quick');

  it('the committed quick baseline: its conclusions measured, the report with them first; no lab, no request', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lb-bench-from-'));
    const r = await runCli(['reproduce', '--from', BASELINE, '--out', join(out, 'report')]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const stdout = r.out.join('\n');
    assert.equal(r.out.at(-1), join(out, 'report'));
    // every load conclusion and the failover one are measured from the stored runs
    assert.doesNotMatch(stdout, /not measured/);
    assert.match(stdout, /1992\.8/);
    const md = readFileSync(join(out, 'report', 'summary.md'), 'utf8');
    assert.match(md, /read from .*lab-quick: nothing measured now/);
    const csv = readFileSync(join(out, 'report', 'conclusions.csv'), 'utf8')
      .trim()
      .split('\n');
    assert.ok(csv.length >= 7, csv.join('\n'));
    assert.ok(!r.err.some((l) => /lab: bringing it up/.test(l)));
  });

  it('a folder without any thesis scenario is exit 2, naming it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'lb-bench-from-empty-'));
    const r = await runCli(['reproduce', '--from', empty, '--out', join(empty, 'report')]);
    assert.equal(r.code, 2);
    assert.match(r.err[0], /holds no run of single, haproxy-rr, haproxy-lc, nginx-rr, failover/);
    assert.ok(!existsSync(join(empty, 'report')));
  });
});

describe('baselines/thesis: the committed full reproduction', () => {
  const THESIS_SET = resolve(import.meta.dirname, '../../baselines/thesis');

  it('holds 4 × 10 × 30 load runs and 25 failovers in at most 10 MB, and reproduce --from reads every conclusion from it', async () => {
    const folders = readdirSync(THESIS_SET).filter((d) => existsSync(join(THESIS_SET, d, 'manifest.json')));
    let bytes = 0;
    for (const d of folders) for (const f of readdirSync(join(THESIS_SET, d))) bytes += readFileSync(join(THESIS_SET, d, f)).length;
    assert.ok(bytes <= 10 * 1024 * 1024, `${bytes} bytes`);
    const lines = (d: string) =>
      readFileSync(join(THESIS_SET, d, 'samples.jsonl'), 'utf8')
        .trim()
        .split('\n');
    for (const name of ['single', 'haproxy-rr', 'haproxy-lc', 'nginx-rr']) {
      const d = folders.find((f) => f.endsWith(`-${name}`))!;
      const samples = lines(d).map((l) => JSON.parse(l) as { level: number });
      assert.equal(samples.length, 300, name);
      assert.deepEqual(
        [...new Set(samples.map((s) => s.level))].sort((a, b) => a - b),
        [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000],
      );
    }
    assert.equal(lines(folders.find((f) => f.endsWith('-failover'))!).length, 25);

    const out = mkdtempSync(join(tmpdir(), 'lb-bench-thesis-'));
    const r = await runCli(['reproduce', '--from', THESIS_SET, '--out', join(out, 'report')]);
    assert.equal(r.code, 0, r.err.join('\n'));
    // no sample left out by the reader's rules, and every conclusion measured
    assert.ok(!r.err.some((l) => /left out/.test(l)), r.err.filter((l) => /left out/.test(l)).join('\n'));
    assert.doesNotMatch(r.out.join('\n'), /not measured/);
    assert.match(r.out.join('\n'), /n 30 repetitions/);
  });
});
