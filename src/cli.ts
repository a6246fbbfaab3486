#!/usr/bin/env node
/**
 * `idg`: the command line. `idg fit`, `idg preview`, `idg info`; `--help` on
 * each. Exit codes: 0 success, 1 a failure while running, 2 bad arguments.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ImageDataGenerator } from './ImageDataGenerator.js';
import { useBestBackend } from './backend/useBestBackend.js';
import { decodeFile } from './node/decodeImage.js';
import { previewGrid } from './node/preview.js';
import { setWarningHandler } from './warnings.js';

class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `idg <command> [options]

Commands:
  fit <dir>        fit featurewise statistics (and ZCA) on a folder of class sub-folders; writes a saved generator
  preview <image>  write a PNG grid of an image and a dozen augmentations
  info <saved>     print the options and statistics of a saved generator

Run "idg <command> --help" for a command's options.`,
  fit: `idg fit <dir> --out <dir> [--config aug.json] [--target-size H,W] [--color-mode rgb|rgba|grayscale] [--batch-size N] [--skip-bad-images]

Fits the statistics the config asks for (featurewise_center, featurewise_std_normalization, zca_whitening;
camelCase or Keras snake_case keys) on every image under <dir>, in one streaming pass, showing progress,
then saves the generator to --out (generator.json + generator.weights.bin). Default target size 256,256.`,
  preview: `idg preview <image> --out grid.png [--config aug.json] [--seed N] [--count N]

Writes the image and --count (default 12) random augmentations under the config's options to a PNG grid.`,
  info: `idg info <saved>

Prints the options of a saved generator and a summary of its fitted statistics.`,
};

function readConfig(path: string | undefined): ImageDataGenerator {
  if (!path) return new ImageDataGenerator();
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--config ${path}: ${(e as Error).message}`);
  }
  return Object.keys(config).some((k) => k.includes('_')) ? ImageDataGenerator.fromKerasConfig(config) : new ImageDataGenerator(config);
}

function positiveInts(text: string, count: number, flag: string): number[] {
  const parts = text.split(',').map(Number);
  if (parts.length !== count || !parts.every((n) => Number.isInteger(n) && n > 0)) throw new UsageError(`${flag}: expected ${count} positive integer(s), received "${text}"`);
  return parts;
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
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
    },
  });
  if (values.help) {
    console.log(HELP[command]);
    return;
  }
  if (positionals.length !== 1) throw new UsageError(`${command} takes one path\n\n${HELP[command]}`);
  const target = positionals[0]!;
  setWarningHandler((w) => process.stderr.write(`warning: ${w.message}\n`));
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
  await useBestBackend();
  if (command === 'preview') {
    const image = await decodeFile(target);
    const count = values.count ? positiveInts(values.count, 1, '--count')[0] : 12;
    const seed = values.seed ? Number(values.seed) : 1;
    writeFileSync(values.out, previewGrid(generator, image, { count, seed }));
    console.log(`wrote ${values.out}`);
    return;
  }
  const colorMode = (values['color-mode'] ?? 'rgb') as 'rgb';
  await generator.fitFromDirectory(target, {
    targetSize: values['target-size'] ? (positiveInts(values['target-size'], 2, '--target-size') as [number, number]) : [256, 256],
    colorMode,
    batchSize: values['batch-size'] ? positiveInts(values['batch-size'], 1, '--batch-size')[0] : 32,
    onBadImage: values['skip-bad-images'] ? 'skip' : 'error',
  });
  await generator.save(values.out);
  console.log(`saved ${values.out}`);
}

run(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`idg: ${e.message}\n`);
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.exit(usage ? 2 : 1);
  },
);
