/**
 * The engines a scenario may choose (`load.engine`), one line each, loaded on first use so that
 * validating a scenario loads none of them. Their names: names.ts.
 */
import type { EngineFactory } from '../engine-types.js';
import type { EngineName } from './names.js';

export { DEFAULT_ENGINE, ENGINE_NAMES, isEngineName, type EngineName } from './names.js';

export const ENGINES = {
  autocannon: () => import('./autocannon.js').then((m) => m.autocannonEngine),
  net: () => import('./net.js').then((m) => m.netEngine),
} satisfies Record<EngineName, () => Promise<EngineFactory>>;
