/**
 * Logs in to a lab host as the scenarios will: ssh2, the lab's user key, and the host key checked
 * against the lab's known_hosts (no match, no login). Runs one harmless command.
 */
import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';

/** The host key blob recorded for an address in an OpenSSH known_hosts file (plain entries). */
export function knownHostKey(knownHostsFile: string, address: string): Buffer | undefined {
  for (const line of readFileSync(knownHostsFile, 'utf8').split('\n')) {
    const [hosts, , blob] = line.trim().split(/\s+/);
    if (hosts && blob && hosts.split(',').includes(address)) return Buffer.from(blob, 'base64');
  }
  return undefined;
}

export function sshRun(address: string, identity: string, knownHosts: string, command: string, timeoutMs = 5000): Promise<string> {
  const expected = knownHostKey(knownHosts, address);
  return new Promise((resolve, reject) => {
    const conn = new Client();
    let sawHostKey = false;
    let hostKeyOk = false;
    const fail = (e: Error) => {
      conn.end();
      reject(e);
    };
    conn
      .on('ready', () => {
        conn.exec(command, (err, stream) => {
          if (err) return fail(err);
          let out = '';
          stream.on('data', (d: Buffer) => (out += d.toString()));
          stream.stderr.on('data', () => undefined);
          stream.on('close', (code: number) => {
            conn.end();
            if (code === 0) resolve(out);
            else reject(new Error(`\`${command}\` exited ${code}`));
          });
        });
      })
      .on('error', (e) => {
        if (!sawHostKey || hostKeyOk) fail(e);
        else fail(new Error(expected ? `host key does not match ${knownHosts}` : `no host key for ${address} in ${knownHosts}`));
      })
      .connect({
        host: address,
        port: 22,
        username: 'root',
        privateKey: readFileSync(identity),
        readyTimeout: timeoutMs,
        hostVerifier: (key: Buffer) => {
          sawHostKey = true;
          return (hostKeyOk = Boolean(expected && key.equals(expected)));
        },
      });
  });
}
