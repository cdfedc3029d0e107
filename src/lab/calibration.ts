/**
 * The lab's calibration as it is stored and applied (docs/results.md, "calibration"): the web
 * servers' CPU share that `lab calibrate` chose for this machine, with what it measured. It is kept
 * per machine (CPU model and count, kernel, the servers' versions) in a folder the user keeps
 * (~/.cache/lb-bench), and, while the lab runs that share, in the lab's state folder, from where
 * every run on the lab copies it into its manifest. Measuring is src/calibrate's.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { inputError, LbError } from '../errors.js';
import { readPlainFile, refusalText, type Refusal } from '../io/files.js';
import { versionLine } from '../ssh/versions.js';
import { checkSchema, formatIssues } from '../util/issues.js';
import { tryExec } from './exec.js';
import { labDir } from './topology.js';
import { calibrationSchema, issueText } from '../results/manifest-schema.js';
import type { ManifestCalibration } from '../results/types.js';

/** What a calibration holds for: a machine of another CPU, kernel or server version is calibrated anew. */
export type Machine = ManifestCalibration['machine'];

/** One share tried: the evidence of the calibration's table. CPU figures in %, null where not measured. */
export interface CalibrationPoint {
  web_cpus: number;
  /** single (web1 alone) at the probe level: the median over its bursts */
  single_rps: number;
  /** web1's CPU over those bursts, % of its share (median) */
  web_pct: number | null;
  /** through HAProxy and Nginx at the top level: each balancer's CPU, % of one core */
  haproxy_pct: number | null;
  nginx_pct: number | null;
  /** the generator's CPU, % of one core: the highest of single's median and HAProxy's top-level burst */
  generator_pct: number;
  generator_bound: boolean;
  /** why the share is not a valid scale model; empty when it is */
  invalid: string[];
}

/** The contract (docs/results.md): what every manifest of a run on the calibrated lab carries. */
export type Calibration = ManifestCalibration;

/** The stored file: the contract, and how it was reached. */
export interface CalibrationRecord extends Calibration {
  format: 1;
  /** the single server's peak is within the tolerance of the target */
  reached: boolean;
  /** one sentence: why this share */
  reason: string;
  budget: { balancer_pct: number; generator_pct: number; web_min_pct: number; max_web_cpus: number; reject_generator_bound: boolean };
  profile: { probe_level: number; probe_bursts: number; top_level: number };
  evidence: CalibrationPoint[];
  seconds: number;
}

const pct = z.number().nullable();
const pointSchema = z.looseObject({
  web_cpus: z.number(),
  single_rps: z.number(),
  web_pct: pct,
  haproxy_pct: pct,
  nginx_pct: pct,
  generator_pct: z.number(),
  generator_bound: z.boolean(),
  invalid: z.array(z.string()),
});
const recordSchema = calibrationSchema.extend({
  format: z.literal(1),
  reached: z.boolean(),
  reason: z.string(),
  budget: z.looseObject({
    balancer_pct: z.number(),
    generator_pct: z.number(),
    web_min_pct: z.number(),
    max_web_cpus: z.number(),
    reject_generator_bound: z.boolean(),
  }),
  profile: z.looseObject({ probe_level: z.number(), probe_bursts: z.number(), top_level: z.number() }),
  evidence: z.array(pointSchema),
  seconds: z.number(),
});

/** The contract's fields, and nothing else (a manifest does not carry the evidence). */
export function calibrationOf(r: Calibration): Calibration {
  const { web_cpus, target_rps, measured_rps, headroom, machine, at, lab_web_cpus } = r;
  return { web_cpus, target_rps, measured_rps, headroom, machine, at, ...(lab_web_cpus !== undefined ? { lab_web_cpus } : {}) };
}

async function programVersion(file: string): Promise<string | null> {
  const r = await tryExec(file, ['-v'], 10_000);
  // nginx prints its version on stderr
  return r.code === 0 ? versionLine(`${r.stdout}\n${r.stderr}`.split('\n')) : null;
}

export async function thisMachine(): Promise<Machine> {
  const cpus = os.cpus();
  const [haproxy, nginx, apache] = await Promise.all(['/usr/sbin/haproxy', '/usr/sbin/nginx', '/usr/sbin/apache2'].map(programVersion));
  return { cpu_model: cpus[0]?.model.trim() ?? 'unknown', cpus: cpus.length, kernel: os.release(), haproxy, nginx, apache };
}

export const sameMachine = (a: Machine, b: Machine) => machineKey(a) === machineKey(b);

/** A short hash of the machine's fields, in a fixed order: it names the stored file. */
export function machineKey(m: Machine): string {
  const fields = [m.cpu_model, m.cpus, m.kernel, m.haproxy, m.nginx, m.apache];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 12);
}

/** Where calibrations are kept: $LB_BENCH_CALIBRATION_DIR, else $XDG_CACHE_HOME/lb-bench, else ~/.cache/lb-bench. */
export function calibrationDir(): string {
  if (process.env.LB_BENCH_CALIBRATION_DIR) return path.resolve(process.env.LB_BENCH_CALIBRATION_DIR);
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'lb-bench');
}

export const calibrationFile = (m: Machine) => path.join(calibrationDir(), `calibration-${machineKey(m)}.json`);

/** A calibration file's text: a plain file of at most 1 MiB (io/files.ts: a FIFO is refused, never waited on). */
function calibrationText(file: string): string {
  const refuse = (r: Refusal) => inputError(`${file}: ${refusalText(r, '1 MiB')}`, 'delete it, or measure again: lb-bench lab calibrate');
  const bytes = readPlainFile(file, 1024 * 1024, refuse);
  if (bytes === null) throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
  return bytes.toString('utf8');
}

function readRecord(file: string): CalibrationRecord {
  const redo = 'delete it, or measure again: lb-bench lab calibrate';
  let value: unknown;
  try {
    value = JSON.parse(calibrationText(file));
  } catch (e) {
    if (e instanceof LbError) throw e;
    throw inputError(`${file}: not a calibration (${(e as Error).message.split('\n')[0]})`, redo);
  }
  const parsed = recordSchema.safeParse(value, { reportInput: true, error: issueText });
  if (!parsed.success) throw inputError(`${file}: not a calibration: ${formatIssues(parsed.error.issues).slice(0, 3).join('; ')}`, redo);
  return parsed.data;
}

/** This machine's calibration, or null; a damaged file is exit 2, naming it. */
export function findCalibration(m: Machine): { file: string; record: CalibrationRecord } | null {
  const file = calibrationFile(m);
  if (!existsSync(file)) return null;
  const record = readRecord(file);
  // the file's name is a hash of the machine; a file edited by hand to another machine is not this one's
  return sameMachine(record.machine, m) ? { file, record } : null;
}

export function saveCalibration(record: CalibrationRecord): string {
  const file = calibrationFile(record.machine);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}

/** The lab's own copy: present exactly while the lab is up on a calibrated machine. */
export const labCalibrationFile = (dir = labDir()) => path.join(dir, 'calibration.json');

/** `share`: what the web servers run at; recorded as lab_web_cpus when it is not the calibration's. */
export function setLabCalibration(dir: string, c: Calibration | null, share?: number): void {
  const file = labCalibrationFile(dir);
  if (!c) return rmSync(file, { force: true });
  const { lab_web_cpus: _, ...record } = calibrationOf(c);
  const other = share !== undefined && share !== c.web_cpus ? { lab_web_cpus: share } : {};
  writeFileSync(file, `${JSON.stringify({ ...record, ...other }, null, 2)}\n`);
}

/** What a run on the lab records: this machine's calibration and the share the lab runs if another, or null (not calibrated). */
export function labCalibration(dir = labDir()): Calibration | null {
  const file = labCalibrationFile(dir);
  if (!existsSync(file)) return null;
  let value: unknown;
  try {
    value = JSON.parse(calibrationText(file));
  } catch (e) {
    if (e instanceof LbError) throw e;
    value = null;
  }
  const checked = checkSchema(calibrationSchema, value);
  if (!checked.ok) throw inputError(`${file}: not a calibration`, 'bring the lab up again: lb-bench lab up');
  return calibrationOf(checked.value);
}

/** Where the web servers' share comes from: a --config naming it, this machine's calibration, or lab.yaml. */
export type WebCpusSource =
  | { from: 'config'; file: string; calibrated: number | null }
  | { from: 'calibration'; file: string; record: CalibrationRecord }
  | { from: 'lab.yaml' }
  | { from: 'forced' };

/**
 * The share `lab up` gives each web server. A --config that names web.cpus wins (the user asked
 * for it); else this machine's calibration; else lab.yaml's default. Pure.
 */
export function chooseWebCpus(opts: {
  defaults: number;
  config?: { file: string; cpus?: number };
  calibration: { file: string; record: CalibrationRecord } | null;
  forced?: number;
}): { cpus: number; source: WebCpusSource } {
  if (opts.forced !== undefined) return { cpus: opts.forced, source: { from: 'forced' } };
  const cal = opts.calibration;
  if (opts.config?.cpus !== undefined)
    return { cpus: opts.config.cpus, source: { from: 'config', file: opts.config.file, calibrated: cal?.record.web_cpus ?? null } };
  if (cal) return { cpus: cal.record.web_cpus, source: { from: 'calibration', ...cal } };
  return { cpus: opts.defaults, source: { from: 'lab.yaml' } };
}

/** One line for `lab up` and reproduce: which share, and why. */
export function webCpusLine(cpus: number, source: WebCpusSource): string {
  switch (source.from) {
    case 'calibration':
      return `web servers at ${cpus} CPU each, this machine's calibration (${source.file}, ${source.record.at})`;
    case 'config':
      return `web servers at ${cpus} CPU each, as ${source.file} names web.cpus${source.calibrated !== null ? ` (this machine's calibration, ${source.calibrated}, is not used)` : ''}`;
    case 'forced':
      return `web servers at ${cpus} CPU each, for calibrating`;
    case 'lab.yaml':
      return `web servers at ${cpus} CPU each, lab.yaml's default: this machine is not calibrated (lb-bench lab calibrate)`;
  }
}
