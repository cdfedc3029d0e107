/**
 * The one request sent before the first run (issue 15, part 6) against targets that misbehave:
 * one whose answer never ends is exit 3 within the bound, and Ctrl-C stops it. And a target the
 * user wrote in capitals (`HTTP://…`, a valid URL, which the request passed) is measured too.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { checkTarget } from '../src/net/reach.js';
import { runCli } from './helpers/cli.js';
import { startServer } from './helpers/http-server.js';
import { loadScenarioYaml, workspace } from './helpers/scenario.js';

const ws = workspace();
after(() => ws.remove());

/** A server that sends its headers, then a byte of body every 50 ms, for ever. */
async function endlessBody(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const drip = setInterval(() => res.write('x'), 50);
    res.on('close', () => clearInterval(drip));
  });
  server.on('connection', (s: Socket) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

/** How the request ended, or `hung` if it had not within `ms` (the server is then closed, which ends it). */
function settled(p: Promise<unknown>, ms: number): Promise<unknown> {
  let timer!: NodeJS.Timeout;
  const hung = new Promise((r) => (timer = setTimeout(() => r('hung'), ms)));
  return Promise.race([
    p.then(
      () => 'resolved',
      (e) => e,
    ),
    hung,
  ]).finally(() => clearTimeout(timer));
}

test('an answer that never ends is exit 3 within the bound (it hung for ever, and SIGTERM did not stop it)', async () => {
  const target = await endlessBody();
  try {
    const e = (await settled(checkTarget(target.url, 500, 'x.yaml'), 10_000)) as any;
    assert.equal(e?.code, 3, String(e));
    assert.match(e.message, /^x\.yaml: target http:\/\/127\.0\.0\.1:\d+\/ sent no complete answer within 500 ms/);
  } finally {
    await target.close();
  }
});

test('Ctrl-C while the request is out stops it at once: exit 130, nothing measured', async () => {
  const target = await endlessBody();
  try {
    const stop = new AbortController();
    const pending = checkTarget(target.url, 60_000, 'x.yaml', stop.signal);
    setTimeout(() => stop.abort(), 200);
    const e = (await settled(pending, 10_000)) as any;
    assert.equal(e?.code, 130, String(e));
  } finally {
    await target.close();
  }
});

for (const engine of ['net', 'autocannon']) {
  test(`a target in capitals (HTTP://HOST/) is measured by the ${engine} engine: every request answered (with autocannon each failed with ENOTFOUND before)`, async () => {
    const server = await startServer('ok');
    try {
      const yaml = loadScenarioYaml(server.url.replace('http://', 'HTTP://'), {
        levels: [5],
        repetitions: 1,
        name: `caps-${engine}`,
        more: `  engine: ${engine}`,
      });
      const file = ws.write(`caps-${engine}.yaml`, yaml);
      const r = await runCli(['run', file, '--out', ws.results]);
      assert.equal(r.code, 0, r.err.join('\n'));
      assert.ok(!r.err.some((l) => l.startsWith('warning:')), r.err.join('\n'));
      const [s] = ws.samples(r.last);
      assert.equal(s.completed, 5, JSON.stringify(s.error_codes));
      assert.equal(server.received, 11, 'the reachability request, the warm-up (five) and the five of the run reached the server');
    } finally {
      await server.close();
    }
  });
}
