/**
 * Problems found in run folders that do not stop the command (a line that does not parse, a pair
 * stored twice, a torn line cut back, a stale lock taken over): one line each on stderr, said once.
 * `main` points this at the command's stderr; the default is the process's.
 */
type Sink = (message: string) => void;

let sink: Sink = (m) => process.stderr.write(`warning: ${m}\n`);
const said = new Set<string>();

/** Where store warnings go from now on (each command run starts afresh). */
export function onStoreWarning(next: Sink): void {
  sink = next;
  said.clear();
}

export function storeWarning(message: string): void {
  if (said.has(message)) return;
  said.add(message);
  sink(message);
}
