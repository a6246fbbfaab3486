#!/usr/bin/env node
/**
 * `idg`: the command line. `idg fit`, `idg merge`, `idg preview`, `idg info`; `--help` on
 * each, `--version`. Exit codes: 0 success, 1 a failure while running, 2 bad arguments.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import './nodeSupport.js';
import { ImageDataGenerator } from './ImageDataGenerator.js';
import { ImageDataGeneratorError } from './errors.js';
import { loadPartial, savePartial } from './io/partialFiles.js';
import { PartialStatistics } from './stats/partial.js';
import { useBestBackend } from './backend/useBestBackend.js';
import { decodeFile } from './node/decodeImage.js';
import { previewGrid } from './node/preview.js';
import { setWarningHandler } from './warnings.js';

class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `idg <command> [options]

Commands:
  fit <dir>        fit featurewise statistics (and ZCA) on a folder of class sub-folders; writes a saved generator
                   (or, with --shard i/n or --partial, partial statistics to merge)
  merge <parts...> merge partial statistics from fit --shard into a saved generator
  preview <image>  write a PNG grid of an image and a dozen augmentations
  info <saved>     print the options and statistics of a saved generator

Run "idg <command> --help" for a command's options, "idg --version" for the version.`,
  fit: `idg fit <dir> --out <dir> [--config aug.json] [--target-size H,W] [--color-mode rgb|rgba|grayscale] [--batch-size N] [--skip-bad-images]
        [--augment [--rounds N] [--seed N]] [--shard I/N | --partial]

Fits the statistics the config asks for (featurewise_center, featurewise_std_normalization, zca_whitening;
camelCase or Keras snake_case keys) on every image under <dir>, in one streaming pass, showing progress,
then saves the generator to --out (generator.json + the weights file it names). Default target size 256,256.
--augment: fit on --rounds (default 1) augmented copies, seeded per file. --shard I/N: only shard I of N
(by a hash of each file's path), saved as partial statistics for "idg merge"; --partial: all files, as a partial.`,
  merge: `idg merge <partial> [<partial>...] --out <dir> [--partial]

Merges partials from "idg fit --shard/--partial" (same config and options) into the generator one fit of
all their files gives, saved to --out; with --partial, saves the merged partial (to merge new data into later).`,
  preview: `idg preview <image> --out grid.png [--config aug.json] [--seed N] [--count N]

Writes the image and --count (default 12) random augmentations under the config's options to a PNG grid.`,
  info: `idg info <saved>

Prints the options of a saved generator and a summary of its fitted statistics.`,
};

const FITTED_OPTIONS = 'featurewiseCenter, featurewiseStdNormalization, zcaWhitening (Keras: featurewise_center, featurewise_std_normalization, zca_whitening)';
const COLOR_MODES = ['rgb', 'rgba', 'grayscale'] as const;

function readConfig(path: string | undefined): ImageDataGenerator {
  if (!path) return new ImageDataGenerator();
  let config: unknown;
  try {
    // Editors on Windows may start UTF-8 files with a byte order mark.
    config = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UsageError(`--config ${path}: ${(e as Error).message}`);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new UsageError(
      `--config ${path}: expected a JSON object of generator options, received ${Array.isArray(config) ? 'an array' : JSON.stringify(config)}; fit needs at least one of ${FITTED_OPTIONS} on`,
    );
  }
  try {
    const options = config as Record<string, unknown>;
    return Object.keys(options).some((k) => k.includes('_')) ? ImageDataGenerator.fromKerasConfig(options) : new ImageDataGenerator(options);
  } catch (e) {
    if (e instanceof ImageDataGeneratorError) throw new UsageError(`--config ${path}: ${e.message}`);
    throw e;
  }
}

function packageVersion(): string {
  // src/cli.ts and dist/cli.js both sit one level below package.json.
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function positiveInts(text: string, count: number, flag: string): number[] {
  const parts = text.split(',').map(Number);
  if (parts.length !== count || !parts.every((n) => Number.isInteger(n) && n > 0)) throw new UsageError(`${flag}: expected ${count} positive integer(s), received "${text}"`);
  return parts;
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === '-V') {
    console.log(packageVersion());
    return;
  }
  if (!command || command === '--help' || command === '-h') {
    console.log(HELP.main);
    if (!command) throw new UsageError('missing command');
    return;
  }
  if (!(command in HELP) || command === 'main') throw new UsageError(`unknown command "${command}"\n\n${HELP.main}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      out: { type: 'string' },
      config: { type: 'string' },
      'target-size': { type: 'string' },
      'color-mode': { type: 'string' },
      'batch-size': { type: 'string' },
      'skip-bad-images': { type: 'boolean' },
      seed: { type: 'string' },
      count: { type: 'string' },
      augment: { type: 'boolean' },
      rounds: { type: 'string' },
      shard: { type: 'string' },
      partial: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP[command]);
    return;
  }
  setWarningHandler((w) => process.stderr.write(`warning: ${w.message}\n`));
  if (command === 'merge') return merge(positionals, values.out, values.partial ?? false);
  if (positionals.length !== 1) throw new UsageError(`${command} takes one path\n\n${HELP[command]}`);
  const target = positionals[0]!;
  if (command === 'info') {
    const g = await ImageDataGenerator.load(target);
    const { config, statistics } = g.toJSON();
    console.log(JSON.stringify(config, null, 2));
    const fmt = (values: number[]) => values.map((v) => v.toPrecision(6)).join(', ');
    console.log(`mean: ${statistics.mean ? `[${fmt(statistics.mean.values)}] shape [${statistics.mean.shape}]` : 'not fitted'}`);
    console.log(`std: ${statistics.std ? `[${fmt(statistics.std.values)}] shape [${statistics.std.shape}]` : 'not fitted'}`);
    const zca = statistics.zcaWhiteningMatrix;
    console.log(`zca whitening matrix: ${zca ? `${zca.shape[0]} x ${zca.shape[1]} for images [${zca.imageShape}]` : 'not fitted'}`);
    return;
  }
  if (!values.out) throw new UsageError(`${command}: --out is required\n\n${HELP[command]}`);
  const generator = readConfig(values.config);
  if (command === 'preview') {
    const count = values.count ? positiveInts(values.count, 1, '--count')[0] : 12;
    const seed = parseSeed(values.seed ?? '1');
    await useBestBackend();
    const image = await decodeFile(target);
    writeFileSync(values.out, previewGrid(generator, image, { count, seed }));
    console.log(`wrote ${values.out}`);
    return;
  }
  const c = generator.config;
  if (!c.featurewiseCenter && !c.featurewiseStdNormalization && !c.zcaWhitening) {
    throw new UsageError(`fit: nothing to fit: ${values.config ? `--config ${values.config}` : 'without --config, the generator'} turns on none of ${FITTED_OPTIONS}\n\n${HELP.fit}`);
  }
  const colorMode = values['color-mode'] ?? 'rgb';
  if (!(COLOR_MODES as readonly string[]).includes(colorMode)) {
    throw new UsageError(`--color-mode: expected one of ${COLOR_MODES.join(', ')}, received "${colorMode}"`);
  }
  const options = {
    targetSize: values['target-size'] ? (positiveInts(values['target-size'], 2, '--target-size') as [number, number]) : ([256, 256] as [number, number]),
    colorMode: colorMode as (typeof COLOR_MODES)[number],
    batchSize: values['batch-size'] ? positiveInts(values['batch-size'], 1, '--batch-size')[0] : 32,
    onBadImage: values['skip-bad-images'] ? ('skip' as const) : ('error' as const),
    ...fitOptions(values),
  };
  await useBestBackend();
  if (options.shard || values.partial) {
    const partial = await generator.fitPartial(target, options);
    await savePartial(partial, values.out);
    console.log(`saved partial statistics of ${partial.images} images${options.shard ? ` (shard ${options.shard.index}/${options.shard.count})` : ''} to ${values.out}`);
    return;
  }
  await generator.fitFromDirectory(target, options);
  await generator.save(values.out);
  console.log(`saved ${values.out}`);
}

function parseSeed(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) >= 2 ** 32) throw new UsageError(`--seed: expected an integer in [0, 2^32), received "${text}"`);
  return Number(text);
}

/** --augment, --rounds, --seed and --shard of `idg fit`. */
function fitOptions(values: { augment?: boolean; rounds?: string; seed?: string; shard?: string; partial?: boolean }) {
  if (!values.augment && (values.rounds !== undefined || values.seed !== undefined)) throw new UsageError('--rounds and --seed need --augment');
  let shard: { index: number; count: number } | undefined;
  if (values.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(values.shard);
    if (!m || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard: expected I/N with 0 <= I < N (e.g. 3/8), received "${values.shard}"`);
    if (values.partial) throw new UsageError('--shard already saves partial statistics; drop --partial');
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  return {
    ...(values.augment ? { augment: true, rounds: values.rounds ? positiveInts(values.rounds, 1, '--rounds')[0]! : 1 } : {}),
    ...(values.seed !== undefined ? { seed: parseSeed(values.seed) } : {}),
    ...(shard ? { shard } : {}),
  };
}

/** `idg merge`: partial statistics into a saved generator (or, with --partial, into one partial). */
async function merge(paths: string[], out: string | undefined, partialOut: boolean): Promise<void> {
  if (paths.length === 0) throw new UsageError(`merge takes the directories of one or more partials\n\n${HELP.merge}`);
  if (!out) throw new UsageError(`merge: --out is required\n\n${HELP.merge}`);
  const partials = await Promise.all(paths.map(loadPartial));
  if (partialOut) {
    const merged = PartialStatistics.merge(partials);
    await savePartial(merged, out);
    console.log(`merged ${paths.length} partials (${merged.images} images) into partial statistics ${out}`);
    return;
  }
  await useBestBackend();
  const generator = await ImageDataGenerator.mergePartials(partials);
  await generator.save(out);
  console.log(`merged ${paths.length} partials (${partials.reduce((n, p) => n + p.images, 0)} images); saved ${out}`);
}

run(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`idg: ${e.message}\n`);
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.exit(usage ? 2 : 1);
  },
);
