/**
 * `{ ...data, ...fields }`, built key by key. Same keys, order and values
 * (a key of `data` that `fields` sets keeps its place; an own `__proto__`
 * stays an own data key, never the prototype), but without the object
 * spread: V8 gives a spread that more keys follow a fresh hidden class each
 * time, which made this copy most of a generic webhook's formatting (about
 * 3 µs of 4 per alert).
 */
export function withFields(
  data: Record<string, unknown>,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(data)) put(out, key, data[key]);
  for (const key of Object.keys(fields)) put(out, key, fields[key]);
  return out;
}

function put(out: Record<string, unknown>, key: string, value: unknown): void {
  // A plain assignment to "__proto__" would set the prototype.
  if (key === "__proto__") {
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    out[key] = value;
  }
}
