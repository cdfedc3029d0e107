/** The probes of one repetition, per type, kept in send order as their outcomes arrive (in any order). */
import type { ProbeType } from './scenario.js';
import type { ProbePoint } from './downtime.js';
import type { ProbeResult } from './probe.js';

export class Timeline {
  readonly #points = new Map<ProbeType, ProbePoint[]>();
  readonly #errors = new Map<ProbeType, string>();

  add(r: ProbeResult): void {
    let list = this.#points.get(r.type);
    if (!list) this.#points.set(r.type, (list = []));
    const point = { t: r.sent_at, ok: r.ok, latency: r.latency_ms };
    // outcomes arrive nearly in send order: insert from the end
    let i = list.length;
    while (i > 0 && list[i - 1]!.t > point.t) i--;
    list.splice(i, 0, point);
    if (!r.ok && r.error) this.#errors.set(r.type, r.error);
  }

  points(type: ProbeType): readonly ProbePoint[] {
    return this.#points.get(type) ?? [];
  }

  lastError(type: ProbeType): string | undefined {
    return this.#errors.get(type);
  }
}
