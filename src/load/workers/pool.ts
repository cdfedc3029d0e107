/**
 * One run over worker processes (`load.workers`): each worker gets its share and opens its
 * connections; when every one has reported ready, all are sent `go` at once, so that "N at once"
 * is at once across workers; their results merge exactly (merge.ts). A worker that dies or refuses
 * before its result fails the run, named, with its exit code or signal and the end of its stderr:
 * its requests are never silently dropped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { envError, LbError, type ExitCodeValue } from '../../errors.js';
import type { LoadOutcome, LoadRun, LoadRunOptions, LoadShare } from '../engine.js';
import type { EngineName } from '../engines/registry.js';
import { decode, encode, PROTOCOL, type FromWorker, type ToWorker, type WorkerResult } from './protocol.js';
import { mergeResults } from './merge.js';
import { splitShare } from './split.js';

const WORKER_PROGRAM = fileURLToPath(new URL('./worker.js', import.meta.url));
/** after stop or the end of a run, how long a worker may take to release its connections */
const EXIT_GRACE_MS = 5000;
const STDERR_KEPT = 4000;

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** One worker process and what it said. */
class Worker {
  readonly child: ChildProcess;
  readonly events = new EventEmitter();
  readonly exited: Promise<Exit>;
  exit: Exit | null = null;
  private stderr = '';

  constructor(
    readonly index: number,
    readonly count: number,
  ) {
    this.child = spawn(process.execPath, [WORKER_PROGRAM], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin!.on('error', () => {}); // a dead worker's stdin: its exit says why
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-STDERR_KEPT)));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const m = decode<FromWorker>(line);
      if (m) this.events.emit('message', m);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (e) => {
        this.exit = { code: null, signal: null };
        this.stderr += `\n${e.message}`;
        resolve(this.exit);
        this.events.emit('exit');
      });
      this.child.once('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
        this.events.emit('exit');
      });
    });
  }

  get name(): string {
    return `worker ${this.index} of ${this.count}${this.child.pid ? ` (pid ${this.child.pid})` : ''}`;
  }

  send(m: ToWorker): void {
    if (this.child.stdin!.writable) this.child.stdin!.write(encode(m));
  }

  /** No more messages: the worker ends once its connections are released. */
  end(): void {
    this.child.stdin!.end();
  }

  /** The next message of `type`; rejects, naming the worker, if it refuses or dies first. */
  expect<T extends FromWorker['type']>(type: T, what: string): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === type) {
          off();
          resolve(m as Extract<FromWorker, { type: T }>);
        } else if (m.type === 'error') {
          off();
          reject(new LbError(`${this.name}: ${m.message}`, m.exit as ExitCodeValue, m.hint));
        }
      };
      const onExit = () => {
        off();
        reject(this.death(what));
      };
      const off = () => {
        this.events.off('message', onMessage);
        this.events.off('exit', onExit);
      };
      this.events.on('message', onMessage);
      this.events.on('exit', onExit);
      if (this.exit) onExit();
    });
  }

  death(what: string): LbError {
    const e = this.exit;
    const how = e?.signal ? `was killed by ${e.signal}` : e?.code !== null && e?.code !== undefined ? `exited with code ${e.code}` : 'could not be started';
    const tail = stderrGist(this.stderr);
    return envError(
      `${this.name} ${how} before ${what}${tail ? `; its stderr: ${tail}` : ''}`,
      'the run in flight is not stored (its requests cannot all be accounted for); the runs finished before it are kept',
    );
  }

  /** End it within the grace period, by signal if need be. */
  async finish(): Promise<void> {
    this.end();
    const timer = setTimeout(() => this.exit || this.child.kill('SIGKILL'), EXIT_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

/** What a dead process's stderr says: its error line if it threw, else its last lines (no stack frames). */
export function stderrGist(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at ') && !/^Node\.js v\d/.test(l));
  return lines.find((l) => /^[\w.]*(Error|Exception)\b.*:/.test(l)) ?? lines.slice(-3).join(' | ');
}

export function startWorkers(o: LoadRunOptions & { engine: EngineName }, count: number): LoadRun {
  const base: LoadShare = { url: o.url, requests: o.requests, connections: o.connections, timeoutMs: o.timeoutMs, method: o.method, headers: o.headers };
  const shares = splitShare(base, count);
  const workers = shares.map((_, i) => new Worker(i + 1, shares.length));
  let stopped = false;
  let abandon!: (o: LoadOutcome) => void;
  const abandoned = new Promise<LoadOutcome>((r) => (abandon = r));

  const goOn = () => {
    if (stopped) throw new Error('abandoned');
  };
  const run = async (): Promise<LoadOutcome> => {
    const hellos = await Promise.all(workers.map((w) => w.expect('hello', 'it started')));
    goOn();
    hellos.forEach((h, i) => {
      if (h.protocol !== PROTOCOL) throw envError(`${workers[i]!.name} speaks protocol ${h.protocol}, this lb-bench ${PROTOCOL}`, 'run the same lb-bench version everywhere');
    });
    const latencies = Boolean(o.hooks?.onLatency);
    workers.forEach((w, i) => w.send({ type: 'share', engine: o.engine, share: shares[i]!, latencies }));
    await Promise.all(workers.map((w) => w.expect('ready', 'its connections were open')));
    goOn();
    // the start barrier: every worker has connected; all send from here
    const results = workers.map((w) => w.expect('result', 'it reported its result'));
    const goWall = Date.now();
    for (const w of workers) w.send({ type: 'go' });
    const got: WorkerResult[] = await Promise.all(results);
    for (const r of got) for (const ms of r.latencies ?? []) o.hooks!.onLatency!(ms);
    return mergeResults(o.engine, shares, got, goWall, o.timeoutMs);
  };

  const measured = run();
  const done = Promise.race([measured, abandoned]);
  // whatever happened, every worker ends: after its result it releases its connections and exits
  const closed = measured.then(
    () => Promise.all(workers.map((w) => w.finish())).then(() => {}),
    async () => {
      for (const w of workers) w.send({ type: 'stop' });
      await Promise.all(workers.map((w) => w.finish()));
    },
  );
  measured.catch(() => {});
  return {
    done,
    closed,
    stop() {
      if (stopped) return;
      stopped = true;
      for (const w of workers) w.send({ type: 'stop' });
      abandon(emptyOutcome(o.engine, o.requests));
    },
  };
}

/** What an abandoned run reports (the runner drops it). */
function emptyOutcome(engine: EngineName, requested: number): LoadOutcome {
  return { ...mergeResults(engine, [], [], Date.now(), 1000), requested };
}
