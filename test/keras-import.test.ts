import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator, InvalidArgumentError } from '../src/index.js';
import { casesOf, fixtureArray, maxAbsDiff } from './helpers/fixtures.js';
import { captureWarningsAsync } from './helpers/generators.js';

/** Writes a .npy file the way numpy does (version 1.0 header padded to 64 bytes). */
function npy(values: ArrayLike<number>, shape: number[], descr = '<f4', fortran = false): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const size = descr.endsWith('8') ? 8 : 4;
  const out = new Uint8Array(10 + header.length + values.length * size);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const view = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < values.length; i++) {
    if (size === 8) view.setFloat64(i * 8, values[i]!, descr[0] === '<');
    else view.setFloat32(i * 4, values[i]!, descr[0] === '<');
  }
  return out;
}

const fitCase = (id: string) => casesOf('fit').find((c) => c.id === id)!;
const stdCase = (id: string) => casesOf('standardize').find((c) => c.id === id)!;

describe('fromKeras: statistics fitted in Python', () => {
  const pairs: [string, string][] = [
    ['fit_rgb_fc_fs', 'std_rgb_fit_fc_fs_rank4'],
    ['fit_rgb_cf_fc_fs', 'std_rgb_cf_fit_fc_fs_rank4'],
    ['fit_gray_rescale_fc_fs', 'std_gray_fit_rescale_fc_fs_rank4'],
    ['fit_rgb_zca', 'std_rgb_fit_zca_rank4'],
    ['fit_rgb_cf_zca', 'std_rgb_cf_fit_zca_rank4'],
    ['fit_gray_rescale_zca', 'std_gray_fit_rescale_zca_rank4'],
  ];
  for (const [fitId, stdId] of pairs) {
    it(`${fitId} exported as .npy standardizes like Keras (${stdId})`, async () => {
      const f = fitCase(fitId);
      const s = stdCase(stdId);
      const arrays: Record<string, Uint8Array> = {};
      for (const key of ['mean', 'std'] as const) {
        if (f.expected[key]) { const a = fixtureArray(f.expected[key]); arrays[key] = npy(a.data, a.shape); }
      }
      let imageShape: number[] | undefined;
      if (f.expected.zca_whitening_matrix_f64) {
        const z = fixtureArray(f.expected.zca_whitening_matrix_f64);
        arrays.zcaWhiteningMatrix = npy(z.data, z.shape, '<f8');
        imageShape = fixtureArray(f.inputs.x).shape.slice(1);
      }
      const { result: g } = await captureWarningsAsync(() => ImageDataGenerator.fromKeras({ config: f.config, ...arrays, imageShape }));
      const x = fixtureArray(s.inputs.x);
      const y = g.standardize(x).dataSync();
      const expected = fixtureArray(s.expected.y).data;
      const scale = Math.max(1, ...Array.from(expected, Math.abs));
      expect(maxAbsDiff(y, expected) / scale).toBeLessThan(f.expected.zca_whitening_matrix_f64 ? 1e-4 : 1e-5);
    });
  }

  it('reads .npy file paths and plain arrays too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idg-npy-'));
    try {
      writeFileSync(join(dir, 'mean.npy'), npy([1, 2, 3], [1, 1, 3]));
      const g = await ImageDataGenerator.fromKeras({ config: { featurewise_center: true }, mean: join(dir, 'mean.npy') });
      expect(Array.from(g.mean!)).toEqual([1, 2, 3]);
      const h = await ImageDataGenerator.fromKeras({ config: { featurewise_center: true }, mean: { data: [4, 5], shape: [2] } });
      expect(Array.from(h.mean!)).toEqual([4, 5]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects Fortran order, big-endian, object and integer arrays, truncated data, bad shapes and a ZCA matrix without imageShape', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ mean: npy([1, 2, 3], [3], '<f4', true) }, /Fortran-order/],
      [{ mean: npy([1, 2, 3], [3], '>f4') }, /big-endian/],
      [{ mean: npy([], [3], '|O') }, /object array/],
      [{ mean: npy([1, 2, 3], [3], '<i4') }, /dtype <i4/],
      [{ mean: npy([1, 2, 3], [3]).subarray(0, 128 + 8) }, /12 bytes of data for shape \(3\), received "8 bytes"/],
      [{ mean: npy([1, 2, 3], [3, 1, 1]) }, /`mean`: expected shape \(3,\) or \(1,1,3\)/],
      [{ mean: new Uint8Array([1, 2, 3]) }, /\.npy file/],
      [{ zcaWhiteningMatrix: npy([1, 0, 0, 1], [2, 2]) }, /`imageShape`/],
      [{ zcaWhiteningMatrix: npy([1, 0, 0, 1], [2, 2]), imageShape: [1, 1, 3] }, /^`zcaWhiteningMatrix`: expected shape \[3, 3\] for `imageShape` \[1,1,3\]/],
    ];
    for (const [arrays, message] of bad) {
      const err = await captureWarningsAsync(() => ImageDataGenerator.fromKeras({ config: { featurewise_center: true, zca_whitening: 'zcaWhiteningMatrix' in arrays }, ...arrays })).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect(err.message).toMatch(message);
    }
  });
});
