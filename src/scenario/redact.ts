/**
 * A scenario as it may be stored and shown: the same, with the password of every URL and the
 * values of credential headers replaced (src/util/redact.ts). Requests use the scenario itself.
 */
import { redactHeaders, redactUrl } from '../util/redact.js';
import type { AnyScenario } from './schema.js';

export function redactScenario<S extends AnyScenario>(s: S): S {
  const out = { ...s, target: redactUrl(s.target) };
  if (out.kind === 'load') out.load = { ...out.load, headers: redactHeaders(out.load.headers) };
  else out.probe = out.probe.map((p) => (p.target === undefined ? p : { ...p, target: redactUrl(p.target) }));
  return out;
}
