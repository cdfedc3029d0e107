/** The calibration's evidence as a table, and its one-line summary. Pure. */
import type { CalibrationPoint, CalibrationRecord } from '../lab/calibration.js';
import { right, table, type Table } from '../export/table.js';

const cell = (v: number | null) => (v === null ? '–' : String(v));

export function evidenceTable(points: readonly CalibrationPoint[], chosen?: number): Table {
  return table(
    [
      ...[
        'web.cpus',
        'single req/s',
        'web1 CPU % of share',
        'HAProxy CPU % of a core',
        'Nginx CPU % of a core',
        'generator CPU % of a core',
      ].map(right),
      'valid',
    ],
    points.map((p) => [
      `${p.web_cpus}${p.web_cpus === chosen ? ' (chosen)' : ''}`,
      cell(p.single_rps),
      cell(p.web_pct),
      cell(p.haproxy_pct),
      cell(p.nginx_pct),
      `${p.generator_pct}${p.generator_bound ? ' (bound)' : ''}`,
      p.invalid.length ? `no: ${p.invalid.join('; ')}` : 'yes',
    ]),
  );
}

/** One share's figures as they come in: a line of progress. */
export function pointLine(p: CalibrationPoint): string {
  return (
    `lab calibrate: ${p.web_cpus} CPU: single ${p.single_rps} req/s, web1 ${cell(p.web_pct)} % of its share, ` +
    `HAProxy ${cell(p.haproxy_pct)} %, Nginx ${cell(p.nginx_pct)} %, generator ${p.generator_pct} % of a core` +
    (p.invalid.length ? ` — not valid: ${p.invalid.join('; ')}` : ' — valid')
  );
}

/** What a report or a note says of a calibration: the share, the peak against the target, the headroom. */
export function calibrationSummary(r: Pick<CalibrationRecord, 'web_cpus' | 'measured_rps' | 'target_rps' | 'headroom'>): string {
  return (
    `web servers at ${r.web_cpus} CPU each: single peaks at ${Math.round(r.measured_rps)} req/s (the thesis: ${Math.round(r.target_rps)}); ` +
    `balancer ${r.headroom.balancer_pct} %, generator ${r.headroom.generator_pct} % of a core at the top level`
  );
}
