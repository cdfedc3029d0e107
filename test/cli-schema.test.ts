/** `lb-bench schema`: a JSON Schema that covers both kinds of scenario and the keys editors complete. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './helpers/cli.js';

test('schema prints a JSON Schema for load and failover scenarios', async () => {
  const r = await runCli(['schema']);
  assert.equal(r.code, 0);
  const schema = JSON.parse(r.out.join('\n'));
  assert.match(schema.$schema, /json-schema\.org/);
  const kinds = schema.anyOf.map((b: any) => b.properties.kind);
  assert.deepEqual(
    kinds.map((k: any) => k.const ?? k.default),
    ['load', 'failover'],
  );
  const load = schema.anyOf[0];
  assert.deepEqual(load.required.sort(), ['load', 'name', 'target']);
  assert.ok(load.properties.load.properties.levels, 'load.levels is described');
  assert.ok(load.properties.profiles, 'profiles are allowed');
  assert.equal(load.additionalProperties, false, 'unknown keys are flagged by editors too');
  assert.ok(schema.anyOf[1].properties.probe && schema.anyOf[1].properties.fault);
});
