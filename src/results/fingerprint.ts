/**
 * The machine a run was measured on, as far as its absolute figures depend on it: the CPU model,
 * cores, memory and kernel of this machine, the versions of the servers, the load engine, and the
 * lab's calibration (the web servers' CPU share it chose). Two runs compare absolutely only when
 * their fingerprints match (compare gates other figures only when they are portable). Written into
 * every new manifest; a folder written before there were fingerprints gets one derived from the
 * same manifest fields when it is read. Pure.
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
  /** program → version line, over every host whose versions were read (several hosts' differing versions joined by " | "); null: none read */
  servers: Record<string, string> | null;
  /** the load engine (load runs), null where the manifest does not say */
  engine: string | null;
  /** the lab calibration's choice, null without one: its share and target, not its measurements, which vary night to night */
  calibration: { web_cpus: number; target_rps: number } | null;
}

/** The manifest fields a fingerprint is made of, as a manifest (written or read back) has them. */
export interface FingerprintSource {
  os: { release: string };
  host: { cpus: number; cpu_model: string; memory_gb: number };
  servers?: Record<string, Record<string, string>>;
  generator?: { engine: string };
  /** written by the lab's calibration (lab calibrate); read when present */
  calibration?: unknown;
}

export type FingerprintFields = Omit<Fingerprint, 'id'>;
/** Memory within 5 % is one machine: what the kernel reserves differs between kernels and boots. */
export const MEMORY_TOLERANCE = 0.05;
export const FINGERPRINT_FIELDS = ['cpu_model', 'cpus', 'memory_gb', 'kernel', 'servers', 'engine', 'calibration'] as const;

/** The servers' versions over all hosts: one line per program (a host that differs is kept beside the others). */
function serverVersions(servers: FingerprintSource['servers']): Record<string, string> | null {
  if (!servers || !Object.keys(servers).length) return null;
  const byProgram = new Map<string, Set<string>>();
  for (const programs of Object.values(servers))
    for (const [program, version] of Object.entries(programs)) byProgram.set(program, (byProgram.get(program) ?? new Set()).add(version));
  return Object.fromEntries([...byProgram.keys()].sort().map((p) => [p, [...byProgram.get(p)!].sort().join(' | ')]));
}

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
    servers: serverVersions(m.servers),
    engine: m.generator?.engine ?? null,
    calibration: calibrationOf(m.calibration),
  };
  return { id: fingerprintId(fields), ...fields };
}

/** The run's own, or for a folder written before fingerprints, derived from its manifest. */
export function fingerprintOfManifest(m: FingerprintSource & { fingerprint?: Fingerprint }): Fingerprint {
  return m.fingerprint ?? fingerprintOf(m);
}

const shown = (v: unknown) => (v === null || v === undefined ? '(not recorded)' : typeof v === 'string' ? JSON.stringify(v) : canonical(v));

/**
 * What makes two machines differ, one phrase per field: `cpu_model "AMD EPYC" vs "Intel Xeon"`.
 * Servers are compared program by program, on the programs both runs read (a scenario without a
 * balancer reads none of its versions); memory within MEMORY_TOLERANCE; the rest field by field.
 * Empty: the same machine. So two fingerprints can match with different ids.
 */
export function fingerprintDifferences(a: Fingerprint, b: Fingerprint): string[] {
  const out: string[] = [];
  for (const field of FINGERPRINT_FIELDS) {
    if (field === 'memory_gb') {
      if (Math.abs(a.memory_gb - b.memory_gb) > MEMORY_TOLERANCE * Math.max(a.memory_gb, b.memory_gb))
        out.push(`memory_gb ${a.memory_gb} vs ${b.memory_gb}`);
    } else if (field === 'servers') {
      const sa = a.servers ?? {};
      const sb = b.servers ?? {};
      for (const p of Object.keys(sa).filter((k) => k in sb && sa[k] !== sb[k]).sort()) out.push(`servers.${p} ${shown(sa[p])} vs ${shown(sb[p])}`);
    } else if (canonical(a[field]) !== canonical(b[field])) out.push(`${field} ${shown(a[field])} vs ${shown(b[field])}`);
  }
  return out;
}
