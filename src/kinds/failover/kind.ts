/**
 * `kind: failover`: probes sent open-loop at the target while a fault is injected into the
 * cluster and recovered, repetition after repetition. Its scenario schema is
 * scenario.ts, its runner runner.ts, its samples FailoverSample (sample.ts), its metrics,
 * aggregation and part of the report: all here, in its folder.
 */
import path from 'node:path';
import { inputError, LbError } from '../../errors.js';
import { loadSettings } from '../../lab/settings.js';
import type { Kind } from '../kind.js';
import { folderReader } from '../../results/read.js';
import {
  failoverSampleRule,
  failoverSampleSchema,
  storedFailoverScenarioSchema,
  type StoredFailoverScenario,
  type FailoverSample,
} from './sample.js';
import { failoverScenarioSchema, type FailoverScenario } from './scenario.js';
import { redactUrl } from '../../util/redact.js';
import { faultPlan } from './faults.js';
import { failoverMetrics } from './metrics.js';
import { failoverReport } from './report.js';

declare module '../kind.js' {
  interface KindTypes {
    failover: { scenario: FailoverScenario; sample: FailoverSample; stored: StoredFailoverScenario };
  }
}

export const failoverKind: Kind<FailoverScenario, FailoverSample, StoredFailoverScenario> = {
  name: 'failover',
  schema: failoverScenarioSchema,
  // its repetitions sit at the top level; it has no levels (so --levels is an unknown field here)
  overrides: (o) => ({ ...o }),
  redact: (s) => ({
    ...s,
    target: redactUrl(s.target),
    probe: s.probe.map((p) => (p.target === undefined ? p : { ...p, target: redactUrl(p.target) })),
  }),
  describe: (s) => `${s.probe.map((p) => p.type).join(' + ')} probes × ${s.repetitions} repetitions`,
  plan: (s) => `${s.repetitions} repetitions`,
  checkInventory(file, s, inventory) {
    const plan = faultPlan(s.fault);
    // as the failover run: the fault's hosts are looked up only when something runs over SSH on them
    const needsSsh = 'ssh' in plan.inject || 'ssh' in plan.recover || s.fault.backup !== undefined;
    for (const [field, name] of [
      ['fault.host', s.fault.host],
      ['fault.backup', s.fault.backup],
    ] as const) {
      if (needsSsh && name && !inventory.hosts[name])
        throw inputError(`${file}: ${field}: no host "${name}" in ${inventory.file} (it has: ${Object.keys(inventory.hosts).join(', ')})`);
    }
  },
  checkFiles(file, s) {
    if (!s.lab_config) return '';
    const settings = path.resolve(path.dirname(file), s.lab_config);
    try {
      loadSettings(settings);
    } catch (e) {
      if (e instanceof LbError) throw inputError(`${file}: lab_config: ${e.message}`, e.hint);
      throw e;
    }
    return `; lab_config ${s.lab_config}: ok`;
  },
  // its runner (probes, ping, SSH) is loaded only when a failover scenario runs
  run: async (r, opts) => (await import('./runner.js')).runFailover(r, opts),
  afterRun: () => null,
  read: folderReader(storedFailoverScenarioSchema, {
    sample: failoverSampleSchema,
    rule: failoverSampleRule,
    key: (s) => String(s.repetition),
    keyName: 'repetition',
  }),
  // a failover has no load level: its figures sit at level 0
  level: () => 0,
  measured: () => 'failover',
  metrics: failoverMetrics,
  report: failoverReport,
};
