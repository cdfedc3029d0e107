/** `lab install`: the distribution's packages, by apt-get, as a user would install them. */
import { spawn } from 'node:child_process';
import { envError } from '../errors.js';
import type { Io } from '../io/io.js';
import { PACKAGES, isDebianLike } from './system.js';

function apt(io: Io, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    io.err(`lb-bench: apt-get ${args.join(' ')}`);
    const child = spawn('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => io.err(d.toString().replace(/\n$/, '')));
    child.stderr.on('data', (d: Buffer) => io.err(d.toString().replace(/\n$/, '')));
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

export async function install(io: Io): Promise<void> {
  const byHand = `install by hand: ${PACKAGES.join(' ')}`;
  if (process.platform !== 'linux' || !isDebianLike())
    throw envError('lab install: apt-get is for Debian-like systems, and this is not one', byHand);
  if (process.getuid?.() !== 0) throw envError('lab install: needs root', `run \`sudo lb-bench lab install\`, or ${byHand}`);
  const args = ['install', '-y', '--no-install-recommends', ...PACKAGES];
  // a fresh machine (a CI image) has no package lists yet: fetch them once and try again
  if ((await apt(io, args)) !== 0 && ((await apt(io, ['update'])) !== 0 || (await apt(io, args)) !== 0)) {
    throw envError('lab install: apt-get failed (its output is above)', byHand);
  }
  io.out(`installed: ${PACKAGES.join(' ')}`);
}
