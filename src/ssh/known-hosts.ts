/**
 * OpenSSH known_hosts (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"): plain and hashed (|1|salt|hash)
 * host fields, `[host]:port` for ports other than 22, patterns with * ? and !negation, and the
 * @revoked marker. @cert-authority lines are skipped: lb-bench does not use host certificates.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { inputError } from '../errors.js';
import { makeFolder, readPlainFile, refusalText, type Refusal } from '../io/files.js';

export interface HostKey {
  /** e.g. ssh-ed25519, taken from the key blob itself */
  type: string;
  /** the wire-format public key */
  blob: Buffer;
}

export type KeyCheck =
  { status: 'known' } | { status: 'unknown' } | { status: 'changed'; line: number } | { status: 'revoked'; line: number };

interface Entry {
  line: number;
  marker: string | null;
  hosts: string;
  type: string;
  blob: Buffer;
}

/** The host field OpenSSH writes and looks up: `host` on port 22, `[host]:port` elsewhere. */
export function hostField(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

export function keyFromBlob(blob: Buffer): HostKey {
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  return { type: blob.subarray(4, 4 + len).toString('latin1'), blob };
}

/** As OpenSSH prints it: `SHA256:` and base64 without padding. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

function readEntries(file: string): Entry[] {
  // a plain file of at most 16 MiB (io/files.ts): a FIFO named as knownHosts is refused, never waited on
  const refuse = (r: Refusal) => inputError(`${file}: ${refusalText(r, '16 MiB')}; knownHosts is a known_hosts file`);
  const text = readPlainFile(file, 16 * 1024 * 1024, refuse)?.toString('utf8');
  if (text === undefined) return [];
  const entries: Entry[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) return;
    const marker = fields[0].startsWith('@') ? fields.shift()! : null;
    if (fields.length < 3) return;
    entries.push({ line: i + 1, marker, hosts: fields[0], type: fields[1], blob: Buffer.from(fields[2], 'base64') });
  });
  return entries;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** Does a known_hosts host field name `host` (already in `[addr]:port` form where needed)? */
export function hostMatches(field: string, host: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(host).digest('base64') === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!');
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(host)) {
      if (negated) return false; // a negated match overrides any positive one (sshd(8))
      matched = true;
    }
  }
  return matched;
}

/**
 * Known when a line for this host holds this key. Changed when the host has lines but none holds
 * it: the connection prefers the known key types (see preferredHostKeyAlgorithms), so a server
 * that offers another key is treated as a changed identity, never as a new one.
 */
export function checkHostKey(file: string, address: string, port: number, key: HostKey): KeyCheck {
  const host = hostField(address, port);
  const mine = readEntries(file).filter((e) => e.marker !== '@cert-authority' && hostMatches(e.hosts, host));
  const revoked = mine.find((e) => e.marker === '@revoked' && e.blob.equals(key.blob));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = mine.filter((e) => e.marker === null);
  if (plain.some((e) => e.blob.equals(key.blob))) return { status: 'known' };
  if (plain.length) return { status: 'changed', line: plain[0].line };
  return { status: 'unknown' };
}

/** Key types known for a host, so the handshake asks for those first (as ssh(1) does). */
export function knownKeyTypes(file: string, address: string, port: number): string[] {
  const host = hostField(address, port);
  return [
    ...new Set(
      readEntries(file)
        .filter((e) => e.marker === null && hostMatches(e.hosts, host))
        .map((e) => e.type),
    ),
  ];
}

/** accept-new: append one plain line, as `ssh -o StrictHostKeyChecking=accept-new` would. */
export function addHostKey(file: string, address: string, port: number, key: HostKey): void {
  makeFolder(dirname(file)); // one level at a time: a recursive mkdir loops for ever under /proc
  let prefix = '';
  try {
    const text = readFileSync(file, 'utf8');
    if (text.length && !text.endsWith('\n')) prefix = '\n';
  } catch {
    /* a new file */
  }
  appendFileSync(file, `${prefix}${hostField(address, port)} ${key.type} ${key.blob.toString('base64')}\n`);
}
