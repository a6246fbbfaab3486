import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the gradients
import '@tensorflow/tfjs-backend-cpu';
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

  it('skips backends that lack a required kernel and says so', async () => {
    delete process.env.TFJS_BACKEND;
    const err = await useBestBackend({ candidates: ['wasm', 'cpu'], requiredKernels: ['NoSuchKernel'] }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toContain('wasm: lacks the kernels NoSuchKernel; cpu: lacks the kernels NoSuchKernel');
  });

  it('wasm can train stride-1 convolutions: our Conv2DBackpropFilter bridge matches the cpu kernel', async () => {
    delete process.env.TFJS_BACKEND;
    const choice = await useBestBackend({ candidates: ['wasm'], requiredKernels: ['Conv2DBackpropFilter'] });
    expect(choice.name).toBe('wasm');
    const shapes = [[2, 9, 8, 3, 3, 4], [3, 7, 7, 1, 5, 2], [1, 6, 10, 4, 1, 3]] as const;
    const gradients = async (backend: string) => {
      await tf.setBackend(backend);
      const out: Float32Array[] = [];
      for (const [b, h, w, c, k, f] of shapes) {
        for (const pad of ['same', 'valid'] as const) {
          const x = tf.tensor4d(Array.from({ length: b * h * w * c }, (_, i) => Math.sin(i)), [b, h, w, c]);
          const filter = tf.tensor4d(Array.from({ length: k * k * c * f }, (_, i) => Math.cos(i)), [k, k, c, f]);
          const dw = tf.grad((v) => tf.sum(tf.square(tf.conv2d(x, v as tf.Tensor4D, 1, pad))))(filter);
          out.push(dw.dataSync() as Float32Array);
          tf.dispose([x, filter, dw]);
        }
      }
      return out;
    };
    const wasm = await gradients('wasm');
    const cpu = await gradients('cpu');
    for (let k = 0; k < cpu.length; k++) {
      const scale = Math.max(...cpu[k]!.map(Math.abs));
      expect(Math.max(...wasm[k]!.map((v, i) => Math.abs(v - cpu[k]![i]!))) / scale).toBeLessThan(1e-5);
    }
  });

  it('the wasm bridge refuses strides > 1 instead of training wrong', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 6, 6, 1]) as tf.Tensor4D;
    const filter = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
    expect(() => tf.grad((v) => tf.sum(tf.conv2d(x, v as tf.Tensor4D, 2, 'same')))(filter)).toThrow(/`strides`: expected 1/);
    tf.dispose([x, filter]);
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
