/** The JSON Schema that editors use (`# yaml-language-server: $schema=…`): every kind, with profiles. */
import { z } from 'zod';
import { KINDS } from './registry.js';

const profiles = z
  .record(z.string(), z.record(z.string(), z.unknown()))
  .optional()
  .describe('named overrides, merged over the file by --profile NAME');

export function jsonSchema(): unknown {
  const any = z.union(Object.values(KINDS).map((k) => k.schema.extend({ profiles })));
  return z.toJSONSchema(any, { io: 'input', unrepresentable: 'any' });
}
