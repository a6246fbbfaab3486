/** Converting Keras's snake_case fixture dicts to our names. */
import type { TransformParams } from '../../src/transform/params.js';

const KEYS: Record<string, keyof TransformParams> = {
  theta: 'theta', tx: 'tx', ty: 'ty', shear: 'shear', zx: 'zx', zy: 'zy',
  flip_horizontal: 'flipHorizontal', flip_vertical: 'flipVertical',
  channel_shift_intensity: 'channelShiftIntensity', brightness: 'brightness',
};

export function paramsFromKeras(p: Record<string, unknown>): Partial<TransformParams> {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => {
    const key = KEYS[k];
    if (!key) throw new Error(`unknown Keras param ${k}`);
    return [key, key.startsWith('flip') ? Boolean(v) : v];
  }));
}
