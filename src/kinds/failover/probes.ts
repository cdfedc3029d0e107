/**
 * Open-loop probes: each is sent on its schedule (start + n × interval) whether or not the earlier
 * ones were answered, so a stall cannot hide time. HTTP and TCP probes open a new connection
 * every time (a reused connection would survive a failover the service did not). ICMP is in icmp.ts.
 * Every probe is bounded: by a count, by a time, and each by its timeout.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ProbeSettings } from './scenario.js';
import { startIcmp } from './icmp.js';
import type { ProbeResult, Prober } from './probe.js';

export type { ProbeResult, Prober } from './probe.js';

export const nowMs = () => performance.timeOrigin + performance.now();

export interface ProbeTarget {
  url: URL;
  host: string;
  port: number;
}

/** What a probe aims at: its own `target`, else the scenario's target URL. */
export function probeTarget(p: ProbeSettings, scenarioTarget: string): ProbeTarget {
  const base = new URL(scenarioTarget);
  const defaultPort = (u: URL) => Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  if (!p.target) return { url: base, host: base.hostname, port: defaultPort(base) };
  if (p.type === 'http') {
    const u = new URL(p.target);
    return { url: u, host: u.hostname, port: defaultPort(u) };
  }
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(p.target);
  const host = m?.[1] ?? p.target;
  return { url: base, host, port: m?.[2] ? Number(m[2]) : defaultPort(base) };
}

/**
 * Sends `send(seq)` every interval on a fixed schedule, catching up at once after a stall of the
 * event loop (the late sends carry their real send time), until stopped or past maxMs; every slot
 * due within maxMs is sent.
 */
function schedule(intervalMs: number, maxMs: number, send: (seq: number) => void): { stop(): void; sent(): number } {
  const t0 = nowMs();
  let seq = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const tick = () => {
    const now = nowMs();
    // the slots due by now, within maxMs: those a stall delayed across maxMs are sent too, late
    while (!stopped && t0 + seq * intervalMs <= Math.min(now, t0 + maxMs)) send(seq++);
    if (now - t0 > maxMs) stopped = true;
    if (!stopped) timer = setTimeout(tick, Math.max(0, t0 + seq * intervalMs - nowMs()));
  };
  tick();
  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    sent: () => seq,
  };
}

type Finish = (ok: boolean, error?: string) => void;

/**
 * A probe's time-out, judged only after the I/O that was already waiting has been read: a timer
 * runs before the poll phase of the same loop turn, so after the loop was held up (a busy machine)
 * an answer that arrived in time would otherwise lose to its own time-out and count as downtime.
 */
function pastTimeout(timeoutMs: number, fail: () => void): { cancel(): void } {
  let immediate: NodeJS.Immediate | null = null;
  const timer = setTimeout(() => (immediate = setImmediate(fail)), timeoutMs);
  return {
    cancel() {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
    },
  };
}

function httpProbe(target: ProbeTarget, timeoutMs: number, finish: Finish): void {
  const mod = target.url.protocol === 'https:' ? https : http;
  const req = mod.request(target.url, { method: 'GET', agent: false, headers: { connection: 'close' }, rejectUnauthorized: false });
  const timer = pastTimeout(timeoutMs, () => {
    finish(false, 'timeout');
    req.destroy();
  });
  req.on('response', (res) => {
    const status = res.statusCode ?? 0;
    res.resume();
    res.on('end', () => {
      timer.cancel();
      finish(status >= 200 && status < 400, status >= 200 && status < 400 ? undefined : `http ${status}`);
    });
    res.on('error', (e: NodeJS.ErrnoException) => {
      timer.cancel();
      finish(false, e.code ?? e.message);
    });
  });
  req.on('error', (e: NodeJS.ErrnoException) => {
    timer.cancel();
    finish(false, e.code ?? e.message);
  });
  req.end();
}

function tcpProbe(target: ProbeTarget, timeoutMs: number, finish: Finish): void {
  const sock = net.connect({ host: target.host, port: target.port });
  const timer = pastTimeout(timeoutMs, () => {
    finish(false, 'timeout');
    sock.destroy();
  });
  sock.on('connect', () => {
    timer.cancel();
    finish(true);
    sock.destroy();
  });
  sock.on('error', (e: NodeJS.ErrnoException) => {
    timer.cancel();
    finish(false, e.code ?? e.message);
  });
}

/** Starts one probe stream; `onResult` gets every outcome as it is known. */
export function startProber(p: ProbeSettings, target: ProbeTarget, maxMs: number, onResult: (r: ProbeResult) => void): Prober {
  if (p.type === 'icmp') return startIcmp(p, target.host, maxMs, onResult);
  const inFlight = new Set<Promise<void>>();
  const probe = p.type === 'http' ? httpProbe : tcpProbe;
  const sched = schedule(p.interval, maxMs, (seq) => {
    const sent = nowMs();
    let done = false;
    let resolve!: () => void;
    const settled = new Promise<void>((r) => (resolve = r));
    inFlight.add(settled);
    probe(target, p.timeout, (ok, error) => {
      if (done) return;
      done = true;
      const latency = nowMs() - sent;
      onResult({ type: p.type, seq, sent_at: sent, ok, latency_ms: ok ? round(latency) : null, ...(error ? { error } : {}) });
      inFlight.delete(settled);
      resolve();
    });
  });
  return {
    type: p.type,
    get sent() {
      return sched.sent();
    },
    async stop() {
      sched.stop();
      await Promise.all([...inFlight]);
    },
  };
}

export const round = (ms: number) => Math.round(ms * 1000) / 1000;
