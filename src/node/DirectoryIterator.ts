/**
 * `flowFromDirectory` (Keras: `DirectoryIterator`): one sub-folder per class,
 * images decoded and resized by sharp in parallel (libvips's thread pool),
 * upcoming batches prefetched while the caller trains, then the generator's
 * augmentation and standardization. Node only.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CorruptFileError, InvalidArgumentError } from '../errors.js';
import { type ImageBatch, fromImageBatch } from '../input/imageBatch.js';
import type { FlowContext } from '../iterators/ArrayIterator.js';
import { AsyncBatchIterator, type Batch } from '../iterators/BatchIterator.js';
import { type RandomGenerator, checkSeed, randomSeed } from '../random/random.js';
import { warn } from '../warnings.js';
import { CHANNELS, type ColorMode, type DecodeOptions, type Interpolation, checkInterpolation, decodeInto } from './decodeImage.js';
import { listDirectory } from './listDirectory.js';

export type ClassMode = 'categorical' | 'binary' | 'sparse' | 'input' | null;

/** Options of `flowFromDirectory`; names and defaults as Keras. */
export interface DirectoryFlowOptions {
  /** [height, width] every image is resized to. Default [256, 256]. Keras: `target_size`. */
  targetSize?: [number, number];
  /** 'rgb' (default), 'rgba' or 'grayscale'. Keras: `color_mode`. */
  colorMode?: ColorMode;
  /** Class folder names in label order; default: all sub-folders, sorted. */
  classes?: string[] | null;
  /** 'categorical' (one-hot, default), 'binary', 'sparse', 'input' (ys = xs) or null (no ys). */
  classMode?: ClassMode;
  /** Default 32. */
  batchSize?: number;
  /** Default true. */
  shuffle?: boolean;
  seed?: number;
  /** Follow symbolic links to sub-folders. Default false. */
  followLinks?: boolean;
  /** 'validation': the first validationSplit of each class's sorted files; 'training': the rest. */
  subset?: 'training' | 'validation' | null;
  /** Resampling filter: 'nearest' (default), 'bilinear', 'bicubic', 'lanczos'. */
  interpolation?: Interpolation;
  /** Centre-crop to the target aspect ratio before resizing. Default false. */
  keepAspectRatio?: boolean;
  /** 'error' (default): a bad file throws, naming it. 'skip': unreadable files are left out, one warning each. */
  onBadImage?: 'error' | 'skip';
  /** Batches decoded ahead while the caller trains. Default 2. */
  prefetch?: number;
  /** Also augment the validation subset. Default false. */
  augmentValidation?: boolean;
}

interface Prepared {
  pixels: Float32Array;
  labels: Int32Array;
}

const CLASS_MODES = ['categorical', 'binary', 'sparse', 'input', null];

export class DirectoryIterator extends AsyncBatchIterator<Prepared> {
  /** Class name to label index. Keras: `class_indices`. */
  readonly classIndices: Record<string, number>;
  /** Label index of every sample. Keras: `classes`. */
  readonly classes: Int32Array;
  /** Sample paths relative to the directory. Keras: `filenames`. */
  readonly filenames: string[];
  /** Sample paths including the directory. Keras: `filepaths`. */
  readonly filepaths: string[];
  readonly classMode: ClassMode;
  /** One image's NHWC shape. */
  readonly imageShape: [number, number, number];
  private readonly reported = new Set<string>();

  private constructor(
    listing: { classNames: string[]; filenames: string[]; classes: Int32Array },
    readonly directory: string,
    private readonly decode: DecodeOptions,
    private readonly options: Required<Pick<DirectoryFlowOptions, 'onBadImage'>> & { augment: boolean; classMode: ClassMode },
    private readonly context: FlowContext,
    schedule: { batchSize: number; shuffle: boolean; seed: number; prefetch: number },
  ) {
    super({ samples: listing.filenames.length, batchSize: schedule.batchSize, shuffle: schedule.shuffle, seed: schedule.seed, randomMode: context.randomMode }, schedule.prefetch);
    this.classIndices = Object.fromEntries(listing.classNames.map((n, i) => [n, i]));
    this.classes = listing.classes;
    this.filenames = listing.filenames;
    this.filepaths = listing.filenames.map((f) => `${directory.replace(/[\\/]+$/, '')}/${f}`);
    this.classMode = options.classMode;
    this.imageShape = [decode.targetSize[0], decode.targetSize[1], CHANNELS[decode.colorMode]];
  }

  /** Lists the directory and validates options. Use `generator.flowFromDirectory`. */
  static async create(directory: string, o: DirectoryFlowOptions, context: FlowContext): Promise<DirectoryIterator> {
    const targetSize = o.targetSize ?? [256, 256];
    if (!Array.isArray(targetSize) || targetSize.length !== 2 || !targetSize.every((d) => Number.isInteger(d) && d > 0)) {
      throw new InvalidArgumentError('targetSize', '[height, width], two positive integers', targetSize);
    }
    const colorMode = o.colorMode ?? 'rgb';
    if (!(colorMode in CHANNELS)) throw new InvalidArgumentError('colorMode', "'rgb', 'rgba' or 'grayscale'", colorMode);
    const classMode = o.classMode === undefined ? 'categorical' : o.classMode;
    if (!CLASS_MODES.includes(classMode)) throw new InvalidArgumentError('classMode', "'categorical', 'binary', 'sparse', 'input' or null", classMode);
    const onBadImage = o.onBadImage ?? 'error';
    if (onBadImage !== 'error' && onBadImage !== 'skip') throw new InvalidArgumentError('onBadImage', "'error' or 'skip'", onBadImage);
    const subset = o.subset ?? null;
    if (subset !== null && subset !== 'training' && subset !== 'validation') {
      throw new InvalidArgumentError('subset', "'training', 'validation' or null", subset);
    }
    const vs = context.validationSplit;
    if (subset !== null && vs === 0) throw new InvalidArgumentError('validationSplit', 'a value in (0, 1) when `subset` is given', vs);
    const split: [number, number] | null = subset === 'validation' ? [0, vs] : subset === 'training' ? [vs, 1] : null;
    let listing = await listDirectory(directory, { classes: o.classes ?? null, followLinks: o.followLinks ?? false, split });
    if (classMode === 'binary' && listing.classNames.length !== 2) {
      throw new InvalidArgumentError('classes', "exactly 2 classes for classMode 'binary'", listing.classNames);
    }
    const decode: DecodeOptions = { targetSize: [targetSize[0]!, targetSize[1]!], colorMode, interpolation: checkInterpolation(o.interpolation ?? 'nearest'), keepAspectRatio: o.keepAspectRatio ?? false };
    if (onBadImage === 'skip') listing = await dropUnreadable(directory, listing, decode);
    return new DirectoryIterator(listing, directory, decode, { onBadImage, augment: subset !== 'validation' || o.augmentValidation === true, classMode }, context, {
      batchSize: o.batchSize ?? 32,
      shuffle: o.shuffle ?? true,
      seed: o.seed === undefined ? randomSeed() : checkSeed(o.seed),
      prefetch: o.prefetch ?? 2,
    });
  }

  /** The decoded (not augmented, not standardized) images of one epoch, in file order, as NHWC batches. */
  async *rawBatches(): AsyncGenerator<ImageBatch> {
    for (let start = 0; start < this.samples; start += this.batchSize) {
      const indices = Int32Array.from({ length: Math.min(this.batchSize, this.samples - start) }, (_, i) => start + i);
      const { pixels, labels } = await this.decodeSamples(indices);
      yield { data: pixels, shape: [labels.length, ...this.imageShape] };
    }
  }

  protected async prepare(indices: Int32Array, random: () => RandomGenerator): Promise<Prepared> {
    const { pixels, labels } = await this.decodeSamples(indices);
    const images: ImageBatch = { data: pixels, shape: [labels.length, ...this.imageShape] };
    const order = Int32Array.from({ length: labels.length }, (_, i) => i);
    return { pixels: this.context.process(images, order, this.options.augment ? random() : null), labels };
  }

  protected toBatch({ pixels, labels }: Prepared): Batch {
    const xs = fromImageBatch({ data: pixels, shape: [labels.length, ...this.imageShape] }, this.context.dataFormat, 4);
    switch (this.classMode) {
      case null:
        return { xs };
      case 'input':
        return { xs, ys: tf.clone(xs) };
      case 'categorical':
        return { xs, ys: tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), Object.keys(this.classIndices).length), 'float32')) };
      default:
        return { xs, ys: tf.tensor1d(Float32Array.from(labels), 'float32') };
    }
  }

  /** Decodes the given samples in parallel; bad files throw or (with 'skip') are left out of the batch. */
  private async decodeSamples(indices: Int32Array): Promise<Prepared> {
    const size = this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
    const pixels = new Float32Array(indices.length * size);
    const ok = await Promise.all(Array.from(indices, async (sample, i) => {
      try {
        await decodeInto(this.filepaths[sample]!, pixels, i * size, this.decode);
        return true;
      } catch (e) {
        if (this.options.onBadImage === 'error' || !(e instanceof CorruptFileError)) throw e;
        if (!this.reported.has(e.file)) {
          this.reported.add(e.file);
          warn('bad-image', `Skipping ${e.message}`);
        }
        return false;
      }
    }));
    if (ok.every(Boolean)) return { pixels, labels: Int32Array.from(indices, (s) => this.classes[s]!) };
    const kept = indices.filter((_, i) => ok[i]);
    const packed = new Float32Array(kept.length * size);
    let k = 0;
    indices.forEach((_, i) => {
      if (ok[i]) packed.set(pixels.subarray(i * size, (i + 1) * size), size * k++);
    });
    return { pixels: packed, labels: Int32Array.from(kept, (s) => this.classes[s]!) };
  }
}

/** With onBadImage 'skip': decode every file once and leave out those that fail, one warning each. */
async function dropUnreadable(
  directory: string,
  listing: { classNames: string[]; filenames: string[]; classes: Int32Array },
  decode: DecodeOptions,
): Promise<{ classNames: string[]; filenames: string[]; classes: Int32Array }> {
  const size = decode.targetSize[0] * decode.targetSize[1] * CHANNELS[decode.colorMode];
  const good: boolean[] = [];
  const chunk = 64;
  for (let start = 0; start < listing.filenames.length; start += chunk) {
    const names = listing.filenames.slice(start, start + chunk);
    good.push(...await Promise.all(names.map((f) => decodeInto(`${directory}/${f}`, new Float32Array(size), 0, decode).then(() => true, (e: Error) => {
      warn('bad-image', `Skipping ${e.message}`);
      return false;
    }))));
  }
  const filenames = listing.filenames.filter((_, i) => good[i]);
  if (filenames.length === 0) throw new InvalidArgumentError('directory', 'at least one readable image', directory, 'Every image file failed to decode.');
  return { classNames: listing.classNames, filenames, classes: Int32Array.from(listing.classes.filter((_, i) => good[i])) };
}
