/**
 * A private key that group or others may read is one OpenSSH refuses ("UNPROTECTED PRIVATE KEY
 * FILE"): lb-bench uses it, since ssh2 does not care, but says so once per host.
 */
import { statSync } from 'node:fs';

/** The warning for a key readable by group or others, or null when its mode is private (or it cannot be read). */
export function looseKeyWarning(host: string, file: string): string | null {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    return null; // reading it fails next, with its own message
  }
  if ((mode & 0o077) === 0) return null;
  const octal = mode.toString(8).padStart(4, '0');
  return `warning: ${host}: the private key ${file} (ssh.identity) is readable by group or others (mode ${octal}); OpenSSH refuses such keys — chmod 600 ${file}`;
}
