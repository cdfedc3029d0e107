/**
 * What `lab calibrate` measures at one share, on the lab as it runs: bursts of the thesis's shape
 * (every request of a level at once, the load engine as `run` drives it), with the CPU of the
 * lab's own cgroups read on this machine right before and right after each burst (no SSH: the lab
 * is here).
 *
 * - single: `probeBursts` bursts of `probeLevel` to web1 alone. Its peak is the median req/s;
 *   web1's CPU is a % of its share. The probe level is the thesis's first level, 1000: below
 *   Apache's listen backlog (511 in flight beyond the accepted), where the server's CPU, not the
 *   kernel's retransmission timers, sets the pace.
 * - the top level through HAProxy (:81, leastconn, the thesis's best) and Nginx (:8080): each
 *   balancer's CPU (both balancer hosts' cgroups: whichever holds the VIP) in % of one core.
 *
 * The generator's figure is the higher of single's median and the HAProxy burst's. The Nginx
 * burst's is shown nowhere: Debian's worker_connections refuse most of it at once (the thesis's
 * Nginx loss), and answering refusals is not what the generator's headroom is about.
 */
import { interruptible } from '../util/pause.js';
import { Interrupted } from '../errors.js';
import { detectCgroups, groupUsageSeconds, type CgroupLayout } from '../lab/cgroup.js';
import { BALANCERS, BALANCER_PORTS, VIP, WEBS } from '../lab/topology.js';
import { startLoad } from '../load/engine.js';
import { ensureOpenFiles, ensurePorts } from '../load/limits.js';
import { toSample } from '../kinds/load/run-sample.js';
import type { RunSample } from '../kinds/load/sample.js';
import type { Measured } from './choose.js';

export interface Profile {
  /** single's level: every request at once */
  probeLevel: number;
  /** bursts of it per share; the median is kept */
  probeBursts: number;
  /** the level the balancers and the generator must have headroom at */
  topLevel: number;
  /** pause between bursts */
  cooldownMs: number;
  /** a request's timeout (the scenarios' default) */
  timeoutMs: number;
}

export const DEFAULT_PROFILE: Profile = { probeLevel: 1000, probeBursts: 5, topLevel: 10_000, cooldownMs: 500, timeoutMs: 10_000 };

interface Burst {
  sample: RunSample;
  /** CPU of each group named, % of one core over the burst */
  cpu: Record<string, number | null>;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const one = (v: number) => Math.round(v * 10) / 10;

interface BurstOptions {
  layout: CgroupLayout;
  profile: Profile;
  signal: AbortSignal;
}

async function burst(url: string, level: number, groups: string[], o: BurstOptions): Promise<Burst> {
  const before = groups.map((g) => groupUsageSeconds(o.layout, g));
  const t0 = process.hrtime.bigint();
  const run = startLoad({ url, requests: level, connections: level, timeoutMs: o.profile.timeoutMs });
  const stop = () => run.stop();
  o.signal.addEventListener('abort', stop, { once: true });
  let outcome;
  try {
    outcome = await run.done;
  } finally {
    o.signal.removeEventListener('abort', stop);
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const after = groups.map((g) => groupUsageSeconds(o.layout, g));
  await run.closed;
  if (o.signal.aborted) throw new Interrupted('lab calibrate: interrupted');
  const cpu = Object.fromEntries(
    groups.map((g, i) => {
      const a = before[i];
      const b = after[i];
      return [g, a == null || b == null || wall <= 0 ? null : ((b - a) / wall) * 100];
    }),
  );
  return { sample: toSample(level, 1, outcome), cpu };
}

/** The balancers' CPU of one program: both hosts' groups added (the one without the VIP idles). */
const balancerPct = (b: Burst, program: string) => {
  const parts = BALANCERS.map((h) => b.cpu[`${h.name}-${program}`]);
  return parts.some((v) => v == null) ? null : one(parts.reduce<number>((s, v) => s + (v ?? 0), 0));
};

/** One share's figures; the lab must already run it. */
export async function measureShare(share: number, profile: Profile, signal: AbortSignal): Promise<Measured> {
  const o: BurstOptions = { layout: detectCgroups(), profile, signal };
  ensureOpenFiles(Math.max(profile.topLevel, profile.probeLevel), 'lab calibrate');
  ensurePorts(Math.max(profile.topLevel, profile.probeLevel), 'lab calibrate');
  const pause = async () => {
    await interruptible(profile.cooldownMs, signal);
    if (signal.aborted) throw new Interrupted('lab calibrate: interrupted');
  };
  const web1 = WEBS[0]!;
  const single: Burst[] = [];
  for (let i = 0; i < profile.probeBursts; i++) {
    await pause();
    single.push(await burst(`http://${web1.address}:80/`, profile.probeLevel, [web1.name], o));
  }
  const groups = (program: string) => BALANCERS.map((h) => `${h.name}-${program}`);
  await pause();
  const haproxy = await burst(`http://${VIP}:${BALANCER_PORTS.haproxyLeastConn}/`, profile.topLevel, groups('haproxy'), o);
  await pause();
  const nginx = await burst(`http://${VIP}:${BALANCER_PORTS.nginxRoundRobin}/`, profile.topLevel, groups('nginx'), o);
  const webs = single.map((b) => b.cpu[web1.name]).filter((v): v is number => v != null);
  const bound = single.filter((b) => b.sample.generator_bound).length * 2 > single.length;
  return {
    web_cpus: share,
    single_rps: one(median(single.map((b) => b.sample.rps))),
    web_pct: webs.length ? one(median(webs) / share) : null,
    haproxy_pct: balancerPct(haproxy, 'haproxy'),
    nginx_pct: balancerPct(nginx, 'nginx'),
    generator_pct: one(Math.max(median(single.map((b) => b.sample.generator_cpu)), haproxy.sample.generator_cpu)),
    generator_bound: bound || haproxy.sample.generator_bound,
  };
}
