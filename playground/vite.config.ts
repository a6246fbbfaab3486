/**
 * Builds the playground into playground/dist: a static folder (relative
 * paths, so any static host can serve it from any path) holding the page,
 * the sample photos and the tfjs wasm backend's binaries under wasm/.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Plugin, defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const wasmDir = join(here, '..', 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');

/** Emits the tfjs wasm backend's .wasm files as wasm/<name> (the page calls setWasmPaths('wasm/')). */
function tfjsWasmFiles(): Plugin {
  return {
    name: 'tfjs-wasm-files',
    apply: 'build',
    generateBundle() {
      for (const name of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) {
        this.emitFile({ type: 'asset', fileName: `wasm/${name}`, source: readFileSync(join(wasmDir, name)) });
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  plugins: [tfjsWasmFiles()],
  worker: { format: 'es' },
  build: {
    outDir: join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // tfjs makes the page's scripts large, and Vite's worker-URL pass over them slow: both expected here, not worth a warning.
    chunkSizeWarningLimit: 2000,
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
});
