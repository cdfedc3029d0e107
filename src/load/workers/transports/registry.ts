/**
 * The worker transports an inventory host's `transport` may name: one line each (transport.ts).
 * A host without `transport` is reached over SSH.
 */
import { z } from 'zod';
import { commandTransport } from './command.js';
import { sshTransport } from './ssh.js';
import type { WorkerTransport } from './transport.js';

export const WORKER_TRANSPORTS = {
  ssh: sshTransport,
  command: commandTransport,
};

export type TransportName = keyof typeof WORKER_TRANSPORTS;
export const TRANSPORT_NAMES = Object.keys(WORKER_TRANSPORTS) as TransportName[];
export const DEFAULT_TRANSPORT: TransportName = 'ssh';

type SettingsOf<T> = T extends WorkerTransport<infer S> ? S : never;
export type TransportSetting = { [K in TransportName]?: SettingsOf<(typeof WORKER_TRANSPORTS)[K]> };

const ONE = `must name one transport: ${TRANSPORT_NAMES.map((n) => `{ ${n}: … }`).join(' or ')}`;

/** `transport` of an inventory host: a mapping with exactly one transport's settings. */
export const transportSchema = z
  .strictObject(
    Object.fromEntries(TRANSPORT_NAMES.map((n) => [n, WORKER_TRANSPORTS[n].settings.optional()])) as {
      [K in TransportName]: z.ZodOptional<z.ZodType<SettingsOf<(typeof WORKER_TRANSPORTS)[K]>>>;
    },
    { error: ONE },
  )
  .refine((t) => Object.values(t).filter((v) => v !== undefined).length === 1, { error: ONE });

/** The transport a host is reached by, and its settings. */
export function transportOf(setting: TransportSetting | undefined): {
  name: TransportName;
  transport: WorkerTransport<unknown>;
  settings: unknown;
} {
  const name = (setting && TRANSPORT_NAMES.find((n) => setting[n] !== undefined)) ?? DEFAULT_TRANSPORT;
  return { name, transport: WORKER_TRANSPORTS[name] as WorkerTransport<unknown>, settings: setting?.[name] ?? {} };
}
