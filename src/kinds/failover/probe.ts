/** What a probe stream is and what each probe comes to: the same for HTTP, TCP (probes.ts) and ICMP (icmp.ts). */
import type { ProbeType } from './scenario.js';

/** One probe's outcome, as stored in probes.jsonl (with the repetition). */
export interface ProbeResult {
  type: ProbeType;
  seq: number;
  /** send time, ms since the Unix epoch (fractional) */
  sent_at: number;
  ok: boolean;
  /** until the answer (HTTP: the whole response; TCP: connected; ICMP: echo reply) */
  latency_ms: number | null;
  /** why it failed: an error code, an HTTP status, "timeout" */
  error?: string;
}

export interface Prober {
  readonly type: ProbeType;
  /** sent so far */
  readonly sent: number;
  /** stop sending; resolves once every probe in flight has an outcome (ICMP: its process has exited) */
  stop(): Promise<void>;
}
