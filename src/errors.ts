/**
 * Typed errors. Every error names the argument, what was expected and what
 * was received, so a message alone tells the user what to change.
 */

/** Describes a received value briefly for error messages (arrays and typed arrays by shape/length). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'function') return 'a function';
  if (ArrayBuffer.isView(value)) return `${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (Array.isArray(value)) {
    const text = JSON.stringify(value);
    return text !== undefined && text.length <= 80 ? text : `an array of length ${value.length}`;
  }
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** Base class of every error this library throws. */
export class ImageDataGeneratorError extends Error {}

/** An argument has the wrong type or value. Keras raises `ValueError` for these. */
export class InvalidArgumentError extends ImageDataGeneratorError {
  constructor(
    readonly argument: string,
    readonly expected: string,
    readonly received: unknown,
    hint?: string,
  ) {
    super(`\`${argument}\`: expected ${expected}, received ${describe(received)}.${hint ? ' ' + hint : ''}`);
  }
}

/** An array argument has the wrong rank, channel count or length. */
export class ShapeError extends InvalidArgumentError {
  constructor(argument: string, expected: string, receivedShape: readonly number[], hint?: string) {
    super(argument, expected, receivedShape, hint);
  }
}

/** Data passed to `fit` contains NaN or ±Infinity. */
export class NonFiniteDataError extends InvalidArgumentError {
  constructor(
    argument: string,
    readonly sampleIndex: number,
    readonly value: number,
  ) {
    super(argument, 'finite values only', value, `The first non-finite value is in sample ${sampleIndex}.`);
  }
}

/**
 * A featurewise or ZCA step is switched on but its statistic was never fitted
 * or loaded. Keras only warns and skips the step; we refuse, because skipping
 * it is how silently wrong predictions happen.
 */
export class NotFittedError extends ImageDataGeneratorError {
  constructor(
    readonly option: string,
    readonly statistic: string,
  ) {
    super(
      `\`${option}\` is on, but this ImageDataGenerator has no fitted \`${statistic}\`. ` +
        'Call `await generator.fit(trainingImages)` first, or rebuild the fitted generator ' +
        'with `await ImageDataGenerator.load(dir)` (a directory written by `generator.save(dir)`) ' +
        'or `ImageDataGenerator.fromJSON(savedState)`.',
    );
  }
}

/** A ZCA fit would need more memory than the budget (`zcaMaxBytes`). */
export class MemoryBudgetError extends InvalidArgumentError {
  constructor(
    readonly features: number,
    readonly bytesNeeded: number,
    readonly budget: number,
  ) {
    super(
      'zcaMaxBytes',
      `at least ${bytesNeeded} bytes for ZCA on ${features} features`,
      budget,
      'Downscale the images (ZCA memory grows with the fourth power of the side), or raise `zcaMaxBytes` if the machine has the memory.',
    );
  }
}

/** A saved generator file is missing, truncated, corrupted, of another version, or inconsistent. */
export class CorruptFileError extends ImageDataGeneratorError {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/**
 * An image file states a size over the pixel limit (`maxPixels`; default
 * PIL's `Image.MAX_IMAGE_PIXELS`, 89,478,485), so it is refused before its
 * pixels are decoded: a decompression bomb, or a photo larger than intended.
 */
export class ImageTooLargeError extends CorruptFileError {
  constructor(
    file: string,
    readonly width: number,
    readonly height: number,
    readonly maxPixels: number,
  ) {
    super(file, `is ${width} x ${height} = ${width * height} pixels, more than \`maxPixels\` (${maxPixels}); raise \`maxPixels\` if the image is genuine`);
  }
}

/**
 * A worker thread stopped, or failed in a way that is not an error of the
 * input (which arrives as its own typed error). `operation` names the work.
 */
export class WorkerThreadError extends ImageDataGeneratorError {
  constructor(
    readonly operation: string,
    readonly problem: string,
  ) {
    super(`${operation} in a worker thread failed: ${problem}. Set \`workers: 0\` to run it on the calling thread.`);
  }
}

/**
 * Reading or writing a generator's files failed in the file system (not a
 * damaged file: that is `CorruptFileError`). Names the argument, the path,
 * what was being done, and the system's error code.
 */
export class FileSystemError extends ImageDataGeneratorError {
  constructor(
    readonly argument: string,
    readonly path: string,
    readonly operation: string,
    readonly code: string,
    readonly problem: string,
  ) {
    super(`\`${argument}\`: could not ${operation} ${path}: ${problem} (${code}).`);
  }
}

/** Fitting produced NaN or ±Infinity in a statistic; the generator keeps its earlier statistics. */
export class NonFiniteStatisticError extends ImageDataGeneratorError {
  constructor(
    readonly statistic: string,
    hint: string,
  ) {
    super(`The fitted \`${statistic}\` has NaN or infinite values, so nothing of this fit was kept. ${hint}`);
  }
}

/** Partials given to one merge were fitted differently; `argument` names the field (`partials[2].config.rescale`). */
export class PartialMismatchError extends InvalidArgumentError {
  constructor(
    readonly index: number,
    reference: number,
    readonly field: string,
    expected: unknown,
    received: unknown,
  ) {
    super(
      `partials[${index}].${field}`,
      `${describe(expected)}, as in partials[${reference}]`,
      received,
      'Partials merge only when fitted alike.',
    );
  }
}

/** A generator was used after `dispose()`. */
export class DisposedError extends ImageDataGeneratorError {
  constructor(readonly operation: string) {
    super(`${operation}: this ImageDataGenerator was disposed with \`dispose()\`; fit or load a new one.`);
  }
}

/**
 * A call that needs Node.js (it reads or writes files, or starts Node's
 * threads) was made where the library runs without Node, e.g. from the
 * browser build that bundlers pick for a page. Names the call and what to use
 * instead.
 */
export class UnsupportedEnvironmentError extends ImageDataGeneratorError {
  constructor(
    readonly call: string,
    readonly instead: string,
  ) {
    super(`${call} needs Node.js (it works with files), and this is the browser build of tfjs-image-data-generator. ${instead}`);
  }
}

// Each class's `name` spelled out once, on its prototype: a minifier renames the classes themselves.
for (const [name, type] of Object.entries({
  ImageDataGeneratorError, InvalidArgumentError, ShapeError, NonFiniteDataError, NotFittedError, MemoryBudgetError, CorruptFileError,
  ImageTooLargeError, WorkerThreadError, FileSystemError, NonFiniteStatisticError, DisposedError, UnsupportedEnvironmentError, PartialMismatchError,
})) {
  Object.defineProperty(type.prototype, 'name', { value: name, writable: true, configurable: true });
}
