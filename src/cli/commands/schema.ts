import { jsonSchema } from '../../kinds/json-schema.js';
import type { Io } from '../../io/io.js';

/** `lb-bench schema`: the JSON Schema of scenario files. */
export default async function schema(io: Io): Promise<void> {
  io.out(JSON.stringify(jsonSchema(), null, 2));
}
