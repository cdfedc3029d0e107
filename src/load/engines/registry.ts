/**
 * The engines a scenario may choose (`load.engine`), one line each, loaded on first use so that
 * validating a scenario loads none of them. Their names: names.ts.
 */
import type { EngineFactory } from '../engine-types.js';
import type { EngineName } from './names.js';

export { DEFAULT_ENGINE, ENGINE_NAMES, isEngineName, type EngineName } from './names.js';

const ENGINES = {
  autocannon: () => import('./autocannon.js').then((m) => m.autocannonEngine),
  net: () => import('./net.js').then((m) => m.netEngine),
} satisfies Record<EngineName, () => Promise<EngineFactory>>;

/**
 * An engine that tests put in place of every engine of this process (test/helpers/fake-engine.ts).
 * Only a call of `substituteEngine` in the process sets it: no scenario field, flag or environment
 * variable reaches it, so a measurement can never be served by it by accident.
 */
let substitute: EngineFactory | null = null;

/** Tests only: every run of this process uses `factory`, whatever its `load.engine`; null: the engines again. */
export function substituteEngine(factory: EngineFactory | null): void {
  substitute = factory;
}

/** Whether a substitute is in place: worker processes would not see it (engine.ts refuses them then). */
export const engineSubstituted = (): boolean => substitute !== null;

/** The engine of that name, or the substitute when a test has put one in place. */
export const engineFactory = (name: EngineName): Promise<EngineFactory> => (substitute ? Promise.resolve(substitute) : ENGINES[name]());
