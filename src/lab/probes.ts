/** Small health probes, from this machine to the lab's addresses only; the checks themselves are src/net/reach.ts. */
import net from 'node:net';
import { httpGet as get, tcpConnect } from '../net/reach.js';

export interface HttpResult {
  status: number;
  backend?: string;
  bytes: number;
}

/** One GET of / on a new connection (each probe is its own connection, as a load request is), with the X-Backend header the lab's web servers add. */
export async function httpGet(host: string, port: number, timeoutMs = 2000): Promise<HttpResult> {
  const r = await get(`http://${host}:${port}/`, timeoutMs);
  return { status: r.status, backend: r.headers['x-backend'] as string | undefined, bytes: r.bytes };
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

/** Whether something accepts connections on the port (a balancer answers 503 until its backends are up, so HTTP would mislead). */
export function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return tcpConnect(host, port, timeoutMs).then(
    () => true,
    () => false,
  );
}
