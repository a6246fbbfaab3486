/**
 * Parity with the real Keras on real photos: flowFromDirectory against the
 * goldens tools/keras-goldens/flow_from_directory.py made with Keras 3's
 * ImageDataGenerator().flow_from_directory (test/fixtures/keras-goldens/
 * flow_from_directory; photos in test/fixtures/keras-goldens/photos).
 *
 * Everywhere: labels, filenames, classes, class_indices and batch shapes equal
 * Keras's. Pixels: a ratchet, measured on commit 2824b12 (2026-12-01, before
 * the PIL-exact resize work): 'exact' cases must match Keras bit for bit; for
 * [max, mean] cases the largest and the mean absolute difference must not grow
 * past what was measured; 'refused' cases (box and hamming, which sharp lacks)
 * may still be refused, and once supported must be exact. The resize work will
 * make them all exact: tighten an entry to 'exact' as soon as it is
 * (`npm run parity` prints the table).
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/index.js';
import { type CaseResult, type FlowCase, changedPhotos, flowIndex, measureCase } from '../bench/parity.js';

type Bound = 'exact' | 'refused' | [max: number, mean: number];

const RATCHET: Record<string, Bound> = {
  '64x48_rgb_nearest': [146, 0.169],
  '64x48_rgb_nearest_kar': 'exact',
  '64x48_rgb_bilinear': [199, 1.073],
  '64x48_rgb_bilinear_kar': [120, 1.777],
  '64x48_rgb_bicubic': [255, 1.028],
  '64x48_rgb_bicubic_kar': [255, 1.963],
  '64x48_rgb_lanczos': [255, 1.072],
  '64x48_rgb_lanczos_kar': [255, 2.110],
  '64x48_rgb_box': 'refused',
  '64x48_rgb_box_kar': 'refused',
  '64x48_rgb_hamming': 'refused',
  '64x48_rgb_hamming_kar': 'refused',
  '64x48_grayscale_nearest': [146, 0.169],
  '64x48_grayscale_nearest_kar': 'exact',
  '64x48_grayscale_bilinear': [122, 1.090],
  '64x48_grayscale_bilinear_kar': [119, 1.784],
  '64x48_grayscale_bicubic': [255, 1.044],
  '64x48_grayscale_bicubic_kar': [255, 1.969],
  '64x48_grayscale_lanczos': [255, 1.084],
  '64x48_grayscale_lanczos_kar': [255, 2.117],
  '64x48_grayscale_box': 'refused',
  '64x48_grayscale_box_kar': 'refused',
  '64x48_grayscale_hamming': 'refused',
  '64x48_grayscale_hamming_kar': 'refused',
  '64x48_rgba_nearest': [146, 0.127],
  '64x48_rgba_bilinear': [21, 0.531],
  '64x48_rgba_bicubic': [255, 0.501],
  '64x48_rgba_lanczos': [255, 0.539],
  '64x48_rgba_box': 'refused',
  '64x48_rgba_hamming': 'refused',
  '64x48_rgba_nearest_kar': 'exact',
  '37x53_rgb_nearest': [191, 0.261],
  '37x53_rgb_nearest_kar': [162, 0.143],
  '37x53_rgb_bilinear': [196, 1.081],
  '37x53_rgb_bilinear_kar': [192, 4.783],
  '37x53_rgb_bicubic': [198, 1.040],
  '37x53_rgb_bicubic_kar': [255, 5.405],
  '37x53_rgb_lanczos': [255, 1.112],
  '37x53_rgb_lanczos_kar': [255, 5.878],
  '37x53_rgb_box': 'refused',
  '37x53_rgb_box_kar': 'refused',
  '37x53_rgb_hamming': 'refused',
  '37x53_rgb_hamming_kar': 'refused',
  '224x224_rgb_nearest': [152, 0.220],
  '224x224_rgb_bilinear_kar': [250, 3.183],
  '224x224_grayscale_lanczos': [255, 2.734],
};

const index = flowIndex();

describe('Keras goldens for flow_from_directory', () => {
  it('describe the committed photos (else regenerate them: tools/keras-goldens/README.md)', () => {
    expect(changedPhotos()).toEqual([]);
    expect(Object.keys(index.photos).length).toBeGreaterThanOrEqual(8);
  });

  it('cover sizes, color modes, interpolations and keep_aspect_ratio, and the ratchet lists every case', () => {
    const cases = index.cases;
    expect(new Set(cases.map((c) => c.target_size.join('x')))).toEqual(new Set(['64x48', '37x53', '224x224']));
    expect(new Set(cases.map((c) => c.color_mode))).toEqual(new Set(['rgb', 'grayscale', 'rgba']));
    expect(new Set(cases.map((c) => c.interpolation))).toEqual(new Set(['nearest', 'bilinear', 'bicubic', 'lanczos', 'box', 'hamming']));
    expect(new Set(cases.map((c) => c.keep_aspect_ratio))).toEqual(new Set([false, true]));
    expect(Object.keys(RATCHET).sort()).toEqual(cases.map((c) => c.id).sort());
    expect(index.versions.keras).toMatch(/^3\./);
  });
});

function expectKerasListing(c: FlowCase, r: CaseResult): void {
  expect(r.got.classIndices).toEqual(c.class_indices);
  expect(r.got.filenames).toEqual(c.filenames);
  expect(r.got.classes).toEqual(c.classes);
  expect(r.got.batchShapes).toEqual(c.batch_shapes);
  expect(r.got.labels).toEqual(c.labels);
}

describe('flowFromDirectory against Keras on real photos', () => {
  it.each(index.cases.map((c) => [c.id, c] as const))('%s', async (_, c) => {
    const bound = RATCHET[c.id]!;
    const r = await measureCase(c);
    if (r.refused) {
      expect(bound, `refused (${r.refused}) but the ratchet says ${JSON.stringify(bound)}`).toBe('refused');
      expect(r.refused).toMatch(new RegExp(`^${InvalidArgumentError.name}: \`interpolation\``));
      return;
    }
    expectKerasListing(c, r);
    const where = `per image (${c.filenames.join(', ')}): ${r.perImage.join(', ')}`;
    if (bound === 'exact' || bound === 'refused') {
      expect(r.maxAbsDiff, `not pixel-exact; largest difference ${where}`).toBe(0);
    } else {
      expect(r.maxAbsDiff, `max abs diff grew; ${where}`).toBeLessThanOrEqual(bound[0]);
      expect(r.meanAbsDiff, `mean abs diff grew; ${where}`).toBeLessThanOrEqual(bound[1]);
    }
  });
});
