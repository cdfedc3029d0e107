/** What a run folder records about where and how it was measured. */
import os from 'node:os';
import { VERSION } from '../version.js';
import type { ResolvedScenario } from '../scenario/resolved.js';
import type { ScenarioBase } from '../scenario/fields.js';
import { fingerprintOf } from './fingerprint.js';
import { systemOf } from './system.js';
import type { Manifest } from './types.js';

/**
 * `extra`: what the scenario's kind records of its own (the load kind: its generator). The
 * fingerprint and the system under test are made of what is known now; the lifecycle makes them
 * again once the environment has read the servers' versions (lifecycle.ts, start).
 */
export function newManifest<S extends ScenarioBase>(
  r: ResolvedScenario<S>,
  plannedRuns: number,
  extra: Pick<Manifest<S>, 'generator'> = {},
): Omit<Manifest<S>, 'id'> {
  const cpus = os.cpus();
  const machine = {
    os: { platform: process.platform, release: os.release(), kernel: os.version(), arch: process.arch },
    host: {
      hostname: os.hostname(),
      cpus: cpus.length,
      cpu_model: cpus[0]?.model.trim() ?? 'unknown',
      memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    },
  };
  return {
    format: 1,
    tool: { name: 'lb-bench', version: VERSION },
    node: process.version,
    ...machine,
    fingerprint: fingerprintOf({ ...machine, ...extra }),
    system: systemOf({ scenario: r.redacted }),
    scenario_file: r.file,
    // as resolved, less its credentials (a URL's password, an Authorization header): the run uses them, the folder never holds them
    scenario: r.redacted,
    scenario_hash: r.hash,
    profile: r.profile,
    overrides: r.overrides,
    ...extra,
    started_at: new Date().toISOString(),
    ended_at: null,
    status: 'running',
    planned_runs: plannedRuns,
    warnings: [],
  };
}
