/** Keys refused anywhere in stored JSON (prototype pollution in consumers). */
export const FORBIDDEN_JSON_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Nesting deeper than this is refused (keeps every consumer's recursion safe). */
export const MAX_JSON_DEPTH = 64;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text PostgreSQL can store unchanged: no NUL character, no lone UTF-16 surrogate. */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/** Paths in messages are cut short: keys are client data. */
function at(path: string): string {
  return path.length > 80 ? `${path.slice(0, 77)}...` : path;
}

/** UTF-8 bytes of each checked state's serialization (so it is serialized once per request). */
const measured = new WeakMap<object, number>();

/** The problem of a state over `maxBytes` (a phrase following "Parameter 'state' "). */
export function stateTooLarge(maxBytes: number): string {
  return `must not be larger than ${maxBytes} bytes when serialized`;
}

/** UTF-8 bytes of the state's JSON serialization (remembered from checkJsonState when it checked this object). */
export function serializedBytes(state: object): number {
  return measured.get(state) ?? Buffer.byteLength(JSON.stringify(state), 'utf8');
}

/**
 * Checks that `state` is a JSON object PostgreSQL's jsonb can store unchanged:
 * a plain object (not an array or null) of JSON values only, at most `maxBytes`
 * once serialized, no `__proto__`/`constructor`/`prototype` key at any depth,
 * no NUL character or lone surrogate in any string (jsonb rejects them).
 * Returns the problem (a phrase following "Parameter 'state' "), or undefined.
 */
export function checkJsonState(state: unknown, maxBytes: number): string | undefined {
  if (!isPlainObject(state)) return 'must be a JSON object';
  let serialized: string;
  try {
    serialized = JSON.stringify(state);
  } catch {
    return 'must be a JSON object';
  }
  const bytes = Buffer.byteLength(serialized, 'utf8');
  measured.set(state, bytes);
  if (bytes > maxBytes) return stateTooLarge(maxBytes);
  // Iterative walk: no recursion, whatever the nesting.
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value: state, depth: 0, path: 'state' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (value === null || typeof value === 'boolean') continue;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return `must contain only finite numbers (at ${at(path)})`;
      continue;
    }
    if (typeof value === 'string') {
      if (!isStorableText(value)) return `contains a string that cannot be stored (at ${at(path)})`;
      continue;
    }
    if (depth >= MAX_JSON_DEPTH) return `must not be nested deeper than ${MAX_JSON_DEPTH} levels`;
    if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, depth: depth + 1, path: `${path}[${index}]` }));
      continue;
    }
    if (!isPlainObject(value)) return `must contain only JSON values (at ${at(path)})`;
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_JSON_KEYS.has(key)) return `must not contain the key '${key}' (at ${at(path)})`;
      if (!isStorableText(key)) return `contains a key that cannot be stored (at ${at(path)})`;
      stack.push({ value: value[key], depth: depth + 1, path: `${path}.${key}` });
    }
  }
  return undefined;
}
