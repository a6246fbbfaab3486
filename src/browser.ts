/**
 * The browser build: what bundlers (Vite, webpack, esbuild) pick for a
 * page through the `browser` export condition. The same API as the Node entry
 * (`index.ts`), without the Node support: flowFromDirectory,
 * flowFromDataFrame, fitFromDirectory, directory-path save/load, .npy paths
 * and saveToDir throw `UnsupportedEnvironmentError`, and useBestBackend
 * chooses among the backends the page registered. So a page's bundle holds no
 * node:* module, sharp, csv-parse or image codec. test/browser.test.ts checks
 * that this list matches index.ts's.
 */
export { ImageDataGenerator, type FitInput, type FitOptions, type FitFromDirectoryOptions, type KerasArray, type KerasStatistics } from './ImageDataGenerator.js';
export type {
  ImageDataGeneratorArgs, ImageDataGeneratorConfig, DataFormat, FillMode, ShiftRange, PreprocessingFunction,
} from './options/args.js';
export type { ImageInput, ImageBatch } from './input/imageBatch.js';
export type { ArrayInput, ShapedArray, NestedArray, TypedArray } from './input/dense.js';
export type { GeneratorState, StoredArray, StoredConfig } from './io/jsonState.js';
export { BatchIterator, type Batch } from './iterators/BatchIterator.js';
export { ArrayIterator, type FlowOptions, type FlowInput } from './iterators/ArrayIterator.js';
export {
  useBestBackend, BACKEND_PREFERENCE, BROWSER_BACKEND_PREFERENCE, type BackendName, type BackendChoice, type UseBestBackendArgs,
} from './backend/useBestBackend.js';
export { ensureWasmConv2DBackpropFilter } from './backend/wasmConvGradient.js';
export { setWarningHandler, type GeneratorWarning, type WarningHandler } from './warnings.js';
import type * as tf from '@tensorflow/tfjs-core';
import { UnsupportedEnvironmentError } from './errors.js';
import { INSTEAD } from './platform.js';

export {
  ImageDataGeneratorError, InvalidArgumentError, ShapeError, NonFiniteDataError, NotFittedError, MemoryBudgetError, CorruptFileError,
  ImageTooLargeError, WorkerThreadError, FileSystemError, NonFiniteStatisticError, DisposedError, UnsupportedEnvironmentError,
} from './errors.js';
export { ImageStandardization, type ImageStandardizationArgs } from './layers/ImageStandardization.js';
export { Normalization, type NormalizationArgs, type AdaptInput } from './layers/Normalization.js';
export {
  RandomFlip, RandomRotation, RandomTranslation, RandomZoom, RandomContrast, RandomBrightness, type KerasAugmentationArgs,
} from './layers/kerasAugmentation.js';
export type { DirectoryIterator, DirectoryFlowOptions, ClassMode } from './node/DirectoryIterator.js';
export type { ColorMode, Interpolation } from './node/decodeImage.js';
export type { DataFrameIterator, DataFrameFlowOptions, DataFrameClassMode, Row } from './node/DataFrameIterator.js';
export type { FileFlowOptions } from './node/FileBatchIterator.js';

/** Node-only (io/modelFiles.ts: model files on disk); throws `UnsupportedEnvironmentError` in the browser build. */
export function fileSystem(path: string): tf.io.IOHandler {
  throw new UnsupportedEnvironmentError(`fileSystem(${JSON.stringify(path)})`, INSTEAD.save);
}
