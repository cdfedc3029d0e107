/**
 * `kind: failover` scenarios (docs/scenarios.md; issue 5): probes sent open-loop at the
 * target while a fault is injected into the cluster and recovered, repetition after repetition.
 * Strict, like the load schema: an unknown key is an error. Durations become milliseconds.
 */
import { z } from 'zod';
import { common, duration, hostName, httpUrl, pathText, positiveDuration, repetitionsSchema, text } from '../../scenario/fields.js';

export const PROBE_TYPES = ['http', 'tcp', 'icmp'] as const;
export type ProbeType = (typeof PROBE_TYPES)[number];

/** Faults of the lab (`inventory: lab`) that lb-bench knows how to inject and to recover. */
export const LAB_FAULTS = ['keepalived-crash', 'keepalived-stop', 'link-down', 'haproxy-crash'] as const;
export type LabFault = (typeof LAB_FAULTS)[number];

/** A host name, an IPv4 address or a bracketed IPv6 one, then an optional port: what a tcp probe connects to. */
const HOST_PORT = /^(?:[A-Za-z0-9_][A-Za-z0-9._-]*|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;
/** A host name or address for ping: never starting with `-`, which ping would take for an option. */
const PING_HOST = /^(?:[A-Za-z0-9_][A-Za-z0-9._-]*|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.%A-Za-z]*)$/;

/** A probe's own target must be of its type's form, so that a bad one is exit 2 here, not a crash at run time. */
function checkProbeTarget(p: { type: (typeof PROBE_TYPES)[number]; target?: string }, ctx: z.RefinementCtx<unknown>): void {
  if (p.target === undefined) return;
  const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['target'], input: p.target, message });
  if (p.type === 'http') {
    if (!httpUrl.safeParse(p.target).success) issue('must be an http:// or https:// URL');
  } else if (p.type === 'tcp') {
    const port = HOST_PORT.exec(p.target)?.[1];
    if (!HOST_PORT.test(p.target) || (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535)))
      issue('must be HOST or HOST:PORT (port 1-65535)');
  } else if (!PING_HOST.test(p.target)) issue('must be a host name or address');
}

export const probeSchema = z
  .strictObject({
    type: z.enum(PROBE_TYPES, { error: 'must be http, tcp or icmp' }),
    /** one probe is sent every interval, whether or not the earlier ones were answered */
    interval: positiveDuration.default(5),
    /** a probe not answered within it has failed; keep it below 1 s, TCP's first SYN retransmission */
    timeout: positiveDuration.default(500),
    /** what this probe aims at, when not the scenario's target: a URL (http), host:port (tcp) or host (icmp) */
    target: text(2048).min(1).optional(),
  })
  .superRefine(checkProbeTarget);

/** A fault step: a shell command run over SSH on `fault.host`, or `{ local: … }` run on this machine. */
const command = text(8192).min(1);
const step = z.union([command, z.strictObject({ local: command })], {
  error: 'must be a shell command (run over SSH on fault.host) or { local: COMMAND } (run on this machine)',
});

export const faultSchema = z
  .strictObject({
    /** the inventory host the fault is done to (the VRRP master, in the lab: lb1) */
    host: hostName,
    /** a ready-made lab fault; needs `inventory: lab` */
    lab: z.enum(LAB_FAULTS, { error: `must be one of ${LAB_FAULTS.join(', ')}` }).optional(),
    inject: step.optional(),
    recover: step.optional(),
    /**
     * the host that takes the target's address over (VRRP BACKUP): when named, the address must be on
     * `host` before each injection, move to `backup`, and come back to `host` after recovery
     */
    backup: hostName.optional(),
    /** every probe answering for this long before an injection, and pause after a repetition */
    settle: duration.default(5_000),
    /** answers have "returned and stayed" once every probe has answered for this long */
    hold: positiveDuration.default(2_000),
    /** bound on each phase (steady state, failover, failback): past it the phase has failed */
    bound: positiveDuration.default(30_000),
  })
  .superRefine((f, ctx) => {
    if (!f.lab && f.inject === undefined)
      ctx.addIssue({ code: 'custom', path: ['inject'], message: 'is required (or name a ready-made fault with `lab`)' });
    if (f.lab && (f.inject !== undefined || f.recover !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['lab'], message: 'a lab fault brings its own inject and recover: give one or the other' });
    }
  });

/** A steady load through the failover, to count the requests it loses. */
export const steadyLoadSchema = z.strictObject({
  /** requests per second, each on a new connection, open-loop */
  rate: z
    .number({ error: 'must be a number of requests per second' })
    .positive({ error: 'must be a positive number of requests per second' })
    .max(5000),
  timeout: positiveDuration.default(1_000),
});

/** One probe, or a list of them (one of each type); a single one is a list of one. */
const probes = z
  .preprocess(
    (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? [v] : v),
    z
      .array(probeSchema, { error: 'must be a probe { type, interval, timeout } or a list of them' })
      .min(1, { error: 'needs at least one probe' }),
  )
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((p, i) => {
      if (seen.has(p.type)) ctx.addIssue({ code: 'custom', path: [i, 'type'], message: `a second ${p.type} probe: one of each type` });
      seen.add(p.type);
    });
  });

export const failoverScenarioSchema = z.strictObject({
  ...common,
  kind: z.literal('failover'),
  probe: probes,
  fault: faultSchema,
  repetitions: repetitionsSchema.default(25),
  load: steadyLoadSchema.optional(),
  /**
   * lab settings (lab.yaml form) that this scenario needs the running lab to have, e.g. a tuned
   * keepalived; a file relative to the scenario. The lab is not changed: a mismatch is exit 3.
   */
  lab_config: pathText.min(1).optional(),
});

export type FailoverScenario = z.output<typeof failoverScenarioSchema>;
export type ProbeSettings = FailoverScenario['probe'][number];
export type FaultSettings = FailoverScenario['fault'];
export type FaultStep = NonNullable<FaultSettings['inject']>;
