/**
 * What a run measured, as opposed to what measured it (fingerprint.ts): the system under test.
 * The versions its hosts' servers report (each host's kernel among them, `uname -r`), on the lab a
 * hash of the configs the lab generated for its servers, and the version the scenario declares
 * (`system.version`). compare names each change of it beside the figures ("haproxy 2.6.12 → 3.2.9")
 * and gates them all the same: a change to the system is what the gate is there to catch. Written
 * into every manifest once the environment has read the versions; a folder written before it gets
 * one derived from its `servers` when it is read. Pure.
 */
import { isPlainObject } from '../util/objects.js';

export interface SystemUnderTest {
  /** program → version line over every host whose versions were read (hosts that differ joined by " | "); `kernel` is the hosts' `uname -r`; null: none read */
  servers: Record<string, string> | null;
  /** on the lab: a short hash of the configs it generated for its servers (haproxy, nginx, apache, keepalived); null elsewhere or unknown */
  lab_configs: string | null;
  /** what the scenario declares as the version of the system (`system.version`), null without */
  version: string | null;
}

/** The manifest fields the system under test is made of, as a manifest (written or read back) has them. */
export interface SystemSource {
  scenario: object;
  servers?: Record<string, Record<string, string>>;
  system?: SystemUnderTest;
}

/** The servers' versions over all hosts: one line per program (a host that differs is kept beside the others). */
export function serverVersions(servers: SystemSource['servers']): Record<string, string> | null {
  if (!servers || !Object.keys(servers).length) return null;
  const byProgram = new Map<string, Set<string>>();
  for (const programs of Object.values(servers))
    for (const [program, version] of Object.entries(programs)) byProgram.set(program, (byProgram.get(program) ?? new Set()).add(version));
  return Object.fromEntries([...byProgram.keys()].sort().map((p) => [p, [...byProgram.get(p)!].sort().join(' | ')]));
}

/** The scenario's `system.version`, as a stored scenario (checked loosely) may hold it. */
export function declaredVersion(scenario: object): string | null {
  const system = (scenario as { system?: unknown }).system;
  return isPlainObject(system) && typeof system.version === 'string' ? system.version : null;
}

/** `labConfigs`: the hash the environment found on the lab (undefined: keep what the manifest has). */
export function systemOf(m: SystemSource, labConfigs?: string | null): SystemUnderTest {
  return {
    servers: serverVersions(m.servers),
    lab_configs: labConfigs !== undefined ? labConfigs : (m.system?.lab_configs ?? null),
    version: declaredVersion(m.scenario),
  };
}

/** The run's own, or for a folder written before it was recorded, derived from its manifest. */
export function systemOfManifest(m: SystemSource): SystemUnderTest {
  return m.system ?? systemOf(m);
}

/** The version in a version line: `2.6.12-1+deb12u4` of `HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/`. */
function versionToken(line: string): string {
  return line
    .split(' | ')
    .map((part) => /\d+(?:\.\d+)+[^\s,()]*/.exec(part)?.[0] ?? part)
    .join(' | ');
}

/** `haproxy 2.6.12 → 3.2.9`: the version numbers when they differ, else the whole lines. */
function changePhrase(name: string, a: string, b: string): string {
  const [ta, tb] = [versionToken(a), versionToken(b)];
  return ta !== tb ? `${name} ${ta} → ${tb}` : `${name} ${JSON.stringify(a)} → ${JSON.stringify(b)}`;
}

/**
 * What changed in the system under test from A to B, one phrase each: `haproxy 2.6.12 → 3.2.9`,
 * `kernel 6.1.0-18 → 6.1.0-21`, `lab configs 1a2b3c4d5e6f → 0f9e8d7c6b5a`, `version "1.4" → "1.5"`.
 * Servers on the programs both runs read (a scenario without a balancer reads none of its versions);
 * lab configs only when both runs recorded them. Empty: the same system, as far as it is recorded.
 */
export function systemChanges(a: SystemUnderTest, b: SystemUnderTest): string[] {
  const out: string[] = [];
  const [sa, sb] = [a.servers ?? {}, b.servers ?? {}];
  for (const p of Object.keys(sa).filter((k) => k in sb && sa[k] !== sb[k]).sort()) out.push(changePhrase(p, sa[p], sb[p]));
  if (a.lab_configs !== null && b.lab_configs !== null && a.lab_configs !== b.lab_configs)
    out.push(`lab configs ${a.lab_configs} → ${b.lab_configs}`);
  if (a.version !== b.version) out.push(`version ${a.version === null ? '(none)' : JSON.stringify(a.version)} → ${b.version === null ? '(none)' : JSON.stringify(b.version)}`);
  return out;
}
