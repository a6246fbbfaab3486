/**
 * What a user gets from npm: the working tree is packed the way `npm publish` packs it (the
 * `prepare` script builds dist/ from a tree without one), the tarball's contents are checked,
 * and it is installed into a scratch project with @tensorflow/tfjs and the wasm backend, where
 * an ESM program, a CommonJS program and the `idg` bin run with no tsx and no repository around.
 * Needs the npm registry (the scratch install); about a minute with a warm npm cache.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'idg-package-'));
const stage = join(work, 'stage');
const project = join(work, 'project');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };

// Child npm and node processes must not inherit the npm_* settings of the `npm test` that runs us.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
function run(cmd: string, args: string[], cwd: string, timeout = 150_000): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, env: { ...env, NO_UPDATE_NOTIFIER: '1' }, timeout, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd} (status ${r.status}, ${r.error?.message ?? r.signal ?? ''})\n${r.stdout}\n${r.stderr}`);
  }
  return { stdout: r.stdout, stderr: r.stderr };
}
/** The last line a program printed, parsed. */
const lastJson = (out: { stdout: string }) => JSON.parse(out.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

/** The entries of a .tgz (ustar, as npm writes it): path, size and mode of each file. */
function tarEntries(tgz: string): { path: string; size: number; mode: number }[] {
  const tar = gunzipSync(readFileSync(tgz));
  const entries = [];
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, length: number) => header.subarray(from, from + length).toString('latin1').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const prefix = field(345, 155);
    entries.push({ path: (prefix ? `${prefix}/` : '') + field(0, 100), size, mode: parseInt(field(100, 8).trim(), 8), type: field(156, 1) });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return entries.filter((e) => e.type === '0' || e.type === '').map(({ path, size, mode }) => ({ path, size, mode }));
}

let tarball = '';
let installLog = '';

beforeAll(() => {
  // A copy of the working tree without dist/ (so the build has to happen while packing), without
  // the tests' fixtures, and with the repository's node_modules for the compiler.
  const skip = new Set(['node_modules', '.git', 'dist', 'tmp', 'test', 'bench', 'examples']);
  cpSync(root, stage, { recursive: true, filter: (src) => src === root || !skip.has(basename(src)) || resolve(src, '..') !== root });
  symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');
  run('npm', ['pack', '--pack-destination', work], stage);
  tarball = join(work, `${pkg.name}-${pkg.version}.tgz`);

  mkdirProject();
  const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, '@tensorflow/tfjs@^4.22.0', '@tensorflow/tfjs-backend-wasm@^4.22.0'], project, 240_000);
  installLog = install.stdout + install.stderr;
  console.log(`npm install of the tarball printed:\n${installLog}`);
}, 400_000);

function mkdirProject(): void {
  cpSync(join(root, 'test', 'package'), project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'idg-consumer', private: true, version: '1.0.0' }));
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package', () => {
  it('holds dist, README and LICENSE only, each wasm module once, and an executable bin', () => {
    const entries = tarEntries(tarball);
    const paths = entries.map((e) => e.path.replace(/^package\//, ''));
    const size = readFileSync(tarball).length;
    console.log(`tarball ${basename(tarball)}: ${size} bytes, ${entries.length} files, ${entries.reduce((s, e) => s + e.size, 0)} bytes unpacked`);

    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/cli.js',
      'dist/node/decodeWorker.js', 'dist/iterators/augmentWorker.js']));
    expect(paths.filter((p) => !p.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(p))).toEqual([]);
    expect(paths.filter((p) => /\.(ts|mts|c|h|mjs|map)$/.test(p) && !p.endsWith('.d.ts'))).toEqual([]);
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004/);

    // Each wasm module's base64 appears in exactly one shipped file, a .js module.
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    run('tar', ['xzf', tarball, '-C', unpacked], work);
    const files = paths.filter((p) => !p.endsWith('/'));
    for (const source of ['src/linalg/wasm/linalgModule.ts', 'src/pixels/wasm/pixelsModule.ts']) {
      const base64 = /'([A-Za-z0-9+/=]{1000,})'/.exec(readFileSync(join(root, source), 'utf8'))![1]!;
      const probe = base64.slice(200, 400);
      const holders = files.filter((p) => readFileSync(join(unpacked, 'package', p), 'latin1').includes(probe));
      expect(holders, source).toHaveLength(1);
      expect(holders[0]).toMatch(/^dist\/.*\.js$/);
    }
    expect(readdirSync(join(unpacked, 'package', 'dist')).length).toBeGreaterThan(0);

    const cli = entries.find((e) => e.path === 'package/dist/cli.js')!;
    expect(cli.mode & 0o111).not.toBe(0);
    expect(readFileSync(join(unpacked, 'package', 'dist', 'cli.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    // Budget: the library, its four wasm modules as base64 (linalg, pixels, resample, JPEG: 150 KB unpacked) and the
    // README. Raised from 250,000 when the baseline JPEG decoder (24 KB of base64) came in.
    expect(size).toBeLessThan(260_000);
  });

  it('installs without warnings about its own install scripts (registry installs list none)', () => {
    // A tarball (or git) install is not a registry install, so npm >= 11 may list our `prepare`
    // (it never runs for a tarball); it must not list an install or postinstall script of ours.
    expect(installLog).not.toMatch(new RegExp(`${pkg.name}@[^ ]+ \\((pre|post)?install`));
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', pkg.name, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    expect(Object.keys(installed.scripts ?? {}).filter((k) => /^(pre|post)?install$/.test(k))).toEqual([]);
  });

  it('runs an ESM program: wasm backend, fit with ZCA, standardize, an augmented flow on a worker, flowFromDirectory on two workers, save and load', () => {
    // The workers must start from dist/*.js: tsx (the development bootstrap) is not installed here.
    expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
    const facts = lastJson(run('node', ['consumer.mjs'], project, 60_000));
    expect(facts).toMatchObject({
      backend: 'wasm', unfitted: 'NotFittedError', standardizedShape: [16, 6, 5, 3], standardizedFinite: true,
      flowShape: [8, 6, 5, 3], flowMatchesCallingThread: true,
      directory: { classIndices: { cat: 0, dog: 1 }, samples: 6, xs: [6, 6, 5, 3], ys: [6, 2] }, directoryFinite: true,
      loadedEqual: true,
    });
    // One augmentation worker, two decode workers, the ZCA solver's second thread.
    expect(facts.workersStarted).toBe(4);
  });

  it('runs a CommonJS program that require()s it', () => {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    const requireEsm = major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
    if (!requireEsm) {
      expect(() => run('node', ['consumer.cjs'], project, 60_000)).toThrow(/ERR_REQUIRE_ESM/);
      return;
    }
    const out = lastJson(run('node', ['consumer.cjs'], project, 60_000));
    expect(out).toMatchObject({ type: 'function', shape: [4, 3, 2, 3] });
  });

  it('runs the idg bin through npx', () => {
    expect(run('npx', ['--no-install', 'idg', '--version'], project, 60_000).stdout.trim()).toBe(pkg.version);
  });
});
