#!/usr/bin/env node
// Runs a command with busy loops beside it, as on a shared CI runner: `node scripts/busy.mjs [--loops N] -- CMD ARGS…`.
// The loops are this script's own children, stopped by their pids when the command ends (also on Ctrl-C).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const args = process.argv.slice(2);
let loops = 2;
if (args[0] === '--loops') {
  loops = Number(args[1]);
  args.splice(0, 2);
}
if (args[0] === '--') args.shift();
if (!args.length || !Number.isInteger(loops) || loops < 0) {
  console.error('usage: node scripts/busy.mjs [--loops N] -- COMMAND [ARGS…]');
  process.exit(2);
}

const busy = Array.from({ length: loops }, () => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
const stopLoops = () => busy.forEach((b) => b.exitCode === null && b.signalCode === null && b.kill('SIGKILL'));
console.error(`busy: ${loops} busy loop(s) running beside \`${args.join(' ')}\` (pids ${busy.map((b) => b.pid).join(', ')})`);

const child = spawn(args[0], args.slice(1), { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  stopLoops();
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});
child.on('error', (e) => {
  stopLoops();
  console.error(`busy: ${e.message}`);
  process.exit(127);
});
