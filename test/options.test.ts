import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator, InvalidArgumentError } from '../src/index.js';
import { DEFAULTS } from '../src/options/args.js';
import { behaviour } from './helpers/fixtures.js';
import { captureWarnings } from './helpers/generators.js';

describe('options', () => {
  it('defaults are Keras defaults', () => {
    const c = new ImageDataGenerator().getConfig();
    expect(c).toMatchObject({
      featurewiseCenter: false, samplewiseCenter: false, featurewiseStdNormalization: false,
      samplewiseStdNormalization: false, zcaWhitening: false, zcaEpsilon: 1e-6, rotationRange: 0,
      widthShiftRange: 0, heightShiftRange: 0, brightnessRange: null, shearRange: 0, zoomRange: [1, 1],
      channelShiftRange: 0, fillMode: 'nearest', cval: 0, horizontalFlip: false, verticalFlip: false,
      rescale: null, preprocessingFunction: null, dataFormat: 'channelsLast', validationSplit: 0,
      interpolationOrder: 1, dtype: 'float32',
    });
    expect(Object.keys(c).sort()).toEqual(Object.keys(DEFAULTS).sort());
  });

  it('zoomRange z means [1 - z, 1 + z]; a pair is kept', () => {
    expect(new ImageDataGenerator({ zoomRange: 0.2 }).config.zoomRange).toEqual([0.8, 1.2]);
    expect(new ImageDataGenerator({ zoomRange: [0.5, 2] }).config.zoomRange).toEqual([0.5, 2]);
  });

  const overrides: [string, Record<string, unknown>, Record<string, boolean>, number][] = [
    ['zca_implies_center_warns', { zca_whitening: true }, { featurewiseCenter: true }, 1],
    ['zca_disables_fs_warns', { zca_whitening: true, featurewise_center: true, featurewise_std_normalization: true }, { featurewiseStdNormalization: false }, 1],
    ['fs_implies_fc_warns', { featurewise_std_normalization: true }, { featurewiseCenter: true }, 1],
    ['ss_implies_sc_warns', { samplewise_std_normalization: true }, { samplewiseCenter: true }, 1],
  ];
  for (const [name, config, effect, count] of overrides) {
    it(`Keras override: ${name}`, () => {
      const keras = behaviour(name);
      expect(keras.warnings).toHaveLength(count);
      const { result, warnings } = captureWarnings(() => ImageDataGenerator.fromKerasConfig(config));
      expect(result.config).toMatchObject(effect);
      expect(warnings.map((w) => w.code)).toEqual(new Array(count).fill('option-override'));
    });
  }

  it('no warning when the flags are already consistent', () => {
    const { warnings } = captureWarnings(() => new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true }));
    expect(warnings).toEqual([]);
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['brightness_range_scalar_raises', { brightness_range: 0.1 }, 'config.brightness_range'],
    ['brightness_range_len3_raises', { brightness_range: [1, 2, 3] }, 'config.brightness_range'],
    ['validation_split_5_raises', { validation_split: 5 }, 'config.validation_split'],
    ['validation_split_1_raises', { validation_split: 1.0 }, 'config.validation_split'],
    ['zoom_range_len3_raises', { zoom_range: [0.5, 1, 2] }, 'config.zoom_range'],
    ['zoom_range_str_raises', { zoom_range: 'a' }, 'config.zoom_range'],
    ['data_format_bad_raises', { data_format: 'nhwc' }, 'config.data_format'],
  ];
  for (const [name, config, argument] of invalid) {
    it(`rejects like Keras: ${name}`, () => {
      expect(behaviour(name).ok).toBe(false);
      let error: unknown;
      try {
        ImageDataGenerator.fromKerasConfig(config);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe(argument);
      expect((error as Error).message).toContain(`\`${argument}\``);
      expect((error as Error).message).toContain('received');
    });
  }

  it('rejects unknown options, wrong types and unsupported values with the argument named', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ featurwiseCenter: true }, /`featurwiseCenter`.*Unknown option/],
      [{ horizontalFlip: 'yes' }, /`horizontalFlip`: expected a boolean, received "yes"/],
      [{ rotationRange: -1 }, /`rotationRange`: expected a finite number >= 0, received -1/],
      [{ fillMode: 'mirror' }, /`fillMode`/],
      [{ interpolationOrder: 6 }, /`interpolationOrder`/],
      [{ dtype: 'float64' }, /`dtype`/],
      [{ widthShiftRange: [] }, /`widthShiftRange`/],
      [{ preprocessingFunction: 3 }, /`preprocessingFunction`/],
    ];
    for (const [args, message] of bad) {
      expect(() => new ImageDataGenerator(args as never)).toThrow(message);
    }
  });

  it('fromKerasConfig maps Python names and values; unknown keys are errors', () => {
    const g = ImageDataGenerator.fromKerasConfig({
      rotation_range: 20, width_shift_range: 0.1, data_format: 'channels_first', rescale: null, brightness_range: null,
      validation_split: 0.25, fill_mode: 'reflect', interpolation_order: 0, horizontal_flip: true,
    });
    expect(g.config).toMatchObject({
      rotationRange: 20, widthShiftRange: 0.1, dataFormat: 'channelsFirst', rescale: null, validationSplit: 0.25,
      fillMode: 'reflect', interpolationOrder: 0, horizontalFlip: true,
    });
    expect(() => ImageDataGenerator.fromKerasConfig({ rotaton_range: 3 })).toThrow(/config.rotaton_range/);
  });

  it('getConfig() feeds the constructor back to an identical config', () => {
    const g = new ImageDataGenerator({ zoomRange: 0.3, samplewiseStdNormalization: true, rescale: 1 / 255 });
    const again = new ImageDataGenerator(g.getConfig());
    expect(again.getConfig()).toEqual(g.getConfig());
  });
});

describe('unknown option keys', () => {
  const images = { data: new Float32Array(4 * 3 * 3 * 3), shape: [4, 3, 3, 3] };
  const rejects = async (call: () => unknown, argument: string, suggestion: string | null) => {
    let error: unknown;
    try {
      await call();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    if (suggestion) expect((error as Error).message).toContain(`did you mean \`${suggestion}\`?`);
    else expect((error as Error).message).not.toContain('did you mean');
  };

  it('every call that takes options refuses keys it does not know, suggesting the camelCase name or the near miss', async () => {
    const g = new ImageDataGenerator();
    await rejects(() => g.flow(images, null, { batch_size: 4 } as never), 'options.batch_size', 'batchSize');
    await rejects(() => g.flow(images, null, { batchsize: 4 } as never), 'options.batchsize', 'batchSize');
    await rejects(() => g.flow(images, null, { shufle: false } as never), 'options.shufle', 'shuffle');
    await rejects(() => g.flow(images, null, { colour: 'x' } as never), 'options.colour', null);
    // The folder need not exist: options are checked first.
    await rejects(() => g.flowFromDirectory('/nonexistent', { target_size: [8, 8] } as never), 'options.target_size', 'targetSize');
    await rejects(() => g.flowFromDataFrame([], { y_col: 'label' } as never), 'options.y_col', 'yCol');
    await rejects(() => g.flowFromDataFrame([], { xcol: 'file' } as never), 'options.xcol', 'xCol');
    await rejects(() => g.fitFromDirectory('/nonexistent', { augmentt: true } as never), 'options.augmentt', 'augment');
    await rejects(() => g.fitFromDirectory('/nonexistent', { subset: 'training' } as never), 'options.subset', null);
    await rejects(() => g.fit(images, { round: 2 } as never), 'options.round', 'rounds');
    await rejects(() => new ImageDataGenerator({ rotation_range: 10 } as never), 'rotation_range', 'rotationRange');
    await rejects(() => new ImageDataGenerator({ horizontalflip: true } as never), 'horizontalflip', 'horizontalFlip');
  });

  it('a Keras config refuses keys Keras does not have, even those every object inherits', () => {
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const config = JSON.parse(`{"${key}": 1}`) as Record<string, unknown>;
      expect(() => ImageDataGenerator.fromKerasConfig(config)).toThrow(new RegExp(`\`config\\.${key.replace(/_/g, '_')}\`: expected a Keras ImageDataGenerator argument`));
    }
    expect(() => ImageDataGenerator.fromKerasConfig({ rotationRange: 10 })).toThrow('did you mean `rotation_range`?');
  });
});

describe('ranges that cannot be drawn from', () => {
  it('a range whose width overflows, or a value outside float32, is refused instead of giving NaN or Infinity pixels', () => {
    const bad: Array<[string, unknown]> = [
      ['rotationRange', 1.7e308], ['shearRange', 1.7e308], ['channelShiftRange', 1e308], ['widthShiftRange', 1.7e308],
      ['heightShiftRange', 1e308], ['zoomRange', 1.7e308], ['zoomRange', [-1.7e308, 1.7e308]], ['brightnessRange', [0, 1e300]],
      ['cval', 1e300],
    ];
    for (const [key, value] of bad) {
      expect(() => new ImageDataGenerator({ [key]: value }), key).toThrow(new RegExp(`^\`${key}\`: expected`));
    }
    // Wide but drawable ranges stay allowed, as in Keras.
    for (const [key, value] of [['rotationRange', 720], ['zoomRange', [0.1, 10]], ['cval', 3e38], ['widthShiftRange', 1e300]] as const) {
      expect(() => new ImageDataGenerator({ [key]: value })).not.toThrow();
    }
  });
});

describe('errors that name what is wrong', () => {
  it('classes given as one string, and saveToDir for images no file format holds, are refused up front', async () => {
    const g = new ImageDataGenerator();
    await expect(g.flowFromDirectory('/nonexistent', { classes: 'cat' as never })).rejects.toThrow('`classes`: expected null or an array of class names (strings), received "cat"');
    await expect(g.flowFromDataFrame([{ filename: 'a.png', class: 'cat' }], { classes: 'cat' as never })).rejects.toThrow('received "cat"');
    const five = { data: new Float32Array(2 * 3 * 3 * 5), shape: [2, 3, 3, 5] };
    const dir = mkdtempSync(join(tmpdir(), 'idg-save-'));
    try {
      expect(() => captureWarnings(() => g.flow(five, null, { saveToDir: dir }))).toThrow('`saveToDir`: expected images with 1 to 4 channels');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
