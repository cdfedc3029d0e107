/**
 * The lab's knobs: lab.yaml at the package root holds every default (one readable place);
 * `--config FILE` is merged on top of it, so a user's file names only what it changes.
 * Validation is strict and reports every problem at once, with the file and the field.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';
import { inputError, envError } from '../errors.js';
import { checkSchema } from '../util/issues.js';
import { deepMerge, isPlainObject } from '../util/objects.js';
import { loadYamlMapping, problemsError, type YamlKind } from '../util/yaml-file.js';

const posInt = z.number().int().positive();
const nonNegInt = z.number().int().nonnegative();
/** HAProxy time syntax: a number with an optional unit */
const haproxyTime = z.string().regex(/^\d+(us|ms|s|m|h|d)?$/, 'must be a time such as 5s or 500ms');
const sysctlName = z.string().regex(/^net\.[a-z0-9_.]+$/, 'must be a net.* sysctl name');
const sysctls = z.record(sysctlName, z.union([z.string(), z.number()]));

const schema = z.strictObject({
  web: z.strictObject({
    cpus: z.number().positive().max(64),
    cpuPeriodUs: z.number().int().min(1000).max(1_000_000),
    pageBytes: z.number().int().min(200).max(10_000_000),
    apache: z.strictObject({
      startServers: posInt,
      minSpareThreads: posInt,
      maxSpareThreads: posInt,
      threadLimit: posInt,
      threadsPerChild: posInt,
      maxRequestWorkers: posInt,
      maxConnectionsPerChild: nonNegInt,
      listenBacklog: posInt,
      keepAlive: z.boolean(),
      keepAliveTimeout: posInt,
      accessLog: z.boolean(),
    }),
  }),
  haproxy: z.strictObject({
    maxconn: posInt,
    timeoutConnect: haproxyTime,
    timeoutClient: haproxyTime,
    timeoutServer: haproxyTime,
    serverClose: z.boolean(),
  }),
  nginx: z.strictObject({
    workerProcesses: z.union([z.literal('auto'), posInt]),
    workerConnections: posInt,
    workerRlimitNofile: posInt,
    listenBacklog: posInt,
  }),
  keepalived: z.strictObject({
    advertInt: z.number().positive().max(255),
    virtualRouterId: z.number().int().min(1).max(255),
    priorityMaster: z.number().int().min(1).max(254),
    priorityBackup: z.number().int().min(1).max(254),
  }),
  net: z.strictObject({ balancers: sysctls, webs: sysctls, clients: sysctls }),
  nofile: z
    .number()
    .int()
    .min(1024)
    .max(1 << 20),
});

export type LabSettings = z.infer<typeof schema>;

/** lab.yaml beside package.json: dist/src/lab/settings.js → ../../../lab.yaml */
export function defaultSettingsFile(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../lab.yaml');
}

/** What a lab settings file is, for the reader: lab.yaml's sections; empty changes nothing. */
export const LAB_SETTINGS_FILE: YamlKind = {
  what: 'lab settings file',
  keys: Object.keys(schema.shape),
  expected: 'a mapping of lab settings, such as  web: { cpus: 0.5 }',
  emptyIsMapping: true,
};

function readYaml(file: string, missing: (m: string) => Error): Record<string, unknown> {
  if (!existsSync(file)) throw missing(`${file}: not found`);
  return loadYamlMapping(file, LAB_SETTINGS_FILE);
}

export function loadSettings(userFile?: string): LabSettings {
  return loadSettingsDetail(userFile).settings;
}

/** The settings, and whether the user's file names the web servers' share (which then wins over a calibration). */
export function loadSettingsDetail(userFile?: string): { settings: LabSettings; userWebCpus: boolean } {
  const defaultsFile = defaultSettingsFile();
  const defaults = readYaml(defaultsFile, (m) => envError(`${m} (the lab's defaults ship with lb-bench)`, 'reinstall lb-bench'));
  const user = userFile ? readYaml(path.resolve(userFile), (m) => inputError(`--config ${m}`)) : {};
  const where = userFile ?? defaultsFile;
  const result = checkSchema(schema, deepMerge(defaults, user), { unknownHint: 'check its spelling (lab.yaml lists every setting)' });
  if (!result.ok) throw problemsError(where, result.problems);
  const s = result.value;
  if (s.keepalived.priorityBackup >= s.keepalived.priorityMaster) {
    throw inputError(`${where}: keepalived.priorityBackup: must be below priorityMaster (${s.keepalived.priorityMaster})`);
  }
  const web = user.web;
  return { settings: s, userWebCpus: isPlainObject(web) && web.cpus !== undefined };
}
