/**
 * Run in separate Node processes by persistence-races.test.ts. `save <dir> <ms> <id>`
 * saves generator `id` to <dir> over and over; `load <dir> <ms>` loads <dir>
 * over and over. For `ms` milliseconds each, then prints a JSON summary. A
 * generator's statistics and options all derive from its id (raceGenerator),
 * so a loaded generator is either one saver's whole state or a mix.
 */
import { ImageDataGenerator, setWarningHandler } from '../../src/index.js';
import { raceLoop } from './raceLoop.js';

/** Saver `id`'s generator: rotationRange = id, 20000 + id channels of mean id and std id + 1. */
export function raceGenerator(id: number): ImageDataGenerator {
  const state = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true, rotationRange: id }).toJSON();
  const channels = 20000 + id;
  state.statistics.mean = { shape: [1, 1, channels], values: new Array<number>(channels).fill(id) };
  state.statistics.std = { shape: [1, 1, channels], values: new Array<number>(channels).fill(id + 1) };
  return ImageDataGenerator.fromJSON(state);
}

/** The saver id whose whole state `g` is, or null for anything else. */
export function raceIdentity(g: ImageDataGenerator): number | null {
  const id = g.config.rotationRange;
  const { mean, std } = g;
  const whole = mean !== null && std !== null && mean.length === 20000 + id && std.length === mean.length &&
    mean.every((v) => v === id) && std.every((v) => v === id + 1);
  return whole ? id : null;
}

const isMain = process.argv[1]?.endsWith('saveLoadRace.ts');
if (isMain) {
  setWarningHandler(null);
  const [mode, dir, ms, id] = process.argv.slice(2) as [string, string, string, string?];
  const saver = mode === 'save' ? raceGenerator(Number(id)) : null;
  await raceLoop(Number(ms), async () => (saver ? void (await saver.save(dir)) : raceIdentity(await ImageDataGenerator.load(dir))));
}
