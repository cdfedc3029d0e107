/**
 * One look for a scenario in every chart of every command (report, compare, reproduce): its colour
 * and its marker. The thesis's scenarios have fixed ones; any other name takes the slot its name
 * hashes to, moved on to the next free slot when a scenario drawn beside it already has that one.
 * Pure.
 */

/** Tableau 10's first eight: told apart by most readers with a colour-vision deficiency, and in print. */
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'] as const;
/** chart.js point styles, one per palette slot: a second cue where colours are hard to tell apart */
export const MARKERS = ['circle', 'rect', 'triangle', 'rectRot', 'rectRounded', 'star', 'cross', 'crossRot'] as const;

/** The thesis's scenarios, as the shipped files name them: the same slot in every chart. */
const FIXED: Record<string, number> = { single: 0, 'haproxy-rr': 1, 'haproxy-lc': 2, 'nginx-rr': 3, failover: 4, 'failover-tuned': 5 };

export interface ScenarioStyle {
  color: string;
  marker: (typeof MARKERS)[number];
}

/** The scenario's name in a label that is a run folder's id (`20261126-091621-haproxy-lc`, two runs of one scenario). */
export const scenarioOfLabel = (label: string) => label.replace(/^\d{8}-\d{6}-/, '');

/** FNV-1a: a fixed slot for a name, the same on every machine and in every run of lb-bench. */
function hashSlot(name: string): number {
  let h = 0x811c9dc5;
  for (const c of name) h = Math.imul(h ^ c.codePointAt(0)!, 0x01000193) >>> 0;
  return h % PALETTE.length;
}

const styleAt = (slot: number): ScenarioStyle => ({ color: PALETTE[slot % PALETTE.length], marker: MARKERS[slot % MARKERS.length] });

/**
 * The style of each scenario drawn together. A known name always has its own slot; another name
 * its hashed one unless a scenario here already took it (then the next free one). Two runs of one
 * scenario (labels that are run ids) share its colour.
 */
export function scenarioStyles(labels: readonly string[]): Map<string, ScenarioStyle> {
  const names = [...new Set(labels.map(scenarioOfLabel))];
  const slots = new Map<string, number>();
  for (const n of names) if (n in FIXED) slots.set(n, FIXED[n]);
  const used = new Set(slots.values());
  for (const n of names.filter((x) => !(x in FIXED))) {
    let slot = hashSlot(n);
    for (let k = 0; k < PALETTE.length && used.has(slot); k++) slot = (slot + 1) % PALETTE.length;
    slots.set(n, slot);
    used.add(slot);
  }
  return new Map(labels.map((l) => [l, styleAt(slots.get(scenarioOfLabel(l))!)]));
}

/** A colour with some transparency, for the repetitions' points behind the means. */
export function faded(color: string, alpha = 0.45): string {
  const n = parseInt(color.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
