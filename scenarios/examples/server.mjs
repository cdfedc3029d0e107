// A small web server for the example scenario: a page of about 1.5 KB, like the lab's Apache.
// Usage: node scenarios/examples/server.mjs [PORT]   (default 8000; Ctrl-C to stop)
import http from 'node:http';

const port = Number(process.argv[2] ?? 8000);
const page = `<!doctype html><title>lb-bench example</title><p>${'lb-bench example page. '.repeat(62)}</p>\n`;
let served = 0;
const server = http.createServer((req, res) => {
  served++;
  res.writeHead(200, { 'content-type': 'text/html', 'x-backend': 'example' });
  res.end(page);
});
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () =>
  console.log(`serving ${page.length} bytes on http://127.0.0.1:${port}/ (Ctrl-C to stop)`),
);
process.on('SIGINT', () => {
  console.log(`served ${served} requests`);
  process.exit(0);
});
