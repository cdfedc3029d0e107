/**
 * `lab calibrate`: measure this machine and choose the web servers' CPU share that makes the lab
 * a valid scale model of the thesis (choose.ts says what valid means). It starts at lab.yaml's
 * share, measures (measure.ts), aims at the thesis's single peak from what it measured, and stops
 * within the tolerance, when the machine allows no more, or after MAX_TRIES shares. The choice is
 * kept per machine (src/lab/calibration.ts), where `lab up` finds it.
 *
 * The lab is left as it was found: brought up for the measurement and down again, or, when it was
 * up, up again with the new share. It measures lab.yaml's settings (the thesis's lab); a lab
 * running other knobs is refused rather than measured or silently changed.
 */
import { envError } from '../errors.js';
import type { Io } from '../io/io.js';
import { saveCalibration, thisMachine, type CalibrationPoint, type CalibrationRecord, type Machine } from '../lab/calibration.js';
import { labProblems } from '../lab/guard.js';
import { labDown, labUp, type UpReport } from '../lab/lab.js';
import { loadSettings, type LabSettings } from '../lab/settings.js';
import { readLabSettings } from '../lab/state.js';
import { requireRootLinux } from '../lab/system.js';
import { labPaths } from '../lab/topology.js';
import { isPlainObject } from '../util/objects.js';
import { chooseShare, defaultSearch, judge, MIN_WEB_CPUS, nextShare, type Budget, type Choice, type SearchOptions } from './choose.js';
import { pointLine } from './evidence-table.js';
import { DEFAULT_PROFILE, measureShare, type Profile } from './measure.js';

export interface CalibrateOptions {
  io: Io;
  signal: AbortSignal;
  /** smaller bursts, fewer tries, other budgets: for tests */
  profile?: Partial<Profile>;
  search?: Partial<Omit<SearchOptions, 'budget'>>;
  budget?: Partial<Budget>;
}

export interface CalibrateResult {
  record: CalibrationRecord;
  /** where it is kept */
  file: string;
  /** `lab up` after it, when the lab was up before; null when it was brought down again */
  up: UpReport | null;
}

/** Settings that `up` fits to this machine's file limit: they differ from lab.yaml's by necessity, not by choice. */
const FITTED = ['web.cpus', 'nofile', 'haproxy.maxconn', 'nginx.workerRlimitNofile'];

function differences(a: unknown, b: unknown, at = ''): string[] {
  if (FITTED.includes(at)) return [];
  if (!isPlainObject(a) || !isPlainObject(b)) return JSON.stringify(a) === JSON.stringify(b) ? [] : [at];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) => differences(a[k], b[k], at ? `${at}.${k}` : k));
}

/** A running lab is measured only on lab.yaml's knobs (its share aside). */
function checkRunningSettings(): void {
  let running: LabSettings;
  try {
    running = readLabSettings(labPaths());
  } catch {
    return; // up, but its settings not recorded: `up` below writes lab.yaml's
  }
  const diff = differences(running, loadSettings());
  if (diff.length)
    throw envError(
      `lab calibrate: the lab runs settings other than lab.yaml's (${diff.join(', ')}); calibration measures the thesis's lab`,
      'bring it down (lb-bench lab down) or up on the defaults (lb-bench lab up) first; your --config applies on top afterwards',
    );
}

/** Every share the search asks for, measured and judged, in order. */
async function search(o: SearchOptions, profile: Profile, opts: CalibrateOptions): Promise<CalibrationPoint[]> {
  const points: CalibrationPoint[] = [];
  const start = Math.min(o.budget.max_web_cpus, Math.max(MIN_WEB_CPUS, loadSettings().web.cpus));
  for (let share: number | null = start; share !== null; share = nextShare(points, o)) {
    await labUp(undefined, { webCpus: share });
    const point = judge(await measureShare(share, profile, opts.signal), o.budget);
    points.push(point);
    opts.io.err(pointLine(point));
  }
  return points;
}

function record(
  machine: Machine,
  o: SearchOptions,
  profile: Profile,
  choice: Extract<Choice, { reached: boolean }>,
  points: CalibrationPoint[],
  seconds: number,
): CalibrationRecord {
  const p = choice.point;
  return {
    format: 1,
    web_cpus: p.web_cpus,
    target_rps: o.target,
    measured_rps: p.single_rps,
    headroom: { balancer_pct: Math.max(p.haproxy_pct ?? 0, p.nginx_pct ?? 0), generator_pct: p.generator_pct },
    machine,
    at: new Date().toISOString(),
    reached: choice.reached,
    reason: choice.reason,
    budget: o.budget,
    profile: { probe_level: profile.probeLevel, probe_bursts: profile.probeBursts, top_level: profile.topLevel },
    evidence: points,
    seconds: Math.round(seconds),
  };
}

/** The lab as it was found: up with lab.yaml's settings and (now) the calibrated share, or down. */
async function restore(wasUp: boolean, io: Io): Promise<UpReport | null> {
  if (!wasUp) {
    io.err('lab calibrate: bringing the lab down again (it was down)');
    await labDown();
    return null;
  }
  return labUp();
}

export async function calibrate(opts: CalibrateOptions): Promise<CalibrateResult> {
  requireRootLinux('calibrate');
  const started = Date.now();
  const machine = await thisMachine();
  const defaults = defaultSearch(machine.cpus);
  const o: SearchOptions = { ...defaults, ...opts.search, budget: { ...defaults.budget, ...opts.budget } };
  const profile: Profile = { ...DEFAULT_PROFILE, ...opts.profile };
  const wasUp = labProblems().length === 0;
  if (wasUp) checkRunningSettings();
  opts.io.err(
    `lab calibrate: ${machine.cpus} × ${machine.cpu_model}, Linux ${machine.kernel}; aiming single at ${o.target} req/s, shares up to ${o.budget.max_web_cpus} CPU`,
  );
  let points: CalibrationPoint[];
  try {
    points = await search(o, profile, opts);
  } catch (e) {
    await restore(wasUp, opts.io).catch((r: Error) => opts.io.err(`lb-bench: lab calibrate: could not restore the lab: ${r.message}`));
    throw e;
  }
  const choice = chooseShare(points, o);
  if (!choice.point) {
    await restore(wasUp, opts.io);
    throw envError(`lab calibrate: ${choice.reason}`, 'nothing was saved; calibrate on a quieter machine, or one with more cores');
  }
  const rec = record(machine, o, profile, choice, points, (Date.now() - started) / 1000);
  const file = saveCalibration(rec);
  return { record: rec, file, up: await restore(wasUp, opts.io) };
}
