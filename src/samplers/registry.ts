/** The CPU sampler kinds a scenario's `backends[].cpu` may name: one line each. */
import { cgroupSampler } from './cgroup.js';
import { procstatSampler } from './procstat.js';
import type { SamplerFactory } from './types.js';

export const samplers: Record<'cgroup' | 'procstat', SamplerFactory> = {
  cgroup: cgroupSampler,
  procstat: procstatSampler,
};
