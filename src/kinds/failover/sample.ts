/**
 * The failover kind's run folders (docs/results.md): a line of samples.jsonl (one repetition) and
 * the scenario as a manifest keeps it, each checked by its schema when a folder is read; their
 * types are what these schemas give.
 */
import { z } from 'zod';
import { count, finite, nullableNumber, positiveInt, storedCommon, strings } from '../../results/manifest-schema.js';
import type { StoredRunOf } from '../../results/types.js';
import { PROBE_TYPES } from './scenario.js';

const perProbe = <T extends z.ZodType>(value: T) => z.partialRecord(z.enum(PROBE_TYPES), value);

/**
 * One repetition of a failover scenario. Times are ISO strings; every probe behind these figures is
 * in probes.jsonl. Per probe type, null where that phase never came back within its bound
 * (`recovered` / `failed_back` false).
 */
export const failoverSampleSchema = z.object({
  repetition: positiveInt,
  started_at: z.string(),
  ended_at: z.string(),
  /** when the inject and recover steps began */
  injected_at: z.string(),
  recovered_at: z.string().nullable(),
  /** last success before the outage to the first success after it, per probe type; 0: no outage seen */
  downtime_ms: perProbe(nullableNumber),
  /** the same, for the outage that recovery causes (the master taking the address back) */
  failback_downtime_ms: perProbe(nullableNumber),
  /** uptime / (uptime + downtime) × 100 over the repetition's probe window (thesis eq. 2.1) */
  availability: perProbe(nullableNumber),
  /** first to last probe sent in this repetition */
  window_ms: finite,
  /** probes sent and answered, per type */
  probes: perProbe(z.object({ sent: count, ok: count })),
  /** with a steady load: requests sent during the repetition, and those without a 2xx/3xx answer */
  requests_sent: count.optional(),
  requests_lost: count.optional(),
  /** answers returned and stayed (and the address moved to the backup, if one is named) within the bound */
  recovered: z.boolean(),
  /** after recovery: answers returned and stayed (and the address is back on the master) within the bound */
  failed_back: z.boolean(),
  /** who held the target address after the failover and after the failback, when a backup is named */
  holder_after_failover: strings.optional(),
  holder_after_failback: strings.optional(),
  warnings: strings.optional(),
});
export type FailoverSample = z.output<typeof failoverSampleSchema>;

/** The rules a failover sample keeps (docs/metrics.md); the first it breaks, in words, or null. */
export function failoverSampleRule(s: FailoverSample): string | null {
  for (const [type, p] of Object.entries(s.probes)) if (p && p.ok > p.sent) return `probes.${type}: ok ${p.ok} > sent ${p.sent}`;
  for (const [type, a] of Object.entries(s.availability))
    if (a !== null && a !== undefined && a > 100) return `availability.${type}: ${a} > 100 %`;
  if (s.requests_lost !== undefined && s.requests_sent !== undefined && s.requests_lost > s.requests_sent)
    return `requests_lost ${s.requests_lost} > requests_sent ${s.requests_sent}`;
  return null;
}

/** A failover scenario as its run folder keeps it. */
export const storedFailoverScenarioSchema = z.looseObject({
  ...storedCommon,
  kind: z.literal('failover'),
  repetitions: positiveInt,
  probe: z.array(z.looseObject({ type: z.enum(PROBE_TYPES) })).min(1),
  fault: z.looseObject({
    host: z.string(),
    lab: z.string().optional(),
    inject: z.union([z.string(), z.looseObject({ local: z.string() })]).optional(),
  }),
});
export type StoredFailoverScenario = z.output<typeof storedFailoverScenarioSchema>;

/** A failover run as its folder is read back: the scenario as the reader checks it, one FailoverSample per repetition. */
export type FailoverRun = StoredRunOf<StoredFailoverScenario, FailoverSample>;
