/**
 * A long-lived `sh` on the host, fed commands through its stdin. Samplers read counters twice a
 * second; a fresh exec for each would start the user's login shell and its rc files every time
 * (bash reads ~/.bashrc under sshd), costing the measured host CPU and, on hosts whose rc files
 * do slow work, seconds. Here the login shell starts once per connection and `exec`s a plain sh.
 * Commands run one at a time, each in a subshell so `exit` or `cd` cannot break the session.
 */
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';

export class RemoteShell {
  #queue: Promise<unknown> = Promise.resolve();
  #buffer = '';
  #waiter: ((closed: boolean) => void) | null = null;
  #closed = false;

  constructor(private readonly channel: ClientChannel) {
    channel.on('data', (d: Buffer) => {
      this.#buffer += d.toString();
      this.#waiter?.(false);
    });
    channel.stderr.on('data', () => {}); // the login shell's own noise, if any
    channel.on('close', () => {
      this.#closed = true;
      this.#waiter?.(true);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Run `script`; resolves with its stdout and stderr merged, and its exit status. */
  run(script: string, timeoutMs: number): Promise<{ output: string; code: number }> {
    const next = this.#queue.then(() => this.#runNow(script, timeoutMs));
    this.#queue = next.catch(() => {});
    return next;
  }

  #runNow(script: string, timeoutMs: number): Promise<{ output: string; code: number }> {
    if (this.#closed) return Promise.reject(new Error('the remote shell is closed'));
    const marker = `@@lb-bench-${randomBytes(6).toString('hex')}`;
    const end = new RegExp(`\\n${marker} (\\d+)\\n`);
    this.#buffer = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.close(); // a command that hangs leaves the shell in an unknown state: start afresh
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = (closed) => {
        const m = end.exec(this.#buffer);
        if (!m && !closed) return;
        clearTimeout(timer);
        this.#waiter = null;
        if (!m) return reject(new Error('the remote shell closed'));
        resolve({ output: this.#buffer.slice(0, m.index), code: Number(m[1]) });
      };
      // stdin of the command is /dev/null, so it cannot swallow the commands that follow
      this.channel.write(`( ${script}\n) </dev/null 2>&1; printf '\\n%s %s\\n' ${marker} $?\n`);
    });
  }

  close(): void {
    this.#closed = true;
    this.channel.close();
  }
}
