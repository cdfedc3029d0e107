/**
 * The report's line about the lab's calibration (`lb-bench lab calibrate`): which share the web
 * servers ran at, and what it was measured to stand for, per distinct calibration among the runs;
 * the runs whose lab ran another share than its machine's calibration (a --config's); and which runs
 * on the lab ran on a machine without one (lab.yaml's share). Nothing when no run was on the lab. Pure.
 */
import type { ReportSection } from '../kinds/kind.js';
import type { StoredRun } from '../kinds/registry.js';
import { calibrationSummary } from '../calibrate/evidence-table.js';
import type { ManifestCalibration } from '../results/types.js';
import { escapeHtml as esc, mdText } from '../util/format.js';

const onLab = (r: StoredRun) => (r.manifest.scenario as { inventory?: unknown }).inventory === 'lab';

export function calibrationLines(runs: readonly StoredRun[]): string[] {
  const byCalibration = new Map<string, { c: ManifestCalibration; scenarios: Set<string> }>();
  const uncalibrated = new Set<string>();
  for (const r of runs.filter(onLab)) {
    const c = r.manifest.calibration;
    if (!c) {
      uncalibrated.add(r.manifest.scenario.name);
      continue;
    }
    const key = `${c.web_cpus}@${c.at}@${c.lab_web_cpus ?? ''}`;
    const entry = byCalibration.get(key) ?? { c, scenarios: new Set<string>() };
    entry.scenarios.add(r.manifest.scenario.name);
    byCalibration.set(key, entry);
  }
  const lines = [...byCalibration.values()].map(({ c, scenarios }) => {
    const measured = `measured ${c.at} on ${c.machine.cpus} × ${c.machine.cpu_model}, Linux ${c.machine.kernel}`;
    const names = [...scenarios].join(', ');
    return c.lab_web_cpus === undefined
      ? `Calibrated lab (${names}): ${calibrationSummary(c)}; ${measured}.`
      : `Lab not at its calibrated share (${names}): web servers at ${c.lab_web_cpus} CPU each, as a --config named; this machine's calibration (${c.web_cpus} CPU, ${measured}) was not used.`;
  });
  if (uncalibrated.size)
    lines.push(
      `Not calibrated (${[...uncalibrated].join(', ')}): the lab ran lab.yaml's web CPU share (or a --config's) on a machine without a calibration (lb-bench lab calibrate).`,
    );
  return lines;
}

export function calibrationSection(runs: readonly StoredRun[]): ReportSection | null {
  const lines = calibrationLines(runs);
  if (!lines.length) return null;
  return {
    markdown: ['## Lab calibration', '', ...lines.map((l) => `- ${mdText(l)}`), ''],
    html: ['<h2>Lab calibration</h2>', `<ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('\n')}</ul>`],
  };
}
