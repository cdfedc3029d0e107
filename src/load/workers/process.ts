/**
 * Where a worker runs: a process that speaks the worker protocol (protocol.ts) on its stdin and
 * stdout. A local worker is a child process of lb-bench; a remote one is the same program started
 * through a transport to a generator host (transports/). The pool (pool.ts) sees only this.
 */
import { spawn } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export type WorkerExit = { code: number | null; signal: string | null };

export interface WorkerProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** resolves once, when the process has ended (or could not start: code and signal null) */
  readonly exited: Promise<WorkerExit>;
  /** the local pid, when there is one (a remote worker says its own in `hello`) */
  readonly pid?: number;
  /** end it now (SIGKILL, or closing its channel) */
  kill(): void;
  /** whether it keeps lb-bench alive (in a run) or not (idle between runs) */
  setRef(on: boolean): void;
}

/** Starts workers in one place; workers of one key are interchangeable (an idle one may serve the next run). */
export interface WorkerSpawner {
  readonly key: string;
  /** `on gen1`, or empty for this machine: where a worker's messages say it ran */
  readonly where: string;
  /** the generator host, for the run's figures; undefined for this machine */
  readonly host?: string;
  spawn(): WorkerProcess;
}

const WORKER_PROGRAM = fileURLToPath(new URL('./main.js', import.meta.url));

/**
 * A worker as a child process of lb-bench: `program args…`, which is the worker itself or a
 * command that opens stdio to one (the command transport). One that cannot be started exits with
 * code and signal null, its reason on its stderr.
 */
export function childWorker(program: string, args: readonly string[]): WorkerProcess {
  const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr = new PassThrough();
  child.stderr!.pipe(stderr, { end: false });
  const exited = new Promise<WorkerExit>((resolve) => {
    child.once('error', (e) => {
      stderr.end(`${e.message}\n`);
      resolve({ code: null, signal: null });
    });
    child.once('close', (code, signal) => {
      stderr.end();
      resolve({ code, signal });
    });
  });
  return {
    stdin: child.stdin!,
    stdout: child.stdout!,
    stderr,
    exited,
    pid: child.pid,
    kill: () => void child.kill('SIGKILL'),
    setRef(on) {
      // the pipes are sockets, whose ref/unref Node's stream typings do not show
      for (const stream of [child.stdin, child.stdout, child.stderr]) {
        const method: unknown = stream && Reflect.get(stream, on ? 'ref' : 'unref');
        if (typeof method === 'function') method.call(stream);
      }
      if (on) child.ref();
      else child.unref();
    },
  };
}

/** A worker as a child process of lb-bench, on this machine. */
export const localSpawner: WorkerSpawner = {
  key: 'local',
  where: '',
  spawn: () => childWorker(process.execPath, [WORKER_PROGRAM]),
};
