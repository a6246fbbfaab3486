/**
 * Node.js: installs what only Node can do (files, image codecs, tfjs-node) into
 * the registry of `platform.ts`. Imported for its side effect by the Node
 * entry `index.ts` (and the CLI); the browser entry leaves it out.
 */
import { MANIFEST_FILE, readGeneratorFiles, writeGeneratorFiles } from './io/generatorFiles.js';
import { encodeImage } from './io/imageEncode.js';
import { workerEntry } from './node/workerEntry.js';
import { installNodeSupport } from './platform.js';

installNodeSupport({
  directoryIterator: () => import('./node/DirectoryIterator.js'),
  dataFrameIterator: () => import('./node/DataFrameIterator.js'),
  manifestFile: MANIFEST_FILE,
  writeGeneratorFiles,
  readGeneratorFiles,
  encodeImage,
  importPackage: (name) => import(/* @vite-ignore */ name),
  workerEntry,
});
