/**
 * The SSH transport (the default): the worker runs on the host as `<lbBench> worker` (the
 * inventory's `lbBench`, default `lb-bench`), on a channel of the SSH connection lb-bench keeps to
 * the host. Its settings are the host's `ssh` and `lbBench`; `transport: { ssh: {} }` only says so.
 */
import type { ClientChannel } from 'ssh2';
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { WorkerExit, WorkerProcess } from '../process.js';
import type { WorkerTransport } from './transport.js';

export const DEFAULT_LB_BENCH = 'lb-bench';

const settings = z
  .strictObject({}, { error: "takes no settings: an SSH host's are its `ssh` and `lbBench`" })
  .nullable()
  .transform(() => ({}));

export const sshTransport: WorkerTransport<object> = {
  settings,
  ssh: true,
  spawner(host, _settings, { pool }) {
    const ssh = pool!.host(host.name);
    const command = `${host.lbBench ?? DEFAULT_LB_BENCH} worker`;
    return {
      key: `ssh:${host.name}`,
      where: `on ${host.name}`,
      host: host.name,
      spawn: () => channelWorker(ssh.stream(command)),
    };
  },
};

/**
 * A worker process over an SSH channel that is still being opened: what is written meanwhile is
 * held, and a channel that cannot be opened is a worker that could not start (its reason on stderr).
 */
function channelWorker(opening: Promise<ClientChannel>): WorkerProcess {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let channel: ClientChannel | null = null;
  let killed = false;
  const exited = new Promise<WorkerExit>((resolve) => {
    opening.then(
      (ch) => {
        channel = ch;
        if (killed) ch.close();
        let exit: WorkerExit = { code: null, signal: null };
        ch.on('exit', (code: number | null, signal?: string) => (exit = { code: code ?? null, signal: signal ? `SIG${signal}` : null }));
        ch.on('close', () => {
          stdout.end();
          stderr.end();
          resolve(exit);
        });
        ch.pipe(stdout, { end: false });
        ch.stderr.pipe(stderr, { end: false });
        stdin.pipe(ch);
      },
      (e: Error) => {
        stderr.end(`${e.message}\n`);
        stdout.end();
        resolve({ code: null, signal: null });
      },
    );
  });
  return {
    stdin,
    stdout,
    stderr,
    exited,
    kill() {
      killed = true;
      channel?.signal('KILL');
      channel?.close();
    },
    // the SSH connection, not the channel, keeps lb-bench alive; it ends with the scenario
    setRef: () => {},
  };
}
