/** Small health probes, from this machine to the lab's addresses only. */
import http from 'node:http';
import net from 'node:net';

export interface HttpResult {
  status: number;
  backend?: string;
  bytes: number;
}

/** One GET on a new connection (no agent: each probe is its own connection, as a load request is). */
export function httpGet(host: string, port: number, timeoutMs = 2000): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout: timeoutMs, headers: { connection: 'close' } }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, backend: res.headers['x-backend'] as string | undefined, bytes }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** Connects and reads the first line the server sends (an SSH banner). */
export function tcpBanner(host: string, port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port, timeout: timeoutMs });
    let data = '';
    sock.on('data', (d) => {
      data += d.toString('latin1');
      if (data.includes('\n')) {
        sock.destroy();
        resolve(data.split('\n')[0]!.trim());
      }
    });
    sock.on('timeout', () => sock.destroy(new Error(`no banner within ${timeoutMs} ms`)));
    sock.on('error', reject);
    sock.on('close', () => reject(new Error('closed before a banner')));
  });
}

export const errText = (e: unknown) => ((e as NodeJS.ErrnoException).code ?? (e as Error).message ?? String(e));

/** Whether something accepts connections on the port (a balancer answers 503 until its backends are up, so HTTP would mislead). */
export function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port, timeout: timeoutMs });
    sock.on('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('timeout', () => {
      sock.destroy();
      resolve(false);
    });
    sock.on('error', () => resolve(false));
  });
}
