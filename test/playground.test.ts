/**
 * The augmentation playground (playground/, issue 15). Its config text
 * (export and import) in Node; then the page itself, built by
 * `npm run playground:build`'s Vite config, served by `npm run playground`'s
 * server and driven in Debian's Chromium: its grid, parameters, errors,
 * exports, fit panel and download against the library in this process.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDataGenerator, type ImageDataGeneratorArgs, type TransformParams } from '../src/index.js';
import { argsFromText, toJson, toPython, toTypeScript } from '../playground/src/configText.js';
import { parseConfigText, parseLiteral } from '../playground/src/literal.js';
import { OPTION_SPECS, toSnake } from '../playground/src/optionSpecs.js';
import { serveFolder } from '../playground/server.js';
import { type PlaygroundPage, openPlayground } from './helpers/playgroundPage.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const CI = process.env.CI === 'true' || process.env.CI === '1';

/** Option sets that exercise every kind of value the page exports. */
const CONFIGS: ImageDataGeneratorArgs[] = [
  {},
  { rotationRange: 40, widthShiftRange: 0.2, heightShiftRange: 12, shearRange: 7.5, zoomRange: [0.8, 1.25], horizontalFlip: true },
  { widthShiftRange: [-3, 0, 5], zoomRange: 0.3, channelShiftRange: 20, brightnessRange: [0.5, 1.5], fillMode: 'constant', cval: -1.5 },
  { rescale: 1 / 255, featurewiseCenter: true, featurewiseStdNormalization: true, dataFormat: 'channelsFirst', interpolationOrder: 3 },
  { samplewiseCenter: true, samplewiseStdNormalization: true, zcaWhitening: true, zcaEpsilon: 1e-7, validationSplit: 0.25, verticalFlip: true, fillMode: 'wrap' },
  { rng: 'numpy', zcaMaxBytes: 1e6, rotationRange: 0.1 + 0.2 },
];

describe('playground config text', () => {
  it('offers every constructor option except the preprocessing function and dtype, Keras options under their Keras names', () => {
    const all = Object.keys(new ImageDataGenerator().getConfig()).filter((k) => k !== 'preprocessingFunction' && k !== 'dtype');
    expect(OPTION_SPECS.map((s) => s.name).sort()).toEqual(all.sort());
    for (const spec of OPTION_SPECS) {
      const value = new ImageDataGenerator().getConfig()[spec.name];
      const call = () => ImageDataGenerator.fromKerasConfig({ [toSnake(spec.name)]: spec.name === 'dataFormat' ? 'channels_last' : value });
      if (spec.keras) expect(call, spec.name).not.toThrow();
      else expect(call, spec.name).toThrow(/Unknown Keras argument/);
    }
  });

  it('round-trips every config exactly through TypeScript, JSON and (Keras options) Python', () => {
    for (const args of CONFIGS) {
      // No keys at all read as Keras's defaults (keras: true keeps the page's own options).
      const keras = Object.keys(args).length === 0;
      expect(argsFromText(toTypeScript(args))).toEqual({ args, keras });
      expect(argsFromText(toJson(args))).toEqual({ args, keras });
      const kerasArgs = Object.fromEntries(Object.entries(args).filter(([k]) => k !== 'rng' && k !== 'zcaMaxBytes'));
      expect(argsFromText(toPython(args))).toEqual({ args: kerasArgs, keras: true });
    }
  });

  it('writes the Python call with Keras names and literals', () => {
    expect(toPython({ rotationRange: 40, brightnessRange: [0.5, 1.5], horizontalFlip: true, dataFormat: 'channelsFirst', rng: 'numpy' })).toBe(
      "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n\n# Not Keras options (this library only): rng='numpy'\n" +
        "datagen = ImageDataGenerator(\n    rotation_range=40,\n    brightness_range=[0.5, 1.5],\n    horizontal_flip=True,\n    data_format='channels_first',\n)\n",
    );
  });

  it('reads configs as people write them in Python', () => {
    const text = `import keras
# augmentation for the digits
datagen = keras.preprocessing.image.ImageDataGenerator(
    rescale=1./255,  # to 0..1
    zoom_range=(0.9, 1.1), brightness_range=None, fill_mode="constant", cval=-.5e1,
    horizontal_flip=False, preprocessing_function=None,
)`;
    expect(argsFromText(text).args).toEqual({ rescale: 1 / 255, zoomRange: [0.9, 1.1], fillMode: 'constant', cval: -5, horizontalFlip: false });
    expect(argsFromText("{'rotation_range': 15, 'data_format': 'channels_last'}").args).toEqual({ rotationRange: 15, dataFormat: 'channelsLast' });
    expect(argsFromText('dict(width_shift_range=[1, 2, 3])').args).toEqual({ widthShiftRange: [1, 2, 3] });
    expect(parseLiteral("'it\\'s \"quoted\"'")).toBe('it\'s "quoted"');
    expect(parseLiteral('((1, 2),)')).toEqual([[1, 2]]);
  });

  it("gives the library's errors for bad values and Keras names, and the parser's with a position", () => {
    expect(() => argsFromText('ImageDataGenerator(zoom_range=[1, 2, 3])')).toThrow(/^`config\.zoom_range`: expected a number or an array of two numbers/);
    expect(() => argsFromText('{"rotation": 3}')).toThrow(/`config\.rotation`: expected a Keras ImageDataGenerator argument/);
    expect(() => argsFromText('{"rotationRange": -1}')).toThrow('`rotationRange`: expected a finite number >= 0, received -1.');
    expect(() => parseConfigText('ImageDataGenerator(rotation_range=)')).toThrow('unexpected ")" (at character 35)');
    expect(() => parseConfigText('')).toThrow(/empty/);
    expect(() => parseLiteral("'\\x41'")).toThrow('a string with an escape JSON does not have (at character 1)');
  });
});

describe('npm run playground\'s server command', () => {
  const serve = (port: string) => spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'playground', 'serve.ts')], { env: { ...process.env, PORT: port } });

  it('listens on 127.0.0.1 at PORT and prints the address; refuses a bad PORT', async () => {
    const child = serve('0');
    try {
      const line = await new Promise<string>((ok, fail) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) ok(out);
        });
        child.once('exit', (code) => fail(new Error(`exited with ${code}: ${out}`)));
      });
      const url = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(line)?.[0];
      expect(url, line).toBeDefined();
      expect([200, 404]).toContain((await fetch(url!)).status);
    } finally {
      child.kill();
    }
    const bad = serve('http');
    const [code, err] = await new Promise<[number | null, string]>((ok) => {
      let text = '';
      bad.stderr.on('data', (d: Buffer) => (text += d.toString()));
      bad.once('exit', (c) => ok([c, text]));
    });
    expect(code).toBe(2);
    expect(err).toContain('PORT must be an integer port number 0-65535, got "http"');
  });
});

if (!HAVE_CHROMIUM && CI) {
  describe('playground in Chromium', () => {
    it('needs Chromium', () => {
      throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium (apt-get install -y chromium)`);
    });
  });
}

describe.skipIf(!HAVE_CHROMIUM)('playground in Chromium', () => {
  const work = join(ROOT, 'node_modules', '.cache', `idg-playground-test-${process.pid}`);
  let server: Server;
  let base: string;
  let browser: import('playwright-core').Browser;
  let page: PlaygroundPage;

  beforeAll(async () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const { build } = await import('vite');
    // `npm run playground:build`, into a folder of the test's own.
    await build({ configFile: join(ROOT, 'playground', 'vite.config.ts'), logLevel: 'silent', build: { outDir: join(work, 'dist') } });
    server = await serveFolder(join(work, 'dist'), 0);
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await openPlayground(browser, base, { width: 1280, height: 900 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('serves the built folder with the MIME types the page needs, and nothing outside it', async () => {
    const wasm = await fetch(`${base}wasm/tfjs-backend-wasm-simd.wasm`);
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect((await fetch(base)).headers.get('content-type')).toMatch(/^text\/html/);
    expect((await fetch(`${base}samples/LICENSES.md`)).status).toBe(200);
    expect((await fetch(`${base}%2e%2e/%2e%2e/package.json`)).status).toBe(404);
    expect((await fetch(`${base}missing.js`)).status).toBe(404);
  });

  it('loads without console errors, on the wasm backend, with the samples and a grid of 16 different, non-blank tiles', async () => {
    expect(page.errors).toEqual([]);
    expect(await page.text('#backend')).toBe('wasm');
    expect(await page.count('#sources canvas')).toBe(4);
    const tiles = await page.tilePixels();
    expect(tiles).toHaveLength(16);
    for (const t of tiles) expect(new Set(t).size, 'distinct byte values in a tile').toBeGreaterThan(50);
    const distinct = new Set(tiles.map((t) => Buffer.from(t).toString('base64')));
    expect(distinct.size).toBe(16);
  });

  it('changing rotationRange changes the grid; rotation 0 and no other option gives back the input', async () => {
    const before = await page.tilePixels();
    await page.setOption('rotationRange', '45');
    expect(sameTiles(await page.tilePixels(), before)).toBe(false);
    await page.click('reset');
    expect(await page.optionValue('rotationRange')).toBe('');
    await page.setOption('rotationRange', '0');
    expect(JSON.parse(await page.exported('json'))).toEqual({ rotationRange: 0 });
    const source = await page.pixels('[data-testid=source-0]');
    for (const tile of await page.tilePixels()) expect(sameBytes(tile, source)).toBe(true);
    expect(await page.attribute('[data-testid=tile-0]', 'data-params')).toBe('');
  });

  it('shows each tile\'s drawn parameters on hover; applyTransform in Node gives the tile\'s pixels from them; pinning replays and edits them', async () => {
    await page.importConfig(`ImageDataGenerator(rotation_range=30, width_shift_range=0.1, height_shift_range=8, shear_range=10,
      zoom_range=[0.8, 1.2], channel_shift_range=25, brightness_range=[0.6, 1.4], horizontal_flip=True, vertical_flip=True, fill_mode='reflect')`);
    const args = JSON.parse(await page.exported('json')) as ImageDataGeneratorArgs;
    expect(args.rotationRange).toBe(30);
    const generator = new ImageDataGenerator(args);
    const source = rgbOf(await page.pixels('[data-testid=source-0]'));
    const tiles = await page.tilePixels();
    for (const tile of [0, 5, 15]) {
      const caption = await page.hover(tile);
      const params = JSON.parse(await page.attribute(`[data-testid=tile-${tile}]`, 'data-params')) as TransformParams;
      expect(caption).toContain(`theta ${Number(params.theta.toFixed(3))}°`);
      const replayed = generator.applyTransform({ data: source, shape: [256, 256, 3] }, params);
      const expected = new Uint8ClampedArray(replayed.dataSync());
      replayed.dispose();
      expect(sameBytes(rgbOf(tiles[tile]!, Uint8Array), expected), `tile ${tile}`).toBe(true);
    }
    // Draws differ from tile to tile.
    const drawn = await Promise.all([0, 1, 2].map((t) => page.attribute(`[data-testid=tile-${t}]`, 'data-params')));
    expect(new Set(drawn).size).toBe(3);

    // Pinned from the keyboard: the replay is the tile; one parameter changed changes it.
    await page.pin(5);
    expect(sameBytes(await page.pixels('[data-testid=pinned-canvas]'), tiles[5]!)).toBe(true);
    await page.fillPinned('theta', '0');
    const edited = JSON.parse(await page.attribute('[data-testid=tile-5]', 'data-params')) as TransformParams;
    const zeroTheta = generator.applyTransform({ data: source, shape: [256, 256, 3] }, { ...edited, theta: 0 });
    expect(sameBytes(rgbOf(await page.pixels('[data-testid=pinned-canvas]'), Uint8Array), new Uint8ClampedArray(zeroTheta.dataSync()))).toBe(true);
    zeroTheta.dispose();
  });

  it('redraw and the seed change the draws; the same seed gives the same grid', async () => {
    await page.fillSeed('7');
    const seven = await page.tilePixels();
    await page.click('redraw');
    expect(await page.value('[data-testid=seed]')).not.toBe('7');
    expect(sameTiles(await page.tilePixels(), seven)).toBe(false);
    await page.fillSeed('7');
    expect(sameTiles(await page.tilePixels(), seven)).toBe(true);
  });

  it("shows the library's own error text next to the control it names", async () => {
    for (const [name, text, args] of [['zoomRange', '[1, 2, 3]', { zoomRange: [1, 2, 3] }], ['rotationRange', 'abc', { rotationRange: 'abc' }], ['brightnessRange', '2', { brightnessRange: 2 }]] as const) {
      await page.setOption(name, text);
      let message = '';
      try {
        new ImageDataGenerator(args as unknown as ImageDataGeneratorArgs);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).not.toBe('');
      expect(await page.text(`[data-testid=error-${name}]`)).toBe(message);
      expect(await page.attribute(`[data-testid=option-${name}]`, 'aria-invalid')).toBe('true');
      expect(await page.attribute('[data-testid=grid]', 'data-stale')).toBe('true');
      await page.setOption(name, '');
      expect(await page.text(`[data-testid=error-${name}]`)).toBe('');
      expect(await page.attribute('[data-testid=grid]', 'data-stale')).toBe('');
    }
  });

  it('exports Python that imports back to the same config, and TypeScript and JSON likewise', async () => {
    await page.click('reset');
    await page.setOption('rotationRange', '12.5');
    await page.setOption('zoomRange', '[0.9, 1.3]');
    await page.setOption('rescale', '1/255');
    await page.setOption('fillMode', 'wrap');
    await page.setOption('verticalFlip', true);
    await page.setOption('dataFormat', 'channelsFirst');
    const json = await page.exported('json');
    expect(JSON.parse(json)).toEqual({ rotationRange: 12.5, zoomRange: [0.9, 1.3], verticalFlip: true, fillMode: 'wrap', rescale: 1 / 255, dataFormat: 'channelsFirst' });
    for (const format of ['python', 'ts', 'json'] as const) {
      const text = await page.exported(format);
      await page.click('reset');
      expect(await page.exported('json')).toBe('{}\n');
      await page.importConfig(text);
      expect(await page.exported('json'), format).toBe(json);
      expect(await page.text('[data-testid=import-error]')).toBe('');
    }
    await page.importConfig("ImageDataGenerator(zoom_range='big')", false);
    expect(await page.text('[data-testid=import-error]')).toBe(`InvalidArgumentError: \`config.zoom_range\`: expected a number or an array of two numbers [lower, upper], received "big".`);
  });

  it('fits on the images in the page: mean about 0 and std about 1 after standardize; the download loads in Node with the same statistics', async () => {
    await page.click('reset');
    await page.setOption('featurewiseStdNormalization', true);
    const after = await page.histogramStats();
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(after.mean[c]!)).toBeLessThan(1e-3);
      expect(Math.abs(after.std[c]! - 1)).toBeLessThan(1e-3);
    }
    expect(await page.text('[data-testid=fit-status]')).toMatch(/^Fitted on 1 image: mean \[/);
    const dir = join(work, 'download');
    await page.download(dir);
    const loaded = await ImageDataGenerator.load(dir);
    const reference = new ImageDataGenerator({ featurewiseStdNormalization: true });
    await reference.fit({ data: rgbOf(await page.pixels('[data-testid=source-0]')), shape: [1, 256, 256, 3] });
    expect(Array.from(loaded.mean!)).toEqual(Array.from(reference.mean!));
    expect(Array.from(loaded.std!)).toEqual(Array.from(reference.std!));
    expect(loaded.getConfig()).toEqual(reference.getConfig());
    loaded.dispose();
    reference.dispose();
  });

  it('records the grid-update time and leaks no tensors', async () => {
    await page.click('reset');
    await page.importConfig('ImageDataGenerator(rotation_range=30, zoom_range=0.2, width_shift_range=0.1, horizontal_flip=True)');
    const times: number[] = [];
    const phases: Record<string, number>[] = [];
    for (let r = 1; r <= 8; r++) {
      await page.setOption('rotationRange', String(30 + r));
      const timing = await page.timing();
      times.push(timing.ms);
      phases.push(timing.parts);
      expect(timing.tensors).toBe(0);
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
    const parts = Object.keys(phases[0]!).map((k) => `${k} ${median(phases.map((p) => p[k]!)).toFixed(0)} ms`).join(', ');
    console.log(`playground grid update (16 tiles of 256x256, wasm, Chromium): ${times.map((t) => t.toFixed(0)).join(', ')} ms; median ${median(times).toFixed(0)} ms (${parts}; target 100 ms)`);
    // Recorded, not a speed test: only a wildly slow update fails.
    expect(median(times)).toBeLessThan(5000);
    expect(page.errors).toEqual([]);
  });

  it('takes images from the file picker, a drop and a paste; the grid then shows only them', async () => {
    await page.click('reset');
    const photo = join(ROOT, 'test', 'fixtures', 'keras-goldens', 'photos', 'gray', 'camera.png');
    await page.addFileByPicker(photo);
    expect(await page.count('#sources canvas')).toBe(5);
    const picked = await page.pixels('[data-testid=source-4]');
    // A grayscale PNG, decoded by the browser to equal R, G and B.
    expect(picked.every((v, i) => i % 4 === 3 || v === picked[i - (i % 4)])).toBe(true);
    for (const tile of await page.tilePixels()) expect(sameBytes(tile, picked)).toBe(true);
    for (const how of ['drop', 'paste'] as const) {
      await page.addFileByEvent(how, readFileSync(join(ROOT, 'playground', 'public', 'samples', 'rocket.jpg')), `${how}.jpg`);
      const added = await page.count('#sources canvas');
      const source = await page.pixels(`[data-testid=source-${added - 1}]`);
      expect(await page.attribute(`[data-testid=source-toggle-${added - 1}]`, 'aria-pressed')).toBe('true');
      for (const tile of await page.tilePixels()) expect(sameBytes(tile, source)).toBe(true);
    }
    expect(await page.count('#sources canvas')).toBe(7);
    expect(page.errors).toEqual([]);
  });

  it('works at 360 px wide: no horizontal scrolling, every control labelled, tiles reachable by keyboard with visible focus', async () => {
    const narrow = await openPlayground(browser, base, { width: 360, height: 740 });
    try {
      expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      const unlabelled = await narrow.evaluate(() =>
        [...document.querySelectorAll('input, select, textarea, button')]
          .filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label') && !e.textContent?.trim())
          .map((e) => e.outerHTML.slice(0, 80)));
      expect(unlabelled).toEqual([]);
      const picker = await narrow.tabTo('[data-testid=file-input]');
      expect(picker.labelOutline).not.toBe('none');
      const focus = await narrow.tabTo('[data-testid=tile-0]');
      expect(focus.outline).not.toBe('none');
      expect(focus.captionVisible).toBe(true);
      expect(narrow.errors).toEqual([]);
    } finally {
      await narrow.close();
    }
  });
});

/** Byte-for-byte equality (vitest's deep equality is slow on arrays of 262144 bytes). */
const sameBytes = (a: ArrayBufferView, b: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const sameTiles = (a: Uint8Array[], b: Uint8Array[]) => a.length === b.length && a.every((t, i) => sameBytes(t, b[i]!));

/** RGB of RGBA bytes, as float32 (or another array type). */
function rgbOf(rgba: Uint8Array, As: Float32ArrayConstructor | Uint8ArrayConstructor = Float32Array): Float32Array {
  const out = new As((rgba.length / 4) * 3);
  for (let i = 0, j = 0; j < rgba.length; i += 3, j += 4) {
    out[i] = rgba[j]!;
    out[i + 1] = rgba[j + 1]!;
    out[i + 2] = rgba[j + 2]!;
  }
  return out as Float32Array;
}
