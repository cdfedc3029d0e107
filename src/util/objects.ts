/** Plain mappings, as YAML and JSON give them. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Overrides merged over a base key by key (scenario profiles, lab settings): mappings merge,
 * lists and scalars in the override replace the base's whole; an absent value keeps the base's.
 */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  // defined, not assigned: a `__proto__` key from a file stays a key (and an unknown field), never a prototype
  for (const [k, v] of Object.entries(over))
    Object.defineProperty(out, k, {
      value: deepMerge(Object.hasOwn(base, k) ? base[k] : undefined, v),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}
