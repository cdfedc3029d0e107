/**
 * The engines a scenario may choose (`load.engine`), one line each, loaded on first use so that
 * validating a scenario loads none of them.
 */
import type { EngineFactory } from '../engine.js';

export const ENGINES = {
  autocannon: () => import('./autocannon.js').then((m) => m.autocannonEngine),
  net: () => import('./net.js').then((m) => m.netEngine),
} satisfies Record<string, () => Promise<EngineFactory>>;

export type EngineName = keyof typeof ENGINES;
export const ENGINE_NAMES = Object.keys(ENGINES) as [EngineName, ...EngineName[]];
export const DEFAULT_ENGINE: EngineName = 'net';

export const isEngineName = (v: unknown): v is EngineName => typeof v === 'string' && Object.hasOwn(ENGINES, v);
