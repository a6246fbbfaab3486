/**
 * Shards of a file list: a file is in shard `fileKey(relative name) mod count`,
 * so each file is in exactly one, on any machine, and added files never move
 * others (README, "Fitting on many machines").
 */
import { InvalidArgumentError } from '../errors.js';

/** Shard `index` of `count` (0 <= index < count). */
export interface Shard {
  index: number;
  count: number;
}

/** The shard option checked; null when absent. */
export function checkShard(value: unknown): Shard | null {
  if (value === undefined || value === null) return null;
  const s = value as Partial<Shard>;
  const ok = typeof value === 'object' && Number.isSafeInteger(s.count) && s.count! >= 1 && Number.isSafeInteger(s.index) && s.index! >= 0 && s.index! < s.count!;
  if (!ok) throw new InvalidArgumentError('shard', '{index, count}: integers with count >= 1 and 0 <= index < count', value);
  return { index: s.index!, count: s.count! };
}

/** A 32-bit key of a relative file name ('/' separators): FNV-1a over its UTF-8 bytes, then MurmurHash3's finalizer. */
export function fileKey(name: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) h = Math.imul(h ^ byte, 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Whether the file with key `key` is in `shard` (always, without a shard). */
export const inShard = (key: number, shard: Shard | null): boolean => shard === null || key % shard.count === shard.index;
