// `idg fit --shard` and `idg merge` (issue 16): shards fitted as separate processes merge to one fit.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageDataGenerator, loadPartial } from '../src/index.js';
import { testData } from './helpers/generators.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../src/cli.ts');
const root = mkdtempSync(join(tmpdir(), 'idg-partial-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const idg = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
};

describe('idg fit --shard and idg merge', () => {
  const images = join(root, 'images');
  let seed = 1;
  for (const c of ['a', 'b']) {
    mkdirSync(join(images, c), { recursive: true });
    for (let i = 0; i < 5; i++) {
      const data = Uint8Array.from(testData(6 * 4 * 3, seed++), (v) => Math.floor(v * 256));
      writeFileSync(join(images, c, `${i}.png`), encode({ width: 6, height: 4, data, channels: 3, depth: 8 }));
    }
  }
  const config = join(root, 'aug.json');
  writeFileSync(config, JSON.stringify({ featurewise_center: true, featurewise_std_normalization: true, rotation_range: 15, horizontal_flip: true }));
  const common = [images, '--config', config, '--target-size', '4,6', '--augment', '--rounds', '2', '--seed', '9'];

  it('three shards fitted by three processes merge to the generator one fit gives; --partial merges keep merging', async () => {
    const parts = [0, 1, 2].map((i) => join(root, 'parts', String(i)));
    let images = 0;
    for (const [i, out] of parts.entries()) {
      const r = idg('fit', ...common, '--shard', `${i}/3`, '--out', out);
      expect(r.status, r.err).toBe(0);
      expect(r.out).toContain(`(shard ${i}/3)`);
      images += (await loadPartial(out)).images;
    }
    expect(images).toBe(20);
    const merged = idg('merge', ...parts, '--out', join(root, 'stats'));
    expect(merged.status, merged.err).toBe(0);
    expect(merged.out).toContain('merged 3 partials (20 images)');
    const fromParts = await ImageDataGenerator.load(join(root, 'stats'));
    const whole = idg('fit', ...common, '--out', join(root, 'whole'));
    expect(whole.status, whole.err).toBe(0);
    const one = await ImageDataGenerator.load(join(root, 'whole'));
    expect(Array.from(fromParts.mean!)).toEqual(Array.from(one.mean!));
    expect(Array.from(fromParts.std!)).toEqual(Array.from(one.std!));
    // Refresh: shards 0 and 1 merged into one partial, then shard 2 merged into it.
    expect(idg('merge', parts[0]!, parts[1]!, '--partial', '--out', join(root, 'first-two')).status).toBe(0);
    expect(idg('merge', join(root, 'first-two'), parts[2]!, '--out', join(root, 'refreshed')).status).toBe(0);
    expect(Array.from((await ImageDataGenerator.load(join(root, 'refreshed'))).std!)).toEqual(Array.from(one.std!));
  });

  it('bad shards and merges: usage errors exit 2, partials that differ exit 1 naming the difference', () => {
    for (const shard of ['3/3', '1', 'a/2', '1/0']) {
      const r = idg('fit', ...common, '--shard', shard, '--out', join(root, 'bad'));
      expect(r.status, shard).toBe(2);
      expect(r.err).toContain('--shard: expected I/N');
    }
    expect(idg('fit', images, '--config', config, '--seed', '3', '--out', join(root, 'bad')).err).toContain('--rounds and --seed need --augment');
    expect(idg('merge', '--out', join(root, 'bad')).status).toBe(2);
    expect(idg('merge', join(root, 'parts', '0')).err).toContain('--out is required');
    const plain = join(root, 'plain-part');
    expect(idg('fit', images, '--config', config, '--target-size', '4,6', '--partial', '--out', plain).status).toBe(0);
    const r = idg('merge', join(root, 'parts', '0'), plain, '--out', join(root, 'bad'));
    expect(r.status).toBe(1);
    expect(r.err).toContain('partials[1].fitOptions.augment');
    expect(idg('merge', join(root, 'missing'), '--out', join(root, 'bad')).status).toBe(1);
  });
});
