/** The convolution kernel the decoders use: the wasm one where it compiles, else the TypeScript reference (same bytes). */
import { type SeparableKernel, tsKernel } from './resize.js';
import { wasmResample } from './wasmKernel.js';

export function resampleKernel(): SeparableKernel {
  return wasmResample() ?? tsKernel;
}
