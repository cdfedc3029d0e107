/**
 * The history kept bounded (`history append`, `history prune`): each scenario's newest N nights
 * (runs), then, while the file is larger than a number of bytes, the oldest night of all dropped,
 * down to the newest one. An acceptance (`history accept`) is kept while it still leaves out a
 * night: the newest of its scenario, when a kept night of that scenario is older than it. Pure.
 */
import { isAccept, nightsIn, type AcceptLine, type HistoryEntry } from './history.js';

export interface PruneLimits {
  /** each scenario's newest N nights */
  keepNights: number;
  /** the whole file at most this large (the newest night is kept whatever its size) */
  maxBytes: number;
}

export interface Pruned {
  kept: HistoryEntry[];
  /** nights (a scenario's run) dropped for being older than the newest N */
  byNights: number;
  /** nights dropped to bring the file under maxBytes */
  byBytes: number;
  /** lines dropped in all, acceptances that no longer leave anything out among them */
  lines: number;
  bytes: number;
}

interface Night {
  key: string;
  scenario: string;
  at: string;
  run: string;
  bytes: number;
}

const bytesOf = (e: HistoryEntry) => Buffer.byteLength(JSON.stringify(e)) + 1;
const keyOf = (e: { scenario: string; run: string }) => `${e.scenario}\0${e.run}`;
const oldestFirst = (a: { at: string; run: string }, b: { at: string; run: string }) =>
  a.at.localeCompare(b.at) || a.run.localeCompare(b.run);

function nightsOf(entries: readonly HistoryEntry[]): Night[] {
  const nights = new Map<string, Night>();
  for (const l of nightsIn(entries)) {
    const key = keyOf(l);
    const n = nights.get(key) ?? { key, scenario: l.scenario, at: l.at, run: l.run, bytes: 0 };
    n.bytes += bytesOf(l);
    nights.set(key, n);
  }
  return [...nights.values()].sort(oldestFirst);
}

/** The newest acceptance of each scenario, when a kept night of that scenario lies before it. */
function liveAccepts(entries: readonly HistoryEntry[], kept: readonly Night[]): Set<AcceptLine> {
  const newest = new Map<string, AcceptLine>();
  for (const a of entries.filter(isAccept)) {
    const seen = newest.get(a.scenario);
    if (!seen || oldestFirst(seen, a) <= 0) newest.set(a.scenario, a);
  }
  return new Set([...newest.values()].filter((a) => kept.some((n) => n.scenario === a.scenario && n.at < a.at)));
}

export function pruneHistory(entries: readonly HistoryEntry[], limits: PruneLimits): Pruned {
  const nights = nightsOf(entries);
  const byScenario = new Map<string, Night[]>();
  for (const n of nights) byScenario.set(n.scenario, [...(byScenario.get(n.scenario) ?? []), n]);
  let kept = [...byScenario.values()].flatMap((ns) => ns.slice(-limits.keepNights)).sort(oldestFirst);
  const byNights = nights.length - kept.length;

  const acceptBytes = entries.filter(isAccept).reduce((sum, a) => sum + bytesOf(a), 0);
  let total = kept.reduce((sum, n) => sum + n.bytes, acceptBytes);
  let byBytes = 0;
  while (total > limits.maxBytes && kept.length > 1) {
    total -= kept[0].bytes;
    kept = kept.slice(1);
    byBytes++;
  }
  const keys = new Set(kept.map((n) => n.key));
  const accepts = liveAccepts(entries, kept);
  const out = entries.filter((e) => (isAccept(e) ? accepts.has(e) : keys.has(keyOf(e))));
  const bytes = (es: readonly HistoryEntry[]) => es.reduce((sum, e) => sum + bytesOf(e), 0);
  return { kept: out, byNights, byBytes, lines: entries.length - out.length, bytes: bytes(out) };
}
