/**
 * What measured a run, as far as its absolute figures depend on it: the CPU model, cores, memory
 * and kernel of the machine that ran lb-bench (the load generator; on the lab, also the machine
 * the whole cluster runs on), the load engine, and the lab's calibration (the web servers' CPU
 * share it chose). What was measured — the servers' versions, the hosts' kernels, the lab's
 * configs — is the system under test (system.ts), never part of the fingerprint: a new HAProxy is
 * what a gate must judge, not another machine. Written into every new manifest; a folder written
 * before there were fingerprints, or whose fingerprint still named the servers' versions, gets one
 * derived from the same manifest fields when it is read. Pure.
 */
import { createHash } from 'node:crypto';
import { isPlainObject } from '../util/objects.js';

export interface Fingerprint {
  /** a short hash of the fields below, to name a machine in a table or a history line */
  id: string;
  cpu_model: string;
  cpus: number;
  /** GiB, as the manifest's host has it (compared within MEMORY_TOLERANCE: the kernel's total moves a little between boots) */
  memory_gb: number;
  /** the kernel release of the machine that ran lb-bench (`uname -r`) */
  kernel: string;
  /** the load engine (load runs), null where the manifest does not say */
  engine: string | null;
  /** the lab calibration's choice, null without one: its share and target, not its measurements, which vary night to night */
  calibration: { web_cpus: number; target_rps: number } | null;
}

/** The manifest fields a fingerprint is made of, as a manifest (written or read back) has them. */
export interface FingerprintSource {
  os: { release: string };
  host: { cpus: number; cpu_model: string; memory_gb: number };
  generator?: { engine: string };
  /** written by the lab's calibration (lab calibrate); read when present */
  calibration?: unknown;
}

export type FingerprintFields = Omit<Fingerprint, 'id'>;
/** Memory within 5 % is one machine: what the kernel reserves differs between kernels and boots. */
export const MEMORY_TOLERANCE = 0.05;
export const FINGERPRINT_FIELDS = ['cpu_model', 'cpus', 'memory_gb', 'kernel', 'engine', 'calibration'] as const;

function calibrationOf(c: unknown): Fingerprint['calibration'] {
  if (!isPlainObject(c) || typeof c.web_cpus !== 'number' || typeof c.target_rps !== 'number') return null;
  return { web_cpus: c.web_cpus, target_rps: c.target_rps };
}

/** JSON with the keys of every object sorted: the same fields always hash alike. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isPlainObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

export function fingerprintId(fields: FingerprintFields): string {
  return createHash('sha256').update(canonical(fields)).digest('hex').slice(0, 12);
}

export function fingerprintOf(m: FingerprintSource): Fingerprint {
  const fields: FingerprintFields = {
    cpu_model: m.host.cpu_model,
    cpus: m.host.cpus,
    memory_gb: m.host.memory_gb,
    kernel: m.os.release,
    engine: m.generator?.engine ?? null,
    calibration: calibrationOf(m.calibration),
  };
  return { id: fingerprintId(fields), ...fields };
}

/**
 * The run's own; for a folder written before fingerprints, or before the system under test was
 * told apart from the machine (its fingerprint named the servers' versions), derived from its manifest.
 */
export function fingerprintOfManifest(m: FingerprintSource & { fingerprint?: Fingerprint }): Fingerprint {
  return m.fingerprint && !('servers' in m.fingerprint) ? m.fingerprint : fingerprintOf(m);
}

const shown = (v: unknown) => (v === null || v === undefined ? '(not recorded)' : typeof v === 'string' ? JSON.stringify(v) : canonical(v));

/**
 * What makes two machines differ, one phrase per field: `cpu_model "AMD EPYC" vs "Intel Xeon"`.
 * Memory within MEMORY_TOLERANCE; the rest field by field. Empty: the same machine. So two
 * fingerprints can match with different ids.
 */
export function fingerprintDifferences(a: Fingerprint, b: Fingerprint): string[] {
  const out: string[] = [];
  for (const field of FINGERPRINT_FIELDS) {
    if (field === 'memory_gb') {
      if (Math.abs(a.memory_gb - b.memory_gb) > MEMORY_TOLERANCE * Math.max(a.memory_gb, b.memory_gb))
        out.push(`memory_gb ${a.memory_gb} vs ${b.memory_gb}`);
    } else if (canonical(a[field]) !== canonical(b[field])) out.push(`${field} ${shown(a[field])} vs ${shown(b[field])}`);
  }
  return out;
}
