/**
 * Shards of a file list for fits and flows spread over machines: a file
 * belongs to shard `key(name) mod count`, where key(name) is a 32-bit hash of
 * its name relative to the folder (for data frames, the x column as given).
 * Every file is thus in exactly one shard, the same on every machine and
 * operating system, and adding or removing files never moves other files
 * between shards (a position-based split would move them all). The price:
 * shard sizes vary by about their square root.
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
