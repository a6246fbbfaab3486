// Every test file runs on the best pure-npm backend (wasm here; TFJS_BACKEND=cpu to switch).
import { beforeAll } from 'vitest';
import { useBestBackend } from '../src/index.js';

beforeAll(async () => {
  await useBestBackend();
});
