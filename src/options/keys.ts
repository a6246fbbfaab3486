/**
 * Option objects are checked against their known keys: an unknown key (a
 * Keras snake_case name, a typo) is an error that suggests the option meant,
 * never an option silently ignored.
 */
import { InvalidArgumentError } from '../errors.js';

/** Every key of the options type T, as `{key: true}`: the compiler checks the list is complete and exact. */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/** Levenshtein distance, case-insensitive. */
function distance(a: string, b: string): number {
  [a, b] = [a.toLowerCase(), b.toLowerCase()];
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The known key `key` most likely means: its camelCase form, or the closest within a few edits. */
export function suggestKey(key: string, known: readonly string[]): string | null {
  const camel = key.replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
  const exact = known.find((k) => k === camel || k.toLowerCase() === camel.toLowerCase());
  if (exact) return exact;
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(camel.length / 4)) + 1;
  for (const k of known) {
    const d = distance(camel, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

/**
 * Throws InvalidArgumentError for the first own key of `options` that is not
 * in `known`, naming it (as `${where}.${key}` when `where` is given) with a
 * suggestion. `options` must be an object (undefined counts as empty).
 */
export function checkKeys(options: unknown, keys: Readonly<Record<string, true>>, where: string): void {
  const known = Object.keys(keys);
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InvalidArgumentError(where || 'options', 'an options object', options);
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const suggestion = suggestKey(key, known);
    throw new InvalidArgumentError(
      where ? `${where}.${key}` : key,
      `one of the known options (${known.join(', ')})`,
      key,
      suggestion ? `Unknown option; did you mean \`${suggestion}\`?` : 'Unknown option.',
    );
  }
}

/** The boolean option `key` of `options`, or `fallback` when it is absent; anything else is an error. */
export function flag<K extends string>(options: Partial<Record<K, unknown>>, key: K, fallback: boolean): boolean {
  const value = options[key] ?? fallback;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(key, 'a boolean', value);
  return value;
}
