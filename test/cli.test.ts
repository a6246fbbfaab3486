import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode, encode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../src/index.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../src/cli.ts');
const root = mkdtempSync(join(tmpdir(), 'idg-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const idg = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
};

function png(w: number, h: number, seed: number): Uint8Array {
  const data = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * seed * 31) % 256);
  return encode({ width: w, height: h, data, channels: 3, depth: 8 });
}

describe('idg command line', () => {
  const images = join(root, 'images');
  for (const c of ['a', 'b']) {
    mkdirSync(join(images, c), { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(images, c, `${i}.png`), png(6, 4, i + (c === 'a' ? 1 : 7)));
  }

  it('fit writes a saved generator equal to fitFromDirectory; info prints it', async () => {
    writeFileSync(join(root, 'aug.json'), JSON.stringify({ featurewise_center: true, featurewise_std_normalization: true }));
    const fit = idg('fit', images, '--config', join(root, 'aug.json'), '--target-size', '4,6', '--out', join(root, 'stats'));
    expect(fit.status).toBe(0);
    const saved = await ImageDataGenerator.load(join(root, 'stats'));
    const direct = await new ImageDataGenerator({ featurewiseStdNormalization: true, featurewiseCenter: true }).fitFromDirectory(images, { targetSize: [4, 6], onProgress: () => {} });
    expect(Array.from(saved.mean!)).toEqual(Array.from(direct.mean!));
    expect(Array.from(saved.std!)).toEqual(Array.from(direct.std!));
    const info = idg('info', join(root, 'stats'));
    expect(info.status).toBe(0);
    expect(info.out).toContain('"featurewiseStdNormalization": true');
    expect(info.out).toMatch(/mean: \[[\d.]+, [\d.]+, [\d.]+\] shape \[1,1,3\]/);
  });

  it('preview writes the grid PNG', () => {
    const r = idg('preview', join(images, 'a', '0.png'), '--out', join(root, 'grid.png'), '--count', '4');
    expect(r.status).toBe(0);
    const grid = decode(readFileSync(join(root, 'grid.png')));
    expect([grid.width, grid.height]).toEqual([5 * 6 + 6 * 4, 4 + 2 * 4]);
  });

  it('bad arguments exit 2 with help; failures exit 1 naming the problem', () => {
    expect(idg().status).toBe(2);
    expect(idg('frobnicate').status).toBe(2);
    expect(idg('fit', '--help').status).toBe(0);
    expect(idg('fit', '--help').out).toContain('--target-size');
    expect(idg('fit', images).err).toContain('--out is required');
    expect(idg('fit', images, '--out', 'x', '--target-size', '4').status).toBe(2);
    const missing = idg('info', join(root, 'nope'));
    expect(missing.status).toBe(1);
    expect(missing.err).toContain('nope');
    writeFileSync(join(images, 'b', 'broken.png'), new Uint8Array([1, 2, 3]));
    const aug = ['--config', join(root, 'aug.json')];
    const broken = idg('fit', images, ...aug, '--out', join(root, 'x'), '--target-size', '4,6');
    expect(broken.status).toBe(1);
    expect(broken.err).toContain('broken.png');
    expect(idg('fit', images, ...aug, '--out', join(root, 'y'), '--target-size', '4,6', '--skip-bad-images').status).toBe(0);
  });

  it('usage errors exit 2 naming what was expected: nothing to fit, non-object or BOM configs, bad --color-mode and --seed', () => {
    const config = (name: string, text: string) => {
      writeFileSync(join(root, name), text);
      return join(root, name);
    };
    const fitArgs = ['--target-size', '4,6', '--out', join(root, 'refused')];
    for (const extra of [[], ['--config', config('empty.json', '{}')], ['--config', config('array.json', '[]')], ['--config', config('null.json', 'null')]]) {
      const r = idg('fit', images, ...fitArgs, ...extra);
      expect(r.status, `${extra} ${r.err}`).toBe(2);
      for (const option of ['featurewiseCenter', 'featurewiseStdNormalization', 'zcaWhitening']) expect(r.err).toContain(option);
      expect(r.err).not.toContain('Cannot convert');
    }
    expect(existsSync(join(root, 'refused'))).toBe(false);
    const badValue = idg('fit', images, ...fitArgs, '--config', config('bad.json', '{"featurewiseCenter": true, "rotationRange": "a lot"}'));
    expect(badValue.status).toBe(2);
    expect(badValue.err).toContain('rotationRange');
    const colorMode = idg('fit', images, ...fitArgs, '--config', join(root, 'empty.json'), '--color-mode', 'bogus');
    expect(colorMode.status).toBe(2);
    const colorModeWithConfig = idg('fit', images, ...fitArgs, '--config', config('center.json', '{"featurewiseCenter": true}'), '--color-mode', 'bogus');
    expect(colorModeWithConfig.status).toBe(2);
    expect(colorModeWithConfig.err).toMatch(/--color-mode: expected one of rgb, rgba, grayscale, received "bogus"/);
    const seed = idg('preview', join(images, 'a', '0.png'), '--out', join(root, 'seed.png'), '--seed', 'abc');
    expect(seed.status).toBe(2);
    expect(seed.err).toContain('--seed');
    // A UTF-8 byte order mark before the JSON is accepted.
    const bom = idg('fit', images, '--target-size', '4,6', '--skip-bad-images', '--out', join(root, 'bom'), '--config', config('bom.json', '\uFEFF{"featurewise_center": true}'));
    expect(bom.status, bom.err).toBe(0);
    expect(existsSync(join(root, 'bom', 'generator.json'))).toBe(true);
  });

  it('info on a file says it is a file and a directory was expected; --version prints the package version', () => {
    const file = join(images, 'a', '0.png');
    const info = idg('info', file);
    expect(info.status).toBe(1);
    expect(info.err).toContain(file);
    expect(info.err).toMatch(/expected a directory holding generator\.json.*It is a file, not a directory/);
    const { version } = JSON.parse(readFileSync(join(dirname(cli), '../package.json'), 'utf8'));
    for (const flag of ['--version', '-v', '-V']) {
      const r = idg(flag);
      expect([r.status, r.out.trim()], r.err).toEqual([0, version]);
    }
  });
});
