/**
 * ICMP probes through the system's ping (iputils): `-i` interval, `-D` timestamps, `-O` a line for
 * every request still unanswered when the next is sent. A reply's send time is its timestamp minus
 * its round trip; an unanswered request's is estimated, and it fails once its timeout has passed.
 *
 * iputils ping sends at half its rate while replies are missing (measured: about one request per
 * 2 × interval during an outage), so after an outage its first answer can come up to two intervals
 * late: the ICMP downtime's resolution is 3 intervals, HTTP's and TCP's 2.
 */
import { spawn } from 'node:child_process';
import { envError } from '../errors.js';
import type { ProbeSettings } from '../scenario/failover-schema.js';
import type { ProbeResult, Prober } from './probes.js';

const REPLY = /^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+).* time=([\d.]+) ms/;
const NO_ANSWER = /^\[(\d+\.\d+)\] no answer yet for icmp_seq=(\d+)/;
const ERROR_REPLY = /^\[(\d+\.\d+)\] From \S+ icmp_seq=(\d+) (.+)$/;

const pingArgs = (p: ProbeSettings, host: string, extra: string[]) => ['-D', '-O', '-n', '-i', String(p.interval / 1000), '-W', String(Math.max(p.timeout, 1) / 1000), ...extra, host];

/** Explains a ping that would not start: missing, or an interval that needs root. */
function startError(stderr: string, p: ProbeSettings, where: string): Error {
  const said = stderr.trim().split('\n').pop() ?? '';
  if (/interval|flood/i.test(said) && process.getuid?.() !== 0) {
    return envError(`${where}: icmp probes every ${p.interval} ms need root (ping: ${said})`, 'run lb-bench as root, or give the icmp probe an interval of 200ms or more');
  }
  return envError(`${where}: ping cannot probe: ${said || 'it exited at once'}`, 'check the target address');
}

/** Before any repetition: ping exists, accepts the interval, and the target answers. */
export async function checkIcmp(p: ProbeSettings, host: string, where: string): Promise<void> {
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn('ping', pingArgs(p, host, ['-c', '3', '-w', '3']), { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? envError(`${where}: icmp probes need the system's ping, which is not installed`, 'apt-get install iputils-ping') : e),
    );
    child.on('close', (c) => resolve({ code: c, stderr: err }));
  });
  if (code === 0) return;
  if (code === 1 && !stderr.trim()) throw envError(`${where}: ${host} does not answer ping`, 'check that the target is up and answers ICMP echo');
  throw startError(stderr, p, where);
}

export function startIcmp(p: ProbeSettings, host: string, maxMs: number, onResult: (r: ProbeResult) => void): Prober {
  const child = spawn('ping', pingArgs(p, host, ['-w', String(Math.ceil(maxMs / 1000) + 1)]), { stdio: ['ignore', 'pipe', 'pipe'] });
  const pending = new Map<number, number>(); // seq → estimated send time
  const done = new Set<number>();
  let highest = 0;
  let lastSent = 0;
  let wrap = 0;
  let lastRaw = 0;
  let stderr = '';

  const unwrap = (raw: number) => {
    if (raw < lastRaw - 32768) wrap += 65536;
    lastRaw = raw;
    return raw + wrap;
  };
  const emit = (seq: number, sent: number, ok: boolean, latency: number | null, error?: string) => {
    if (done.has(seq)) return; // a reply after its timeout was already counted as lost
    done.add(seq);
    pending.delete(seq);
    onResult({ type: 'icmp', seq, sent_at: Math.round(sent * 1000) / 1000, ok, latency_ms: latency, ...(error ? { error } : {}) });
  };
  /** requests between the last one seen and this one, never mentioned (ping's slowdown): sent in between */
  const seen = (seq: number, sent: number) => {
    for (let s = highest + 1; s < seq; s++) {
      if (!done.has(s) && !pending.has(s)) pending.set(s, lastSent + ((sent - lastSent) * (s - highest)) / (seq - highest));
    }
    if (seq > highest) {
      highest = seq;
      lastSent = sent;
    }
  };

  let buffer = '';
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      let m = REPLY.exec(line);
      if (m) {
        const rtt = Number(m[3]);
        const seq = unwrap(Number(m[2]));
        const sent = Number(m[1]) * 1000 - rtt;
        seen(seq, sent);
        emit(seq, sent, rtt <= p.timeout, rtt <= p.timeout ? rtt : null, rtt <= p.timeout ? undefined : 'late');
        continue;
      }
      if ((m = NO_ANSWER.exec(line))) {
        const seq = unwrap(Number(m[2]));
        // printed as the next request goes out: this one went about an interval earlier
        const sent = Number(m[1]) * 1000 - p.interval;
        seen(seq, sent);
        if (!done.has(seq) && !pending.has(seq)) pending.set(seq, sent);
        continue;
      }
      if ((m = ERROR_REPLY.exec(line))) {
        const seq = unwrap(Number(m[2]));
        const sent = pending.get(seq) ?? Number(m[1]) * 1000;
        seen(seq, sent);
        emit(seq, sent, false, null, m[3]!.trim());
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  child.on('error', () => undefined); // checkIcmp has already found ping; a late error shows as no replies

  // a request unanswered past its timeout has failed
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [seq, sent] of [...pending].sort((a, b) => a[0] - b[0])) if (now - sent > p.timeout) emit(seq, sent, false, null, 'timeout');
  }, Math.max(10, Math.min(p.interval * 4, 100)));

  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    type: 'icmp',
    get sent() {
      return highest;
    },
    async stop() {
      clearInterval(sweep);
      // our own child, by its pid; requests still within their timeout have no outcome and are dropped
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
      pending.clear();
    },
  };
}

