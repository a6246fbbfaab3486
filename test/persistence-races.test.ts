import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../src/index.js';
import { raceGenerator, raceIdentity } from './helpers/saveLoadRace.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'idg-races-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `g${n++}`);

interface Summary { count: number; failed: number; firstFailures: string[]; seen: number[] }
async function child(...args: string[]): Promise<Summary> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(here, 'helpers/saveLoadRace.ts'), ...args], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

const weightFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.bin'));

describe('concurrent saves and loads', () => {
  it('two saves to one directory in one process both resolve and leave one whole save', async () => {
    const [a, b] = [raceGenerator(1), raceGenerator(2)];
    const outcomes = { rejected: 0, unloadable: 0, mixed: 0 };
    for (let round = 0; round < 30; round++) {
      const dir = freshDir();
      const settled = await Promise.allSettled([a.save(dir), b.save(dir)]);
      outcomes.rejected += settled.filter((s) => s.status === 'rejected').length;
      const loaded = await ImageDataGenerator.load(dir).catch(() => null);
      if (loaded === null) outcomes.unloadable++;
      else if (raceIdentity(loaded) === null) outcomes.mixed++;
      expect(weightFiles(dir)).toHaveLength(1);
    }
    expect(outcomes).toEqual({ rejected: 0, unloadable: 0, mixed: 0 });
  });

  it('two saver processes and a loader process racing: every load is one whole save, none fails', async () => {
    const dir = freshDir();
    await raceGenerator(0).save(dir);
    const ms = '3000';
    const [s1, s2, loads] = await Promise.all([child('save', dir, ms, '1'), child('save', dir, ms, '2'), child('load', dir, ms)]);
    expect([s1.failed, s2.failed, loads.failed], JSON.stringify([s1, s2, loads])).toEqual([0, 0, 0]);
    expect(s1.count + s2.count).toBeGreaterThan(10);
    expect(loads.count).toBeGreaterThan(10);
    expect(raceIdentity(await ImageDataGenerator.load(dir))).not.toBeNull();
    expect(weightFiles(dir)).toHaveLength(1);
  });
});
