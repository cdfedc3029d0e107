/**
 * Where a backend's CPU figure comes from. A source reads a pair of counters from a host — CPU
 * time used, and CPU time available over the same clock — so that utilisation is one formula for
 * all of them: Δbusy / Δtotal × 100 (% of the host's share). The sources are listed in
 * registry.ts; a scenario names one per backend (`backends[].cpu`), and the inventory host holds
 * what that source needs (its own fields, declared by the source).
 */
import type { z } from 'zod';

export interface Counters {
  /** CPU time used, in the source's unit (jiffies, or seconds) */
  busy: number;
  /** CPU time available over the same clock, in the same unit */
  total: number;
}

/** % of the share between two readings; null when no time passed (same tick). */
export function utilisation(a: Counters, b: Counters): number | null {
  const total = b.total - a.total;
  if (!(total > 0)) return null;
  return ((b.busy - a.busy) / total) * 100;
}

/** A host of the inventory as a source sees it: its name and address, and the fields this source declared. */
export type SourceHost<F extends z.ZodRawShape> = { name: string; address: string } & z.output<z.ZodObject<F>>;

/** The scenario's SSH connections, as far as a source needs them (an SshPool is one). */
export interface Shell {
  query(
    host: string,
    script: string,
    options: { timeoutMs?: number; reconnect?: boolean },
  ): Promise<{ code: number | null; stdout: string }>;
  host(name: string): { connect(): Promise<void>; readonly connected: boolean; readonly setupTimeoutMs: number };
}

/** One host's counters, as the monitor reads them around and during each load window. */
export interface CpuReader {
  /** set the host up, before a window, within its set-up bound (a lost connection is reopened here, never during a window) */
  connect(): Promise<void>;
  /** false once its connection is lost: a failed read then makes the run's figure unknown, not only a missed tick */
  readonly connected: boolean;
  /** the generous bound of set-up reads (the first check) */
  readonly setupTimeoutMs: number;
  /** one reading within `timeoutMs`; its error names the host and the cause */
  read(timeoutMs: number, reconnect: boolean): Promise<Counters>;
}

export interface CpuSource<F extends z.ZodRawShape> {
  /** the inventory host's fields this source reads (each optional): they join the inventory's schema */
  readonly inventory: F;
  /** it logs in over SSH: the scenario opens a connection to the host */
  readonly ssh: boolean;
  /** what the host's inventory entry lacks for this source, e.g. `hosts.web1.cgroup ({ path, cpus })`; null when nothing */
  missing(host: SourceHost<F>): string | null;
  /** every address it sends to, with the inventory field that names it: the lab guard checks each before anything is sent */
  addresses(host: SourceHost<F>): { address: string; field: string }[];
  open(host: SourceHost<F>, shell: Shell | null): CpuReader;
}
