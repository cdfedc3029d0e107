/**
 * The names a scenario may give `load.engine`: a leaf, so that the scenario schema can name the
 * engines without importing them (registry.ts maps each name to its engine).
 */
export const ENGINE_NAMES = ['autocannon', 'net'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
export const DEFAULT_ENGINE: EngineName = 'net';

export const isEngineName = (v: unknown): v is EngineName => typeof v === 'string' && (ENGINE_NAMES as readonly string[]).includes(v);
