/**
 * A long-lived `sh` on the host, fed commands through its stdin. Samplers read counters twice a
 * second; a fresh exec for each would start the user's login shell and its rc files every time
 * (bash reads ~/.bashrc under sshd), costing the measured host CPU and, on hosts whose rc files
 * do slow work, seconds. Here the login shell starts once per connection and `exec`s a plain sh.
 * Commands run one at a time, each in a subshell so `exit` or `cd` cannot break the session.
 *
 * A command that misses its bound is abandoned, not fatal: its caller gets the time-out, the shell
 * stays open, and its late output is skipped when it arrives (every command ends with a marker of
 * its own). So a slow read during a load window costs that read, never the session. Only a command
 * still unanswered after `staleMs` closes the shell, since it may never end.
 */
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';

const MARKER = /\n@@lb-bench-([0-9a-f]{12}) (\d+)\n/;

export class ShellTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

interface Pending {
  id: string;
  resolve(r: { output: string; code: number }): void;
}

export class RemoteShell {
  #queue: Promise<unknown> = Promise.resolve();
  #buffer = '';
  #current: Pending | null = null;
  /** marker id → when its command was abandoned */
  #abandoned = new Map<string, number>();
  #closed = false;
  #onClose: (() => void) | null = null;

  constructor(
    private readonly channel: ClientChannel,
    /** an abandoned command unanswered for this long closes the shell */
    private readonly staleMs = 30_000,
  ) {
    channel.on('data', (d: Buffer) => {
      this.#buffer += d.toString();
      this.#drain();
    });
    channel.stderr.on('data', () => {}); // the login shell's own noise, if any
    channel.on('close', () => {
      this.#closed = true;
      this.#onClose?.();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Hand each finished command its output; skip the output of abandoned ones. */
  #drain(): void {
    for (let m = MARKER.exec(this.#buffer); m; m = MARKER.exec(this.#buffer)) {
      const output = this.#buffer.slice(0, m.index);
      this.#buffer = this.#buffer.slice(m.index + m[0].length);
      if (this.#abandoned.delete(m[1])) continue;
      const current = this.#current;
      if (current?.id === m[1]) {
        this.#current = null;
        current.resolve({ output, code: Number(m[2]) });
      }
    }
  }

  /** Run `script`; resolves with its stdout and stderr merged, and its exit status. The bound counts from this call. */
  run(script: string, timeoutMs: number): Promise<{ output: string; code: number }> {
    const deadline = Date.now() + timeoutMs;
    const next = this.#queue.then(() => this.#runNow(script, deadline, timeoutMs));
    this.#queue = next.catch(() => {});
    return next;
  }

  #runNow(script: string, deadline: number, timeoutMs: number): Promise<{ output: string; code: number }> {
    const oldest = Math.min(...this.#abandoned.values());
    if (Date.now() - oldest > this.staleMs) this.close(); // a command that never ends: start afresh
    if (this.#closed) return Promise.reject(new Error('the remote shell is closed'));
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(new ShellTimeout(timeoutMs));
    const id = randomBytes(6).toString('hex');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#current = null;
        this.#abandoned.set(id, Date.now());
        reject(new ShellTimeout(timeoutMs));
      }, left);
      this.#onClose = () => {
        clearTimeout(timer);
        reject(new Error('the remote shell closed'));
      };
      this.#current = {
        id,
        resolve: (r) => {
          clearTimeout(timer);
          this.#onClose = null;
          resolve(r);
        },
      };
      // stdin of the command is /dev/null, so it cannot swallow the commands that follow
      this.channel.write(`( ${script}\n) </dev/null 2>&1; printf '\\n%s %s\\n' @@lb-bench-${id} $?\n`);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.channel.close();
    this.#onClose?.();
  }
}
