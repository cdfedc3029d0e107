/**
 * The CPU sources a scenario's `backends[].cpu` may name: one line each. The scenario schema takes
 * its choices from here, and the inventory's host schema the fields the sources declare.
 */
import type { z } from 'zod';
import { cgroupSource } from './cgroup.js';
import { nodeExporterSource } from './node-exporter.js';
import { procstatSource } from './procstat.js';
import type { CpuSource } from './source.js';

export const CPU_SOURCES = {
  cgroup: cgroupSource,
  procstat: procstatSource,
  node_exporter: nodeExporterSource,
};

export type CpuSourceName = keyof typeof CPU_SOURCES;
export const CPU_SOURCE_NAMES = Object.keys(CPU_SOURCES) as [CpuSourceName, ...CpuSourceName[]];

type FieldsOf<S> = S extends CpuSource<infer F> ? F : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
/** Every source's inventory fields together. */
export type CpuInventoryFields = Intersection<FieldsOf<(typeof CPU_SOURCES)[CpuSourceName]>>;

export const cpuInventoryFields: CpuInventoryFields = Object.assign({}, ...Object.values(CPU_SOURCES).map((s) => s.inventory));

/** A host as every source may read it. */
export type CpuHost = { name: string; address: string } & z.output<z.ZodObject<CpuInventoryFields>>;
