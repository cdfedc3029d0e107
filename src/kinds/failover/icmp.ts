/**
 * ICMP probes through the system's ping (iputils): `-i` interval, `-D` timestamps, `-O` a line for
 * every request still unanswered when the next is sent. A reply's send time is its timestamp minus
 * its round trip; an unanswered request's is estimated, and it fails once its timeout has passed.
 *
 * iputils ping sends at half its rate while replies are missing (measured: about one request per
 * 2 × interval during an outage), so after an outage its first answer can come up to two intervals
 * late: the ICMP downtime's resolution is 3 intervals, HTTP's and TCP's 2.
 *
 * Three parts: parsePingLine reads one line of ping's output, PingAccount turns those lines into
 * probe outcomes (both pure), and startIcmp runs ping and feeds them.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { envError } from '../../errors.js';
import type { ProbeSettings } from './scenario.js';
import type { ProbeResult, Prober } from './probe.js';

/** One line of `ping -D -O -n` that says something about a request; `at` is ping's -D timestamp in ms since the epoch, `seq` its raw icmp_seq. */
export type PingLine =
  | { kind: 'reply'; at: number; seq: number; rttMs: number }
  | { kind: 'no-answer'; at: number; seq: number }
  | { kind: 'error'; at: number; seq: number; reason: string };

// [1795675894.375165] 64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.192 ms
const REPLY = /^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+).* time=([\d.]+) ms/;
// [1586021972.313402] no answer yet for icmp_seq=6
const NO_ANSWER = /^\[(\d+\.\d+)\] no answer yet for icmp_seq=(\d+)/;
// [1586021973.341370] From 10.0.0.1 icmp_seq=1 Destination Host Unreachable
const ERROR_REPLY = /^\[(\d+\.\d+)\] From \S+ icmp_seq=(\d+) (.+)$/;

/** What a line of ping's output says, or null (the header, the statistics, anything else). */
export function parsePingLine(line: string): PingLine | null {
  let m = REPLY.exec(line);
  if (m) return { kind: 'reply', at: Number(m[1]) * 1000, seq: Number(m[2]), rttMs: Number(m[3]) };
  if ((m = NO_ANSWER.exec(line))) return { kind: 'no-answer', at: Number(m[1]) * 1000, seq: Number(m[2]) };
  if ((m = ERROR_REPLY.exec(line))) return { kind: 'error', at: Number(m[1]) * 1000, seq: Number(m[2]), reason: m[3]!.trim() };
  return null;
}

/**
 * ping's lines as probe outcomes, one per request: answered within the timeout, answered late, an
 * ICMP error, or no answer by the time its timeout passed (`sweep`). Requests ping never mentions
 * (it slows down while replies are missing) are placed between those it does. Pure: no process and
 * no clock but the `now` that sweep is given.
 */
export class PingAccount {
  /** seq → estimated send time, of requests without an outcome yet */
  readonly #pending = new Map<number, number>();
  readonly #done = new Set<number>();
  #highest = 0;
  #lastSent = 0;
  #wrap = 0;
  #lastRaw = 0;

  constructor(
    private readonly p: Pick<ProbeSettings, 'interval' | 'timeout'>,
    private readonly onResult: (r: ProbeResult) => void,
  ) {}

  /** requests sent so far, as far as ping has told */
  get sent(): number {
    return this.#highest;
  }

  add(line: PingLine): void {
    const seq = this.#unwrap(line.seq);
    if (line.kind === 'reply') {
      const sent = line.at - line.rttMs;
      const inTime = line.rttMs <= this.p.timeout;
      this.#seen(seq, sent);
      this.#emit(seq, sent, inTime, inTime ? line.rttMs : null, inTime ? undefined : 'late');
    } else if (line.kind === 'no-answer') {
      // printed as the next request goes out: this one went about an interval earlier
      const sent = line.at - this.p.interval;
      this.#seen(seq, sent);
      if (!this.#done.has(seq) && !this.#pending.has(seq)) this.#pending.set(seq, sent);
    } else {
      const sent = this.#pending.get(seq) ?? line.at;
      this.#seen(seq, sent);
      this.#emit(seq, sent, false, null, line.reason);
    }
  }

  /** A request unanswered past its timeout has failed. */
  sweep(now: number): void {
    for (const [seq, sent] of [...this.#pending].sort((a, b) => a[0] - b[0]))
      if (now - sent > this.p.timeout) this.#emit(seq, sent, false, null, 'timeout');
  }

  /** Requests still within their timeout when the probes stop have no outcome: dropped. */
  clear(): void {
    this.#pending.clear();
  }

  /** icmp_seq is 16 bits: it wraps to 0 after 65535 */
  #unwrap(raw: number): number {
    if (raw < this.#lastRaw - 32768) this.#wrap += 65536;
    this.#lastRaw = raw;
    return raw + this.#wrap;
  }

  #emit(seq: number, sent: number, ok: boolean, latency: number | null, error?: string): void {
    if (this.#done.has(seq)) return; // a reply after its timeout was already counted as lost
    this.#done.add(seq);
    this.#pending.delete(seq);
    this.onResult({ type: 'icmp', seq, sent_at: Math.round(sent * 1000) / 1000, ok, latency_ms: latency, ...(error ? { error } : {}) });
  }

  /** Requests between the last one seen and this one, never mentioned (ping's slowdown): sent in between. */
  #seen(seq: number, sent: number): void {
    for (let s = this.#highest + 1; s < seq; s++) {
      if (!this.#done.has(s) && !this.#pending.has(s))
        this.#pending.set(s, this.#lastSent + ((sent - this.#lastSent) * (s - this.#highest)) / (seq - this.#highest));
    }
    if (seq > this.#highest) {
      this.#highest = seq;
      this.#lastSent = sent;
    }
  }
}

const pingArgs = (p: ProbeSettings, host: string, extra: string[]) => [
  '-D',
  '-O',
  '-n',
  '-i',
  String(p.interval / 1000),
  '-W',
  String(Math.max(p.timeout, 1) / 1000),
  ...extra,
  host,
];

/** Explains a ping that would not start: missing, or an interval that needs root. */
function startError(stderr: string, p: ProbeSettings, where: string): Error {
  const said = stderr.trim().split('\n').pop() ?? '';
  if (/interval|flood/i.test(said) && process.getuid?.() !== 0) {
    return envError(
      `${where}: icmp probes every ${p.interval} ms need root (ping: ${said})`,
      'run lb-bench as root, or give the icmp probe an interval of 200ms or more',
    );
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
      reject(
        e.code === 'ENOENT'
          ? envError(`${where}: icmp probes need the system's ping, which is not installed`, 'apt-get install iputils-ping')
          : e,
      ),
    );
    child.on('close', (c) => resolve({ code: c, stderr: err }));
  });
  if (code === 0) return;
  if (code === 1 && !stderr.trim())
    throw envError(`${where}: ${host} does not answer ping`, 'check that the target is up and answers ICMP echo');
  throw startError(stderr, p, where);
}

/** Each whole line of a stream, as it arrives. */
function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let buffer = '';
  stream.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) onLine(line);
  });
}

export function startIcmp(p: ProbeSettings, host: string, maxMs: number, onResult: (r: ProbeResult) => void): Prober {
  const child = spawn('ping', pingArgs(p, host, ['-w', String(Math.ceil(maxMs / 1000) + 1)]), { stdio: ['ignore', 'pipe', 'ignore'] });
  const account = new PingAccount(p, onResult);
  eachLine(child.stdout, (line) => {
    const said = parsePingLine(line);
    if (said) account.add(said);
  });
  child.on('error', () => undefined); // checkIcmp has already found ping; a late error shows as no replies
  const sweep = setInterval(() => account.sweep(Date.now()), Math.max(10, Math.min(p.interval * 4, 100)));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    type: 'icmp',
    get sent() {
      return account.sent;
    },
    async stop() {
      clearInterval(sweep);
      // our own child, by its pid; requests still within their timeout have no outcome and are dropped
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
      account.clear();
    },
  };
}
