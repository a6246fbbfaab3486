/** The Node entry: the shared API, the file:// model handler, and the Node support (files, image codecs, worker threads, tfjs-node). */
export * from './api.js';
export { fileSystem } from './io/modelFiles.js';
import './nodeSupport.js';
