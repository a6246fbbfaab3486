/**
 * The public API both entries share: everything but the Node-only pieces
 * (index.ts adds the file:// model handler and the Node support registry;
 * browser.ts adds stand-ins that throw UnsupportedEnvironmentError).
 */
export { ImageDataGenerator, type FitInput, type FitOptions, type FitFromDirectoryOptions, type KerasArray, type KerasStatistics } from './ImageDataGenerator.js';
export type {
  ImageDataGeneratorArgs, ImageDataGeneratorConfig, DataFormat, FillMode, ShiftRange, PreprocessingFunction,
} from './options/args.js';
export type { ImageInput, ImageBatch } from './input/imageBatch.js';
export type { ArrayInput, ShapedArray, NestedArray, TypedArray } from './input/dense.js';
export type { GeneratorState, StoredArray, StoredConfig } from './io/jsonState.js';
export { BatchIterator, type Batch, type BatchInputs, type BatchLabels } from './iterators/BatchIterator.js';
export { ArrayIterator, type FlowOptions, type FlowInput } from './iterators/ArrayIterator.js';
export type { TransformParams } from './transform/params.js';
export {
  useBestBackend, BACKEND_PREFERENCE, BROWSER_BACKEND_PREFERENCE, type BackendName, type BackendChoice, type UseBestBackendArgs,
} from './backend/useBestBackend.js';
export { ensureWasmConv2DBackpropFilter } from './backend/wasmConvGradient.js';
export { setWarningHandler, type GeneratorWarning, type WarningHandler } from './warnings.js';
export {
  ImageDataGeneratorError, InvalidArgumentError, ShapeError, NonFiniteDataError, NotFittedError, MemoryBudgetError, CorruptFileError,
  ImageTooLargeError, WorkerThreadError, FileSystemError, NonFiniteStatisticError, DisposedError, UnsupportedEnvironmentError,
  PartialMismatchError,
} from './errors.js';
export { PartialStatistics, type PartialContents, type PartialFitOptions } from './stats/partial.js';
export type { GramSums } from './stats/gram.js';
export { savePartial, loadPartial } from './io/partialFiles.js';
export { fitImageSeed } from './random/streams.js';
export { fileKey, type Shard } from './iterators/shard.js';
export { ImageStandardization, type ImageStandardizationArgs } from './layers/ImageStandardization.js';
export { Normalization, type NormalizationArgs, type AdaptInput } from './layers/Normalization.js';
export {
  RandomFlip, RandomRotation, RandomTranslation, RandomZoom, RandomContrast, RandomBrightness, type KerasAugmentationArgs,
} from './layers/kerasAugmentation.js';
export type { DirectoryIterator, DirectoryFlowOptions, DirectoryBatch, ClassMode } from './node/DirectoryIterator.js';
export type { ColorMode, Interpolation } from './node/decodeImage.js';
export type { DataFrameIterator, DataFrameFlowOptions, DataFrameBatch, DataFrameClassMode, Row } from './node/DataFrameIterator.js';
export type { FileFlowOptions } from './node/FileBatchIterator.js';
