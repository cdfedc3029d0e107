/** A synthetic run folder's manifest for the report benchmarks: a complete load run on a made-up machine. */
import type { LoadScenario } from '../../src/kinds/load/scenario.js';
import type { Manifest } from '../../src/results/types.js';

export function syntheticManifest(
  scenario: LoadScenario,
  o: { startedAt: string; endedAt: string; memoryGb: number; profile: string | null; plannedRuns: number },
): Omit<Manifest, 'id'> {
  return {
    format: 1,
    tool: { name: 'lb-bench', version: 'bench' },
    node: process.version,
    os: { platform: 'linux', release: 'bench', kernel: 'bench', arch: process.arch },
    host: { hostname: 'bench', cpus: 2, cpu_model: 'bench', memory_gb: o.memoryGb },
    scenario_file: `scenarios/${scenario.name}.yaml`,
    scenario,
    scenario_hash: 'bench',
    profile: o.profile,
    overrides: {},
    started_at: o.startedAt,
    ended_at: o.endedAt,
    status: 'complete',
    planned_runs: o.plannedRuns,
    warnings: [],
  };
}
