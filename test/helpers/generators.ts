/** Small shared test utilities: building generators from fixture configs, capturing warnings. */
import { ImageDataGenerator, setWarningHandler, type GeneratorWarning } from '../../src/index.js';

/** Runs `fn` and returns what it returned plus the warnings it emitted. */
export function captureWarnings<T>(fn: () => T): { result: T; warnings: GeneratorWarning[] } {
  const warnings: GeneratorWarning[] = [];
  const previous = setWarningHandler((w) => warnings.push(w));
  try {
    return { result: fn(), warnings };
  } finally {
    setWarningHandler(previous);
  }
}

/** `captureWarnings` for async work: the handler stays in place until `fn` settles. */
export async function captureWarningsAsync<T>(fn: () => Promise<T>): Promise<{ result: T; warnings: GeneratorWarning[] }> {
  const warnings: GeneratorWarning[] = [];
  const previous = setWarningHandler((w) => warnings.push(w));
  try {
    return { result: await fn(), warnings };
  } finally {
    setWarningHandler(previous);
  }
}

/** A generator from a fixture's Keras config, with override warnings silenced. */
export function fromFixtureConfig(config: Record<string, unknown>): ImageDataGenerator {
  return captureWarnings(() => ImageDataGenerator.fromKerasConfig(config)).result;
}

/** Deterministic pseudo-random floats in [0, 1) for test data (independent of the library's RNG). */
export function testData(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296;
  }
  return out;
}
