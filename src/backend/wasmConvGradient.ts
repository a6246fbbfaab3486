/**
 * The wasm backend (tfjs 4.22) has no `Conv2DBackpropFilter` kernel, so
 * convolutional models cannot train on it ("Kernel 'Conv2DBackpropFilter' not
 * registered for backend 'wasm'"). It does have `Conv3DBackpropFilterV2`, and
 * a 2-D convolution is a 3-D one with depth 1 and the same memory layout, so
 * this kernel forwards to it without copying.
 *
 * The bridge is registered when this module is imported (so importing the
 * library is enough, before or after @tensorflow/tfjs-backend-wasm), unless
 * wasm already has the kernel. It looks the 3-D kernel up at each call, so the
 * import order does not matter. A wasm version that brings its own kernel
 * replaces the bridge when imported later (tfjs then warns that the kernel was
 * already registered), and is kept when imported first.
 *
 * Only stride 1 is bridged: the wasm 3-D kernel itself returns wrong filter
 * gradients for strides > 1 (measured against the cpu backend), so those
 * throw a clear error instead of training silently wrong.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors.js';

interface Conv2DBackpropFilterAttrs {
  strides: number | [number, number];
  pad: unknown;
  dataFormat?: string;
  filterShape: [number, number, number, number];
}

const bridge: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const conv3d = tf.getKernel(tf.Conv3DBackpropFilterV2, 'wasm');
  if (!conv3d) {
    throw new InvalidArgumentError(
      'backend',
      "a wasm backend with the Conv3DBackpropFilterV2 kernel to train convolutions (@tensorflow/tfjs-backend-wasm 4.22 has it), or the cpu or tensorflow backend",
      'a wasm backend without it',
    );
  }
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') throw new InvalidArgumentError('dataFormat', "'NHWC' for the wasm conv2d gradient", dataFormat);
  if (pad !== 'same' && pad !== 'valid' && typeof pad !== 'number') {
    throw new InvalidArgumentError('pad', "'same', 'valid' or a number for the wasm conv2d gradient", pad);
  }
  const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
  if (sh !== 1 || sw !== 1) {
    throw new InvalidArgumentError(
      'strides',
      '1 for convolutions trained on the wasm backend (use pooling to downsample, or the cpu or tensorflow backend)',
      strides,
    );
  }
  const depth1 = (t: tf.TensorInfo): tf.TensorInfo => ({ ...t, shape: [t.shape[0]!, 1, ...t.shape.slice(1)] });
  const out = conv3d.kernelFunc({
    inputs: { x: depth1(x), dy: depth1(dy) },
    backend,
    attrs: { strides: [1, 1, 1], pad, filterShape: [1, ...filterShape] },
  }) as tf.TensorInfo;
  return { ...out, shape: [...filterShape] };
};

/**
 * Registers the `Conv2DBackpropFilter` bridge for wasm if wasm has no such
 * kernel. Importing the library already did; this stays for explicit use.
 * Returns whether training convolutions on wasm can work: wasm has its own
 * kernel, or the 3-D kernel the bridge needs is registered (that is, once
 * @tensorflow/tfjs-backend-wasm has been imported).
 */
export function ensureWasmConv2DBackpropFilter(): boolean {
  if (!tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')) {
    tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: bridge });
  }
  return tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')!.kernelFunc !== bridge || tf.getKernel(tf.Conv3DBackpropFilterV2, 'wasm') !== undefined;
}

ensureWasmConv2DBackpropFilter();
