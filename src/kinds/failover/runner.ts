/**
 * A failover scenario, start to end (issue 5): check the environment, then every repetition —
 * steady state → inject → measure until answers return and stay → recover → measure the failback
 * the same way → settle — each stored the moment it finishes, every probe in probes.jsonl.
 * A repetition that does not come back is recorded and the cluster repaired; one that cannot be
 * brought back stops the scenario with exit 3.
 */
import { interruptible } from '../../util/pause.js';
import { envError } from '../../errors.js';
import { inRunFolder } from '../../results/lifecycle.js';
import type { RunOptions, ScenarioResult } from '../kind.js';
import type { FailoverSample, FailoverRun } from './sample.js';
import type { ResolvedScenario } from '../../scenario/resolved.js';
import type { FailoverScenario } from './scenario.js';
import { describeStep, faultPlan, labRepair, runStep, type FaultPlan } from './faults.js';
import { openFailoverEnvironment, type FailoverEnvironment } from './environment.js';
import { repetition, until } from './repetition.js';
import { thresholdChecks } from './thresholds.js';

type FailoverOptions = RunOptions<FailoverRun>;

type ResolvedFailover = ResolvedScenario<FailoverScenario>;

export async function runFailover(r: ResolvedFailover, opts: FailoverOptions): Promise<ScenarioResult<FailoverSample>> {
  const { scenario } = r;
  const env = await openFailoverEnvironment(r, { acceptNewHostKeys: opts.acceptNewHostKeys, log: (l) => opts.io.err(l) });
  const done: FailoverSample[] = [...(opts.resume?.samples ?? [])];
  return inRunFolder(r, opts, { unit: 'repetition', planned: scenario.repetitions }, env, async (writer) => {
    const plan = faultPlan(scenario.fault);
    opts.io.err(
      `${scenario.name}: fault on ${scenario.fault.host}: inject ${describeStep(plan.inject)}; recover ${describeStep(plan.recover)}`,
    );
    for (let rep = done.length + 1; rep <= scenario.repetitions && !opts.signal.aborted; rep++) {
      const sample = await repetition(r, rep, plan, env, writer, opts);
      if (!sample) break;
      writer.appendSample(sample);
      done.push(sample);
      opts.io.err(summaryLine(scenario, sample));
      if (!sample.failed_back) await bringBack(r, plan, env, opts);
      if (rep < scenario.repetitions) await interruptible(scenario.fault.settle, opts.signal);
    }
    const checks = thresholdChecks(scenario, done);
    return { kept: done.length, result: { dir: writer.dir, samples: done, checks, breaches: checks.flatMap((c) => c.breaches) } };
  });
}

/** After a repetition that did not fail back: repair (the lab) or run the recovery again, then demand a steady state. */
async function bringBack(r: ResolvedFailover, plan: FaultPlan, env: FailoverEnvironment, opts: FailoverOptions): Promise<void> {
  const f = r.scenario.fault;
  opts.io.err(
    `${r.scenario.name}: the cluster did not come back by itself; ${r.scenario.inventory === 'lab' ? 'repairing the lab' : 'running the recovery again'}`,
  );
  try {
    if (r.scenario.inventory === 'lab') await labRepair();
    else await runStep(plan.recover, 'fault.recover', f.host, env.pool, f.bound);
  } catch (e) {
    throw envError(
      `${r.file}: the cluster could not be brought back: ${(e as Error).message}`,
      'check it by hand (lb-bench lab status for the lab); the repetitions so far are kept',
    );
  }
  const ok = await until(
    async () => {
      if (!f.backup) return true;
      const h = await env.holders([f.host, f.backup]).catch((): string[] => []);
      return h.includes(f.host) && !h.includes(f.backup);
    },
    f.bound,
    opts.signal,
  );
  if (!ok && !opts.signal.aborted) {
    throw envError(
      `${r.file}: the cluster could not be brought back: the address ${new URL(r.scenario.target).hostname} is not back on ${f.host}`,
      'check it by hand (lb-bench lab status for the lab); the repetitions so far are kept',
    );
  }
}

const fmtMs = (v: number | null | undefined) => (v === null || v === undefined ? 'not back' : `${v.toFixed(1)} ms`);

function summaryLine(s: FailoverScenario, x: FailoverSample): string {
  const per = s.probe.map(
    (p) =>
      `${p.type} ${fmtMs(x.downtime_ms[p.type])} (failback ${fmtMs(x.failback_downtime_ms[p.type])}, ${x.availability[p.type]?.toFixed(3) ?? '–'} %)`,
  );
  const lost = x.requests_sent !== undefined ? `  lost ${x.requests_lost}/${x.requests_sent} requests` : '';
  return `${s.name}  rep ${x.repetition}/${s.repetitions}  downtime ${per.join(', ')}${lost}${x.warnings?.length ? `  [${x.warnings.join('; ')}]` : ''}`;
}
