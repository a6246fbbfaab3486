/** Reads the Keras golden files committed under test/fixtures/keras (format: its README.md). */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/keras');

export interface FixtureArray {
  data: Float32Array;
  shape: number[];
}

interface Manifest {
  arrays: Record<string, { file: string; shape: number[] }>;
  cases: Array<Record<string, any> & { id: string; kind: string }>;
}

let manifest: Manifest | null = null;

export function loadManifest(): Manifest {
  manifest ??= JSON.parse(readFileSync(resolve(FIXTURES_DIR, 'manifest.json'), 'utf8')) as Manifest;
  return manifest;
}

export function fixtureArray(name: string): FixtureArray {
  const meta = loadManifest().arrays[name];
  if (!meta) throw new Error(`no fixture array ${name}`);
  const b = readFileSync(resolve(FIXTURES_DIR, meta.file));
  return { data: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), shape: meta.shape };
}

export function casesOf(kind: string): Manifest['cases'] {
  return loadManifest().cases.filter((c) => c.kind === kind);
}

export function behaviour(name: string): { name: string; ok: boolean; message?: string; warnings: string[]; result?: string } {
  const item = casesOf('behaviours')[0]!.items.find((i: { name: string }) => i.name === name);
  if (!item) throw new Error(`no behaviour ${name}`);
  return item;
}

/** Largest absolute difference between two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
