/**
 * One run over worker processes (`load.workers`): each worker gets its share and opens its
 * connections; when every one has reported ready, all are sent `go` at once, so that "N at once"
 * is at once across workers; their results merge exactly (merge.ts). A worker that dies or refuses
 * before its result fails the run, named, with its exit code or signal and the end of its stderr:
 * its requests are never silently dropped.
 *
 * Between runs a scenario's workers stay up, idle: a new process per run would send every run
 * with an engine that V8 has not compiled yet, measured at half the req/s of a warm one. Idle
 * workers do not keep lb-bench alive, and end after IDLE_MS without a run (or with lb-bench).
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { envError, LbError, type ExitCodeValue } from '../../errors.js';
import type { LoadOutcome, LoadRun, LoadRunOptions, LoadShare } from '../engine-types.js';
import type { EngineName } from '../engines/registry.js';
import { decode, encode, PROTOCOL, type FromWorker, type ToWorker, type WorkerResult } from './protocol.js';
import { mergeResults } from './merge.js';
import { splitShare } from './split.js';
import { shareOf } from '../local.js';
import { localSpawner, type WorkerExit, type WorkerProcess, type WorkerSpawner } from './process.js';
/** after stop or the end of a run, how long a worker may take to release its connections */
const EXIT_GRACE_MS = 5000;
const STDERR_KEPT = 4000;
/** an idle worker ends after this long without a run */
const IDLE_MS = 30_000;

/** One worker process and what it said. */
class Worker {
  readonly child: WorkerProcess;
  readonly events = new EventEmitter();
  readonly exited: Promise<WorkerExit>;
  exit: WorkerExit | null = null;
  private stderr = '';
  /** the pid it gave in `hello` (a remote worker's is on its own host) */
  private pid: number | undefined;

  index = 0;
  count = 0;
  /** its first message, once, after it started */
  readonly hello: Promise<Extract<FromWorker, { type: 'hello' }>>;
  private idleTimer: NodeJS.Timeout | null = null;
  /** it said `closed` since its last share */
  private released = false;

  constructor(readonly spawner: WorkerSpawner) {
    this.child = spawner.spawn();
    this.pid = this.child.pid;
    this.child.stdin.on('error', () => {}); // a dead worker's stdin: its exit says why
    this.child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-STDERR_KEPT)));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const m = decode<FromWorker>(line);
      if (m?.type === 'closed') this.released = true; // it may come in the same read as the result
      if (m?.type === 'hello') this.pid = m.pid;
      if (m) this.events.emit('message', m);
    });
    this.exited = this.child.exited.then((exit) => {
      this.exit = exit;
      this.events.emit('exit');
      return exit;
    });
    this.hello = this.expect('hello', 'it started');
    this.hello.catch(() => {});
  }

  /** In a run (it keeps lb-bench alive), or idle between runs (it does not, and ends after IDLE_MS). */
  use(index: number, count: number): void {
    this.index = index;
    this.count = count;
    this.released = false;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.setRef(true);
  }

  idle(): void {
    this.setRef(false);
    this.idleTimer = setTimeout(() => this.end(), IDLE_MS);
    this.idleTimer.unref();
  }

  private setRef(on: boolean): void {
    this.child.setRef(on);
  }

  get name(): string {
    const where = [this.spawner.where, this.pid ? `pid ${this.pid}` : ''].filter(Boolean).join(', ');
    return `worker ${this.index} of ${this.count}${where ? ` (${where})` : ''}`;
  }

  send(m: ToWorker): void {
    if (this.child.stdin.writable) this.child.stdin.write(encode(m));
  }

  /** No more messages: the worker ends once its connections are released. */
  end(): void {
    this.child.stdin.end();
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
    const how = e?.signal
      ? `was killed by ${e.signal}`
      : e?.code !== null && e?.code !== undefined
        ? `exited with code ${e.code}`
        : 'could not be started';
    const tail = stderrGist(this.stderr);
    return envError(
      `${this.name} ${how} before ${what}${tail ? `; its stderr: ${tail}` : ''}`,
      'the run in flight is not stored (its requests cannot all be accounted for); the runs finished before it are kept',
    );
  }

  /** End it within the grace period, by signal if need be. */
  async finish(): Promise<void> {
    this.end();
    const timer = setTimeout(() => this.exit || this.child.kill(), EXIT_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** After its result: idle once its connections are released, or ended if it does not say so in time. */
  async release(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), EXIT_GRACE_MS)));
    const closed = this.released
      ? Promise.resolve('closed' as const)
      : this.expect('closed', 'it released its connections').then(
          () => 'closed' as const,
          () => 'dead' as const,
        );
    const said = await Promise.race([closed, late]);
    clearTimeout(timer);
    if (said === 'closed') {
      this.idle();
      idleWorkers.push(this);
    } else await this.finish();
  }
}

/** Workers between runs, the most recently used last. */
const idleWorkers: Worker[] = [];

/** End the idle workers now (they also end by themselves, and with lb-bench). */
export async function endIdleWorkers(): Promise<void> {
  await Promise.all(idleWorkers.splice(0).map((w) => w.finish()));
}

/** A worker from each spawner: an idle one of its kind if there is one, else a new one. */
function takeWorkers(spawners: readonly WorkerSpawner[]): Worker[] {
  const got = spawners.map((spawner) => {
    for (let i = idleWorkers.length - 1; i >= 0; i--) {
      const w = idleWorkers[i]!;
      if (w.spawner.key === spawner.key && !w.exit) return idleWorkers.splice(i, 1)[0]!;
    }
    return new Worker(spawner);
  });
  got.forEach((w, i) => w.use(i + 1, got.length));
  return got;
}

/** What a dead process's stderr says: its error line if it threw, else its last lines (no stack frames). */
export function stderrGist(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at ') && !/^Node\.js v\d/.test(l));
  return lines.find((l) => /^[\w.]*(Error|Exception)\b.*:/.test(l)) ?? lines.slice(-3).join(' | ');
}

/**
 * When a worker wrote its first request, ms after the release (lb-bench's first `go`): when its
 * `go` was written, plus the way there (half the round trip of its `going`: the two ways of one
 * channel are taken as equally long), plus its own time from `go` to its first request. The
 * workers share no clock, so this is what can be known of their start skew from here.
 */
export function firstRequestAfterRelease(way: { sent: number; roundTrip: number } | null, startMs: number | null): number | null {
  if (!way || startMs === null) return null;
  return way.sent + way.roundTrip / 2 + startMs;
}

/**
 * One run over started workers: each says hello, takes its share and connects; then `go` to all at
 * once (the start barrier), and their results merge. `stopped()` says the run was abandoned.
 */
async function runOver(
  workers: Worker[],
  shares: LoadShare[],
  o: LoadRunOptions & { engine: EngineName },
  stopped: () => boolean,
): Promise<LoadOutcome> {
  const goOn = () => {
    if (stopped()) throw new Error('abandoned');
  };
  const hellos = await Promise.all(workers.map((w) => w.hello));
  goOn();
  hellos.forEach((h, i) => {
    if (h.protocol !== PROTOCOL)
      throw envError(
        `${workers[i]!.name} speaks protocol ${h.protocol}, this lb-bench ${PROTOCOL}`,
        'run the same lb-bench version everywhere',
      );
  });
  const latencies = Boolean(o.hooks?.onLatency);
  workers.forEach((w, i) => w.send({ type: 'share', engine: o.engine, share: shares[i]!, latencies }));
  await Promise.all(workers.map((w) => w.expect('ready', 'its connections were open')));
  goOn();
  // the start barrier: every worker has connected; all send from here
  const results = workers.map((w) => w.expect('result', 'it reported its result'));
  const goWall = Date.now();
  const release = performance.now();
  // each `go` is timed to its worker's `going`; one that does not say it (an older lb-bench) has no start figure
  const ways: ({ sent: number; roundTrip: number } | null)[] = workers.map(() => null);
  const untime = workers.map((w, i) => {
    const sent = performance.now();
    const onMessage = (m: FromWorker) => {
      if (m.type !== 'going') return;
      ways[i] = { sent: sent - release, roundTrip: performance.now() - sent };
      w.events.off('message', onMessage);
    };
    w.events.on('message', onMessage);
    w.send({ type: 'go' });
    return () => w.events.off('message', onMessage);
  });
  let got: WorkerResult[];
  try {
    got = await Promise.all(results);
  } finally {
    for (const off of untime) off();
  }
  for (const r of got) for (const ms of r.latencies ?? []) o.hooks!.onLatency!(ms);
  const hosts = workers.map((w) => w.spawner.host);
  const starts = got.map((r, i) => {
    const at = firstRequestAfterRelease(ways[i]!, r.start_ms);
    return at === null ? null : { at, roundTrip: ways[i]!.roundTrip };
  });
  return mergeResults(o.engine, shares, got, goWall, o.timeoutMs, hosts, starts);
}

/** The run over `count` workers: on `spawners` (one worker each), or as child processes of lb-bench. */
export function startWorkers(o: LoadRunOptions & { engine: EngineName }, count: number, spawners?: readonly WorkerSpawner[]): LoadRun {
  const shares = splitShare(shareOf(o), spawners?.length ?? count);
  const workers = takeWorkers(spawners ? spawners.slice(0, shares.length) : shares.map(() => localSpawner));
  let stopped = false;
  let abandon!: (o: LoadOutcome) => void;
  const abandoned = new Promise<LoadOutcome>((r) => (abandon = r));
  const endAll = async () => {
    for (const w of workers) w.send({ type: 'stop' });
    await Promise.all(workers.map((w) => w.finish()));
  };

  const measured = runOver(workers, shares, o, () => stopped);
  const done = Promise.race([measured, abandoned]);
  // after a result each worker releases its connections and waits for the next run; after a
  // failure or a stop every worker ends
  const closed = measured.then(async () => (stopped ? endAll() : void (await Promise.all(workers.map((w) => w.release())))), endAll);
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
