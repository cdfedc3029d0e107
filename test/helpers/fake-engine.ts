/**
 * A load engine without sockets, for tests of what lies around the engines: the run, its
 * repetitions and interleaving, interrupts, the merge over workers, the aggregation. It is a real
 * implementation of the engine seam (src/load/engine-types.ts): each request of its share gets the
 * outcome the test's script gives it — a status after a latency, with bytes; a timeout; a
 * connection error — on real timers, and is counted by the engines' own accounting, so everything
 * after the engine (local driver, worker protocol and merge, samples, statistics) is the real code.
 *
 * `useFakeEngine` puts it in place of every engine of this process (src/load/engines/registry.ts,
 * `substituteEngine`); `fakeEngineCli` and `fakeWorkerSpawner` run it in a child process (a whole
 * `lb-bench` for a real signal; a worker for the real protocol).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Accounting, type AccountingHooks, type EngineCounts } from '../../src/load/accounting.js';
import type { EngineFactory, LoadEngine, LoadShare } from '../../src/load/engine-types.js';
import { substituteEngine } from '../../src/load/engines/registry.js';
import { childWorker, type WorkerSpawner } from '../../src/load/workers/process.js';

/** What becomes of one request. */
export type FakeOutcome =
  /** a whole response `latencyMs` after the request was written (2xx/3xx completed, others non2xx) */
  | { status: number; latencyMs: number; bytes?: number }
  /** no answer: a timeout once the share's timeout has passed */
  | { timeout: true }
  /** a connection error `afterMs` (default 0) after the request was written, or before (`written: false`) */
  | { error: string; afterMs?: number; written?: boolean };

export interface FakeScript {
  /** request i of a share (in the order they are sent) gets outcomes[i % outcomes.length] */
  outcomes: FakeOutcome[];
  /** a connect phase of this long before the first request, as the net engine has; absent: none, as autocannon */
  connectMs?: number;
}

/**
 * One script for every target, or one per target URL (as the run writes it: `new URL(target).href`);
 * in the test's own process also a function of the share and its number (0: the first share given).
 */
export type FakeScripts = FakeScript | Record<string, FakeScript>;
export type ScriptOf = (share: LoadShare, index: number) => FakeScript;

const isScript = (s: FakeScripts): s is FakeScript => Array.isArray((s as FakeScript).outcomes);

function scriptFor(scripts: FakeScripts, url: string): FakeScript {
  if (isScript(scripts)) return scripts;
  const s = scripts[url];
  if (!s) throw new Error(`the fake engine has no script for ${url} (it has: ${Object.keys(scripts).join(', ')})`);
  return s;
}

class FakeEngine implements LoadEngine {
  readonly connectsFirst: boolean;
  readonly closed: Promise<void>;
  private readonly acct: Accounting;
  /** the waits in flight, each with what ends it early */
  private readonly waits = new Map<NodeJS.Timeout, () => void>();
  private stopped = false;
  private next = 0;
  private release!: () => void;

  constructor(
    private readonly share: LoadShare,
    private readonly script: FakeScript,
    hooks: AccountingHooks,
  ) {
    this.connectsFirst = script.connectMs !== undefined;
    this.acct = new Accounting(share.requests, share.timeoutMs, hooks);
    this.closed = new Promise<void>((r) => (this.release = r));
  }

  /** resolves after `ms`, or at once when the share is stopped (then false) */
  private wait(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        resolve(!this.stopped);
      }, ms);
      this.waits.set(timer, () => resolve(false));
    });
  }

  async connect(): Promise<void> {
    if (this.script.connectMs !== undefined) await this.wait(this.script.connectMs);
  }

  /** one connection: its requests one after another, as a keep-alive connection sends them */
  private async connection(): Promise<void> {
    const { acct, script, share } = this;
    while (!this.stopped && this.next < share.requests) {
      const outcome = script.outcomes[this.next++ % script.outcomes.length]!;
      if ('error' in outcome && outcome.written === false) {
        acct.failed(outcome.error);
        continue;
      }
      acct.sent();
      if ('timeout' in outcome) {
        if (await this.wait(share.timeoutMs)) acct.timedOut();
      } else if ('error' in outcome) {
        if (await this.wait(outcome.afterMs ?? 0)) acct.failed(outcome.error);
      } else if (await this.wait(outcome.latencyMs)) {
        acct.received(outcome.bytes ?? 0);
        acct.response(outcome.status, outcome.latencyMs);
      }
    }
  }

  async send(): Promise<EngineCounts> {
    const connections = Math.min(this.share.connections, this.share.requests);
    await Promise.all(Array.from({ length: connections }, () => this.connection()));
    this.release();
    return this.acct.finish(this.stopped);
  }

  stop(): void {
    this.stopped = true;
    for (const [timer, end] of this.waits) (clearTimeout(timer), end());
    this.waits.clear();
    this.release();
  }
}

/** The fake as an engine factory; `onShare` sees every share it is given, before it runs. */
function fakeEngineFactory(scripts: FakeScripts | ScriptOf, onShare: (share: LoadShare) => void = () => {}): EngineFactory {
  let given = 0;
  return (share, hooks) => {
    onShare(share);
    const script = typeof scripts === 'function' ? scripts(share, given) : scriptFor(scripts, share.url);
    given++;
    return new FakeEngine(share, script, hooks);
  };
}

export interface FakeEngineInUse {
  /** every share it was given in this process, in order */
  readonly shares: LoadShare[];
  /** the requests it was asked to send to `url`, over all its shares */
  requestsTo(url: string): number;
  /** the engines again */
  restore(): void;
}

/** Every run of this process goes to the fake engine (whatever the scenario's `load.engine`) until restore(). */
export function useFakeEngine(scripts: FakeScripts | ScriptOf): FakeEngineInUse {
  const shares: LoadShare[] = [];
  substituteEngine(fakeEngineFactory(scripts, (s) => shares.push(s)));
  return {
    shares,
    requestsTo: (url) => shares.filter((s) => s.url === new URL(url).href).reduce((n, s) => n + s.requests, 0),
    restore: () => substituteEngine(null),
  };
}

/** Read back what a child process's fake engine was given (`log` of fakeEngineCli): one share a line. */
export const loggedShares = (text: string): LoadShare[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LoadShare);

/** In a child process: the fake in place, each share appended to `log` (if any) as it starts. `@FILE`: the scripts are in FILE. */
export function installInChild(scriptsArg: string, log: string | undefined): void {
  const json = scriptsArg.startsWith('@') ? readFileSync(scriptsArg.slice(1), 'utf8') : scriptsArg;
  const scripts = JSON.parse(json) as FakeScripts;
  substituteEngine(fakeEngineFactory(scripts, (s) => log && appendFileSync(log, JSON.stringify(s) + '\n')));
}

const CLI_PROGRAM = fileURLToPath(new URL('./fake-engine-cli.js', import.meta.url));
const WORKER_PROGRAM = fileURLToPath(new URL('./fake-engine-worker.js', import.meta.url));

/**
 * `node …` arguments for a whole `lb-bench` (bin/lb-bench.js, as a user starts it) with the fake
 * engine in place, each share it is given appended to `log` as a JSON line. `scripts` as a string:
 * a file holding them, read when the process starts (so a test can change them between processes).
 */
export const fakeEngineCli = (scripts: FakeScripts | string, log: string, args: string[]): string[] => [
  CLI_PROGRAM,
  typeof scripts === 'string' ? `@${scripts}` : JSON.stringify(scripts),
  log,
  ...args,
];

/** Workers on this machine that run the fake engine, over the real worker protocol. */
export function fakeWorkerSpawner(scripts: FakeScripts): WorkerSpawner {
  const json = JSON.stringify(scripts);
  return { key: `fake ${json}`, where: '', spawn: () => childWorker(process.execPath, [WORKER_PROGRAM, json]) };
}
