/**
 * node_exporter: the whole host, from a Prometheus node_exporter's metrics over HTTP, for hosts
 * that export them and need not be logged into. `node_cpu_seconds_total{cpu, mode}` is /proc/stat
 * in seconds, per CPU and mode (user, nice, system, idle, iowait, irq, softirq, steal; guest time
 * is a metric of its own, node_cpu_guest_seconds_total, and already inside user and nice), so the
 * figure is procstat's: summed over the CPUs, busy = total − idle − iowait.
 *
 *   hosts:
 *     web1:
 *       address: 10.0.0.11
 *       ssh: { user: ops }                          # the inventory's hosts all have ssh; unused here
 *       node_exporter: http://10.0.0.11:9100/metrics
 */
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { redactUrl } from '../util/redact.js';
import type { Counters, CpuReader, CpuSource } from './source.js';

const isHttp = (v: string) => {
  try {
    return /^https?:$/.test(new URL(v).protocol);
  } catch {
    return false;
  }
};

const url = z
  .string({ error: 'must be the URL of its metrics, e.g. http://10.0.0.11:9100/metrics' })
  .max(2048, { error: 'must be at most 2048 characters' })
  .refine(isHttp, { error: 'must be an http:// or https:// URL, e.g. http://10.0.0.11:9100/metrics' });

/** Set-up, not measurement: the first read may wait this long (a busy host or network is the normal case). */
const SETUP_MS = 10_000;
/** A whole node_exporter page is a few hundred KB; anything far larger is not one. */
const MAX_BYTES = 8 * 1024 * 1024;

const SAMPLE = /^node_cpu_seconds_total\{([^}]*)\}\s+(\S+)/;
const MODE = /(?:^|,)\s*mode\s*=\s*"([^"]*)"/;

/** busy and total CPU seconds, summed over every CPU, from the text format's node_cpu_seconds_total lines. */
export function parseNodeCpu(text: string): Counters {
  let total = 0;
  let idle = 0;
  let seen = 0;
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const value = Number(m[2]);
    if (!Number.isFinite(value)) throw new Error(`unexpected value in ${JSON.stringify(line.slice(0, 80))}`);
    const mode = MODE.exec(m[1])?.[1];
    total += value;
    if (mode === 'idle' || mode === 'iowait') idle += value;
    seen++;
  }
  if (!seen) throw new Error('no node_cpu_seconds_total in its metrics (is it a node_exporter, with its cpu collector on?)');
  return { busy: total - idle, total };
}

/** The page's text, within `timeoutMs` from the request to its last byte. */
function getText(target: string, timeoutMs: number): Promise<string> {
  const mod = target.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(target, { agent: false, rejectUnauthorized: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`answered ${res.statusCode}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > MAX_BYTES) req.destroy(new Error(`more than ${MAX_BYTES / 1024 / 1024} MiB: not a node_exporter page`));
        else chunks.push(d);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message)));
  });
}

function reader(host: string, target: string): CpuReader {
  return {
    connect: async () => {},
    // a new connection for every read: nothing to lose between them
    connected: true,
    setupTimeoutMs: SETUP_MS,
    async read(timeoutMs) {
      try {
        return parseNodeCpu(await getText(target, timeoutMs));
      } catch (e) {
        throw new Error(`${host}: node_exporter ${redactUrl(target)}: ${(e as Error).message}`);
      }
    },
  };
}

export const nodeExporterSource: CpuSource<{ node_exporter: z.ZodOptional<typeof url> }> = {
  inventory: { node_exporter: url.optional() },
  ssh: false,
  missing: (host) =>
    host.node_exporter ? null : `hosts.${host.name}.node_exporter (the URL of its metrics, e.g. http://${host.address}:9100/metrics)`,
  addresses: (host) =>
    host.node_exporter ? [{ address: new URL(host.node_exporter).hostname, field: `hosts.${host.name}.node_exporter` }] : [],
  open(host) {
    // checkBackends refuses this earlier with the scenario's field; this guards other callers
    if (!host.node_exporter) throw new Error(`${host.name}: node_exporter mode needs hosts.${host.name}.node_exporter in the inventory`);
    return reader(host.name, host.node_exporter);
  },
};
