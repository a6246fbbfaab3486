// Development only: runs a TypeScript worker module (tests and `tsx` runs load src/*.ts) by
// registering tsx's loader in this worker thread first. Built packages start dist/*.js directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
