import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, useBestBackend } from '../src/index.js';

describe('useBestBackend', () => {
  const saved = process.env.TFJS_BACKEND;
  afterEach(async () => {
    if (saved === undefined) delete process.env.TFJS_BACKEND;
    else process.env.TFJS_BACKEND = saved;
    await useBestBackend();
  });

  it('prefers tfjs-node, then wasm, then cpu, and says why it skipped one', async () => {
    delete process.env.TFJS_BACKEND;
    const choice = await useBestBackend();
    expect(tf.getBackend()).toBe(choice.name);
    let nodeInstalled = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      nodeInstalled = false;
    }
    if (nodeInstalled) {
      expect(choice.name).toBe('tensorflow');
    } else {
      expect(choice.name).toBe('wasm');
      expect(choice.skipped[0]!.name).toBe('tensorflow');
      expect(choice.skipped[0]!.reason).toContain('@tensorflow/tfjs-node');
    }
  });

  it('skips backends that lack required kernels (wasm cannot train convolutions in tfjs 4.22)', async () => {
    delete process.env.TFJS_BACKEND;
    const choice = await useBestBackend({ candidates: ['wasm', 'cpu'], requiredKernels: ['Conv2DBackpropFilter'] });
    expect(choice.name).toBe('cpu');
    expect(choice.skipped).toEqual([{ name: 'wasm', reason: 'lacks the kernels Conv2DBackpropFilter' }]);
  });

  it('TFJS_BACKEND overrides the choice; an unknown name is a clear error', async () => {
    process.env.TFJS_BACKEND = 'cpu';
    expect((await useBestBackend()).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    process.env.TFJS_BACKEND = 'webgpu2';
    await expect(useBestBackend()).rejects.toThrow(InvalidArgumentError);
    await expect(useBestBackend()).rejects.toThrow(/`TFJS_BACKEND`/);
  });
});
