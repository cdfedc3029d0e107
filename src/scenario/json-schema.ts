/** The JSON Schema that editors use (`# yaml-language-server: $schema=…`): both kinds, with profiles. */
import { z } from 'zod';
import { failoverScenarioSchema } from './failover-schema.js';
import { loadScenarioSchema } from './schema.js';

const profiles = z
  .record(z.string(), z.record(z.string(), z.unknown()))
  .optional()
  .describe('named overrides, merged over the file by --profile NAME');

export function jsonSchema(): unknown {
  const either = z.union([loadScenarioSchema.extend({ profiles }), failoverScenarioSchema.extend({ profiles })]);
  return z.toJSONSchema(either, { io: 'input', unrepresentable: 'any' });
}
