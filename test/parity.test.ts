/**
 * Parity with the real Keras on real photos: flowFromDirectory against the
 * goldens tools/keras-goldens/flow_from_directory.py made with Keras 3's
 * ImageDataGenerator().flow_from_directory (test/fixtures/keras-goldens/
 * flow_from_directory; photos in test/fixtures/keras-goldens/photos).
 *
 * Everywhere: labels, filenames, classes, class_indices and batch shapes equal
 * Keras's, and pixels equal Keras's bit for bit (max abs diff 0), except for
 * the cases NOT_YET_EXACT lists with the [max, mean] absolute differences last
 * measured, which must not grow (a ratchet: remove an entry once its case is
 * exact; `npm run parity` prints the table).
 *
 * History: on 2824b12 (2026-12-01, sharp's resize, no box or hamming) only
 * 64x48 nearest with keepAspectRatio was exact (3 of 46; nearest elsewhere up
 * to 191, the other filters up to 255, box and hamming refused); since
 * 3cfe788 (Pillow's resize ported) all 46 are.
 */
import { describe, expect, it } from 'vitest';
import { type CaseResult, type FlowCase, changedPhotos, flowIndex, measureCase } from '../bench/parity.js';

/** Cases whose pixels do not match Keras yet: [max, mean] absolute difference they may not exceed. */
const NOT_YET_EXACT: Record<string, [max: number, mean: number]> = {};

const index = flowIndex();

describe('Keras goldens for flow_from_directory', () => {
  it('describe the committed photos (else regenerate them: tools/keras-goldens/README.md)', () => {
    expect(changedPhotos()).toEqual([]);
    expect(Object.keys(index.photos).length).toBeGreaterThanOrEqual(8);
  });

  it('cover sizes, color modes, interpolations and keep_aspect_ratio; the ratchet names only real cases', () => {
    const cases = index.cases;
    expect(new Set(cases.map((c) => c.target_size.join('x')))).toEqual(new Set(['64x48', '37x53', '224x224']));
    expect(new Set(cases.map((c) => c.color_mode))).toEqual(new Set(['rgb', 'grayscale', 'rgba']));
    expect(new Set(cases.map((c) => c.interpolation))).toEqual(new Set(['nearest', 'bilinear', 'bicubic', 'lanczos', 'box', 'hamming']));
    expect(new Set(cases.map((c) => c.keep_aspect_ratio))).toEqual(new Set([false, true]));
    expect(Object.keys(NOT_YET_EXACT).filter((id) => !cases.some((c) => c.id === id))).toEqual([]);
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
    const r = await measureCase(c);
    expect(r.refused, 'the library refuses this configuration').toBeUndefined();
    expectKerasListing(c, r);
    const where = `per image (${c.filenames.join(', ')}): ${r.perImage.join(', ')}`;
    const bound = NOT_YET_EXACT[c.id];
    if (!bound) {
      expect(r.maxAbsDiff, `not pixel-exact; largest difference ${where}`).toBe(0);
    } else {
      expect(r.maxAbsDiff, `max abs diff grew; ${where}`).toBeLessThanOrEqual(bound[0]);
      expect(r.meanAbsDiff, `mean abs diff grew; ${where}`).toBeLessThanOrEqual(bound[1]);
    }
  });
});

describe('flowFromDirectory in worker threads against Keras', () => {
  // The cases above decode on the main thread (workers: 0); a default flow decodes in worker threads.
  it.each(['224x224_rgb_bilinear_kar', '64x48_grayscale_lanczos_kar', '37x53_rgb_hamming_kar', '64x48_rgba_bicubic'])('%s', async (id) => {
    const c = index.cases.find((k) => k.id === id)!;
    const r = await measureCase(c, { workers: 2 });
    expectKerasListing(c, r);
    expect(r.maxAbsDiff, `per image: ${r.perImage.join(', ')}`).toBeLessThanOrEqual(NOT_YET_EXACT[id]?.[0] ?? 0);
  });
});
