/**
 * The library in a real browser, as a page gets it: the package's built
 * browser entry (tsc output + package.json, the `browser` export condition),
 * bundled with no configuration by esbuild, Vite and webpack, served from
 * 127.0.0.1 and driven in Debian's Chromium. The page's numbers are compared
 * with the same computation in this Node process on the same backend
 * (test/browser/scenario.ts runs on both sides).
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';
import * as browserEntry from '../src/browser.js';
import { type Numbers, scenario } from './browser/scenario.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const CI = process.env.CI === 'true' || process.env.CI === '1';
/** The library alone in a page bundle, minified and gzipped, not counting its two base64 wasm modules. */
const BUDGET_GZIP_BYTES = 60 * 1024;
/** Packages that must never reach a page's bundle through the library. */
const NODE_ONLY = /node_modules\/(sharp|detect-libc|csv-parse|fast-png|jpeg-js|ndarray-ops|cwise-compiler|fflate|iobuffer)\//;

if (!HAVE_CHROMIUM && CI) {
  describe('browser', () => {
    it('needs Chromium', () => {
      throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium (apt-get install -y chromium)`);
    });
  });
}

// Runtime exports of the two entries: the browser build must not lose any.
describe('browser entry', () => {
  it('copies strided ndarray views (any strides, negative, offsets) without ndarray-ops', async () => {
    const { default: ndarray } = await import('ndarray');
    const base = ndarray(Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i * 1.5 - 7), [2, 3, 4, 5]);
    const views = [base.transpose(0, 2, 1, 3), base.step(1, -1, 2, -1), base.hi(2, 3, 3, 4).lo(1, 1, 1, 1).transpose(3, 1, 2, 0), base.pick(null, 1, null, null).step(-1, 1, -2)];
    for (const view of views) {
      const expected: number[] = [];
      const index = new Array<number>(view.shape.length).fill(0);
      const walk = (d: number): void => {
        if (d === view.shape.length) {
          expected.push(view.get(...index));
          return;
        }
        for (index[d] = 0; index[d]! < view.shape[d]!; index[d]!++) walk(d + 1);
      };
      walk(0);
      // No standardization steps: standardize returns the dense copy (one image for the rank-3 view).
      const dense = new browserEntry.ImageDataGenerator().standardize(view);
      expect(dense.shape).toEqual(view.shape);
      expect(Array.from(dense.dataSync())).toEqual(expected);
      dense.dispose();
    }
  });

  it('exports every value the Node entry exports', () => {
    const missing = Object.keys(lib).filter((k) => !(k in browserEntry));
    expect(missing).toEqual([]);
    expect(Object.keys(browserEntry).filter((k) => !(k in lib))).toEqual([]);
  });
});

describe.skipIf(!HAVE_CHROMIUM)(`browser (Chromium at ${CHROMIUM}${HAVE_CHROMIUM ? '' : ' is missing: apt-get install -y chromium'})`, () => {
  const work = join(ROOT, 'node_modules', '.cache', `idg-browser-test-${process.pid}`);
  const app = join(work, 'app');
  const pkg = join(app, 'node_modules', 'tfjs-image-data-generator');
  const servers: Server[] = [];
  let browser: import('playwright-core').Browser;
  const node: Record<string, Numbers> = {};

  beforeAll(async () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(pkg, { recursive: true });
    // The package as installed: its package.json and a fresh build of dist/ (the `build` script's tsc step).
    cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], { stdio: 'pipe' });
    } catch (e) {
      // Type errors elsewhere still emit; the entry must be there.
      if (!existsSync(join(pkg, 'dist', 'browser.js'))) throw e;
    }
    // The application (a package of its own): the test page importing the library by its package name.
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'idg-browser-test-app', private: true, type: 'module' }));
    const page = readFileSync(join(ROOT, 'test', 'browser', 'page.ts'), 'utf8');
    const renamed = page.replace(`from '../../src/browser.js'`, `from 'tfjs-image-data-generator'`);
    expect(renamed).not.toBe(page);
    writeFileSync(join(app, 'page.ts'), renamed);
    cpSync(join(ROOT, 'test', 'browser', 'scenario.ts'), join(app, 'scenario.ts'));
    writeFileSync(join(app, 'index.html'), '<!doctype html><meta charset="utf-8"><title>loading</title><script type="module" src="./page.ts"></script>\n');

    // Node's numbers on the same backends, from the same scenario.
    for (const backend of ['cpu', 'wasm'] as const) {
      await lib.useBestBackend({ candidates: [backend] });
      const { numbers, generator, whitening } = await scenario(lib, tf);
      generator.dispose();
      whitening.dispose();
      node[backend] = numbers;
    }
    await lib.useBestBackend();

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        // WebGL through SwiftShader (no GPU here).
        '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      ],
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) s.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Serves `files` (path -> file) and the tfjs wasm binaries under /wasm/ on 127.0.0.1; `isolated` adds COOP/COEP. */
  async function serve(files: Record<string, string>, isolated = false): Promise<string> {
    const wasmDir = join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
    const types: Record<string, string> = { html: 'text/html', js: 'text/javascript', wasm: 'application/wasm', css: 'text/css', map: 'application/json' };
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const file = path.startsWith('/wasm/') ? join(wasmDir, path.slice(6).replace(/[/\\]/g, '')) : files[path];
      if (!file || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      const headers: Record<string, string> = { 'content-type': types[file.split('.').pop()!] ?? 'application/octet-stream' };
      if (isolated) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
      res.writeHead(200, headers).end(readFileSync(file));
    });
    servers.push(server);
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as { port: number };
    return `http://127.0.0.1:${port}/`;
  }

  type Idg = {
    env(): { crossOriginIsolated: boolean; sharedArrayBuffer: string; sharedWasmMemory: boolean };
    best(): Promise<{ name: string; skipped: { name: string; reason: string }[] }>;
    run(backend: string): Promise<{ backend: string; numbers: Numbers; leaked: number }>;
    nodeOnly(): Promise<{ call: string; name: string; typed: boolean; message: string }[]>;
  };

  /** Opens `url` in a fresh context; returns a caller of `window.idg` and the page's errors. */
  async function open(url: string) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 60_000 }).catch((e: Error) => {
      throw new Error(`the page did not start: ${errors.join('; ') || e.message}`);
    });
    const call = <K extends keyof Idg>(name: K, ...args: Parameters<Idg[K]>) =>
      page.evaluate(([n, a]) => ((window as unknown as { idg: Record<string, (...x: unknown[]) => unknown> }).idg[n as string]!)(...(a as unknown[])), [name, args] as const) as Promise<Awaited<ReturnType<Idg[K]>>>;
    return { call, errors, close: () => context.close() };
  }

  /** The numbers that the library computes itself (not on the tfjs backend): equal on every backend. */
  const LIBRARY_SIDE = ['mean', 'std', 'zca', 'standardized', 'whitened', 'flow0.xs', 'flow0.ys', 'flow1.xs', 'flow1.ys', 'flow2.xs', 'flow2.ys', 'augmented.zca'];

  function expectBitIdentical(page: Numbers, reference: Numbers, keys: readonly string[]): void {
    for (const key of keys) {
      expect(page[key], key).toBeDefined();
      expect(page[key]!.length, key).toBe(reference[key]!.length);
      const first = page[key]!.findIndex((v, i) => !Object.is(v, reference[key]![i]));
      expect(first, `${key}: first element that differs from Node's`).toBe(-1);
    }
  }

  /** The saved-and-loaded generator gives back the very statistics and standardization. */
  /** The numbers from tfjs ops on the active backend: the in-model layers (standardize's ZCA product is the library's wasm kernel). */
  const BACKEND_SIDE = ['layer', 'zcaLayer'];

  /** The generators saved and loaded in the page, renamed as the numbers they must equal. */
  const loadedOf = (page: Numbers): Numbers => ({
    mean: page['loaded.mean']!, std: page['loaded.std']!, standardized: page['loaded.standardized']!, zca: page['loadedZca.zca']!, whitened: page['loadedZca.standardized']!,
  });

  /** The saved-and-loaded generators give back the very statistics and standardization. */
  function expectLoaded(page: Numbers, reference: Numbers): void {
    expectBitIdentical(loadedOf(page), reference, ['mean', 'std', 'standardized', 'zca', 'whitened']);
  }

  function bundleEsbuild(outfile: string) {
    // What `esbuild page.ts --bundle --platform=browser --outfile=...` does: no externals, no plugins, no conditions.
    return import('esbuild').then((esbuild) => esbuild.build({ entryPoints: [join(app, 'page.ts')], bundle: true, platform: 'browser', outfile, metafile: true, logLevel: 'silent' }));
  }

  it('esbuild bundles a page with no configuration; it fits, standardizes, flows, saves to IndexedDB and runs the layer on cpu, wasm and webgl as Node does', async () => {
    const started = Date.now();
    const out = join(work, 'esbuild', 'page.js');
    const result = await bundleEsbuild(out);
    expect(result.errors).toEqual([]);
    const libraryInputs = Object.keys(result.metafile!.inputs);
    expect(libraryInputs.filter((p) => p.includes('tfjs-image-data-generator/dist/')).length).toBeGreaterThan(10);
    expect(libraryInputs.filter((p) => NODE_ONLY.test(p) || p.startsWith('node:') || /tfjs-image-data-generator\/dist\/(index|nodeSupport|node\/)/.test(p))).toEqual([]);
    expect(result.warnings.filter((w) => w.location?.file.includes('tfjs-image-data-generator'))).toEqual([]);

    // Tree-shaking keeps the modules that register layer classes (package.json `sideEffects`), even for a page that imports one name.
    const esbuild = await import('esbuild');
    const small = await esbuild.build({
      stdin: { contents: `import { useBestBackend } from 'tfjs-image-data-generator'; console.log(useBestBackend);`, resolveDir: app, loader: 'js' },
      bundle: true, platform: 'browser', minify: true, write: false, metafile: true, outfile: join(work, 'small.js'), logLevel: 'silent',
    });
    const kept = Object.entries(Object.values(small.metafile.outputs)[0]!.inputs).filter(([, v]) => v.bytesInOutput > 0).map(([k]) => k.replace(/.*\/dist\//, ''));
    expect(kept).toEqual(expect.arrayContaining(['layers/ImageStandardization.js', 'layers/Normalization.js', 'layers/kerasAugmentation.js']));
    expect(kept).not.toContain('ImageDataGenerator.js');

    writeFileSync(join(app, 'esbuild.html'), '<!doctype html><meta charset="utf-8"><title>loading</title><script src="/page.js"></script>\n');
    const url = await serve({ '/': join(app, 'esbuild.html'), '/page.js': out });
    const page = await open(url);
    try {
      // Not isolated, yet the page makes shared wasm memory: the ZCA comes from the wasm kernels, as in Node.
      expect(await page.call('env')).toEqual({ crossOriginIsolated: false, sharedArrayBuffer: 'undefined', sharedWasmMemory: true });

      // No webgpu registered on this page: useBestBackend takes webgl, the next in order, and says why.
      const best = await page.call('best');
      expect(best.name).toBe('webgl');
      expect(best.skipped).toEqual([{ name: 'webgpu', reason: expect.stringContaining('not registered on this page') }]);

      for (const backend of ['cpu', 'wasm'] as const) {
        const got = await page.call('run', backend);
        expect(got.backend).toBe(backend);
        expect(got.leaked).toBe(0);
        expectBitIdentical(got.numbers, node[backend]!, [...LIBRARY_SIDE, ...BACKEND_SIDE]);
        expectLoaded(got.numbers, node[backend]!);
      }

      const webgl = await page.call('run', 'webgl');
      expect(webgl.backend).toBe('webgl');
      expect(webgl.leaked).toBe(0);
      expectBitIdentical(webgl.numbers, node.cpu!, LIBRARY_SIDE);
      expectBitIdentical(loadedOf(webgl.numbers), node.cpu!, ['mean', 'std', 'standardized', 'zca', 'whitened']);
      // tfjs ops on WebGL (SwiftShader): float32 shaders, with the layer's 48-term ZCA products summed in
      // another order than on the CPU, so a few float32 ulps of the largest term differ. Bound:
      // |error| <= 1e-5 (1 + |value|), about 48 ulps at the values here (|value| < 10).
      for (const [key, got] of BACKEND_SIDE.map((k) => [k, webgl.numbers[k]!] as const)) {
        const reference = node.cpu![key]!;
        expect(got.length, key).toBe(reference.length);
        const worst = Math.max(...got.map((v, i) => Math.abs(v - reference[i]!) / (1 + Math.abs(reference[i]!))));
        console.log(`webgl ${key}: largest relative difference from Node's cpu ${worst.toExponential(2)}`);
        expect(worst, key).toBeLessThanOrEqual(1e-5);
      }
      expect(page.errors).toEqual([]);
    } finally {
      await page.close();
    }
    console.log(`browser test (esbuild page, cpu + wasm + webgl): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 180_000);

  it('Node-only calls reject with UnsupportedEnvironmentError naming the call', async () => {
    const out = join(work, 'esbuild-errors', 'page.js');
    await bundleEsbuild(out);
    writeFileSync(join(app, 'errors.html'), '<!doctype html><meta charset="utf-8"><title>loading</title><script src="/page.js"></script>\n');
    const page = await open(await serve({ '/': join(app, 'errors.html'), '/page.js': out }));
    try {
      const results = await page.call('nodeOnly');
      expect(results.map((r) => r.call)).toEqual(['flowFromDirectory', 'flowFromDataFrame', 'fitFromDirectory', 'save(path)', 'load(path)', 'fromKeras(.npy path)', 'saveToDir']);
      for (const r of results) {
        expect(r, r.call).toMatchObject({ name: 'UnsupportedEnvironmentError', typed: true });
        expect(r.message, r.call).toMatch(/needs Node\.js/);
        expect(r.message, r.call).toMatch(/In a page, /);
      }
      expect(results[0]!.message).toMatch(/^flowFromDirectory needs Node\.js.*`flow\(\)`/);
      expect(results[3]!.message).toMatch(/indexeddb:\/\//);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('a cross-origin isolated page gives the same numbers (cpu)', async () => {
    const out = join(work, 'esbuild-coi', 'page.js');
    await bundleEsbuild(out);
    writeFileSync(join(app, 'coi.html'), '<!doctype html><meta charset="utf-8"><title>loading</title><script src="/page.js"></script>\n');
    const page = await open(await serve({ '/': join(app, 'coi.html'), '/page.js': out }, true));
    try {
      expect(await page.call('env')).toEqual({ crossOriginIsolated: true, sharedArrayBuffer: 'function', sharedWasmMemory: true });
      const got = await page.call('run', 'cpu');
      expectBitIdentical(got.numbers, node.cpu!, [...LIBRARY_SIDE, ...BACKEND_SIDE]);
      expectLoaded(got.numbers, node.cpu!);
    } finally {
      await page.close();
    }
  }, 120_000);

  it(`stays within its size budget: the library alone, minified + gzipped, <= ${BUDGET_GZIP_BYTES / 1024} KB plus its wasm`, async () => {
    const esbuild = await import('esbuild');
    const measure = async (stubWasm: boolean) => {
      const r = await esbuild.build({
        stdin: { contents: `export * from 'tfjs-image-data-generator';`, resolveDir: app, loader: 'js' },
        bundle: true, platform: 'browser', format: 'esm', minify: true, write: false, metafile: true, outfile: join(work, 'size.js'),
        external: ['@tensorflow/*'], logLevel: 'silent',
        plugins: stubWasm ? [{
          name: 'no-wasm',
          setup(b) {
            b.onLoad({ filter: /[\\/]wasm[\\/](linalg|pixels)Module\.js$/ }, (a) => ({ contents: `export const ${a.path.includes('linalg') ? 'linalg' : 'pixels'}WasmBase64 = '';`, loader: 'js' }));
          },
        }] : [],
      });
      const code = r.outputFiles[0]!.contents;
      return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length, inputs: Object.keys(r.metafile.inputs) };
    };
    const all = await measure(false);
    const library = await measure(true);
    console.log(`browser bundle of the library: ${all.minified} B minified, ${all.gzip} B gzipped; without its wasm: ${library.minified} B, ${library.gzip} B gzipped (budget ${BUDGET_GZIP_BYTES} B)`);
    expect(all.inputs.filter((p) => p !== '<stdin>' && !p.includes('tfjs-image-data-generator/dist/'))).toEqual([]);
    expect(library.gzip).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
    // The wasm modules are most of the rest, and there: a page that fits ZCA uses them.
    expect(all.minified - library.minified).toBeGreaterThan(80_000);
  }, 60_000);

  it('Vite builds the page with no configuration, and it gives Node\'s numbers', async () => {
    const { build } = await import('vite');
    const outDir = join(work, 'vite-dist');
    // As `npx vite build` in the app folder: no config file there, so none is read.
    await build({ root: app, configFile: false, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    const script = /src="\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const page = await open(await serve({ '/': join(outDir, 'index.html'), [`/${script}`]: join(outDir, script!) }));
    try {
      const got = await page.call('run', 'wasm');
      expect(got.backend).toBe('wasm');
      expectBitIdentical(got.numbers, node.wasm!, [...LIBRARY_SIDE, ...BACKEND_SIDE]);
      expect((await page.call('nodeOnly')).every((r) => r.typed)).toBe(true);
    } finally {
      await page.close();
    }
  }, 180_000);

  it('webpack bundles the page with no configuration, and it gives Node\'s numbers', async () => {
    // webpack's defaults: entry ./src/index.js, output ./dist/main.js. It has no TypeScript loader by
    // default, so the page goes in as JavaScript (esbuild strips the types, file by file, no bundling).
    const esbuild = await import('esbuild');
    const web = join(work, 'webpack');
    mkdirSync(join(web, 'src'), { recursive: true });
    cpSync(join(app, 'node_modules'), join(web, 'node_modules'), { recursive: true });
    cpSync(join(app, 'package.json'), join(web, 'package.json'));
    for (const [from, to] of [['page.ts', 'index.js'], ['scenario.ts', 'scenario.js']] as const) {
      const js = await esbuild.transform(readFileSync(join(app, from), 'utf8'), { loader: 'ts', format: 'esm' });
      writeFileSync(join(web, 'src', to), js.code);
    }
    // webpack's own defaults, run in the app folder (its output goes to ./dist of the working directory). Development
    // mode: production's minifier takes 40 s here on tfjs; the library's tree-shaking is checked above with esbuild.
    const script = `import webpack from 'webpack';
      webpack({ mode: 'development' }, (err, stats) => {
        if (err) { console.error(err); process.exit(2); }
        const { errors, warnings } = stats.toJson({ all: false, errors: true, warnings: true });
        console.log(JSON.stringify({ errors: errors.map((e) => e.message), warnings: warnings.map((w) => (w.moduleName ?? '') + ' ' + w.message) }));
      });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: web, maxBuffer: 1 << 26 });
    const report = JSON.parse(stdout.trim().split('\n').pop()!) as { errors: string[]; warnings: string[] };
    expect(report.errors).toEqual([]);
    expect(report.warnings.filter((w) => w.includes('tfjs-image-data-generator'))).toEqual([]);
    writeFileSync(join(web, 'index.html'), '<!doctype html><meta charset="utf-8"><title>loading</title><script src="/main.js"></script>\n');
    const page = await open(await serve({ '/': join(web, 'index.html'), '/main.js': join(web, 'dist', 'main.js') }));
    try {
      const got = await page.call('run', 'cpu');
      expect(got.backend).toBe('cpu');
      expectBitIdentical(got.numbers, node.cpu!, [...LIBRARY_SIDE, ...BACKEND_SIDE]);
      expect((await page.call('nodeOnly')).every((r) => r.typed)).toBe(true);
    } finally {
      await page.close();
    }
  }, 180_000);
});
