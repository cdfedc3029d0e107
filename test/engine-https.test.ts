/** Every engine against an https server (a self-signed certificate made for the test). */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLoad } from '../src/load/engine.js';
import { ENGINE_NAMES } from '../src/load/engines/registry.js';
import { PAGE } from './helpers/http-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lb-bench-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function certificate(): { key: Buffer; cert: Buffer } | null {
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
  } catch {
    return null;
  }
}

const tls = certificate();

for (const engine of ENGINE_NAMES) {
  test(`[${engine}] an https target: every request accounted for`, { skip: tls ? false : 'openssl is not installed' }, async () => {
    let received = 0;
    const server = https.createServer(tls!, (_req, res) => {
      received++;
      res.writeHead(received % 10 === 0 ? 503 : 200, { 'content-type': 'text/plain' });
      res.end(PAGE);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const run = startLoad({ url, requests: 200, connections: 50, timeoutMs: 5000, engine });
      const o = await run.done;
      await run.closed;
      assert.equal(received, 200);
      assert.equal(o.completed, 180);
      assert.equal(o.non2xx, 20);
      assert.equal(o.errors + o.timeouts, 0, JSON.stringify(o.errorCodes));
      assert.deepEqual(o.anomalies, []);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
}
