/**
 * Worker thread of the array flows' augmentation (see augmentPool.ts): takes
 * images from the shared counter, forever; reads new arrays from its port
 * when the setup number moves on.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { type TeamSetup, type TeamViews, takeImages, viewsOf } from './augmentPool.js';

const { control, port } = workerData as { control: Int32Array; port: MessagePort };
let views: TeamViews | null = null;
let current = 0;

takeImages(control, (setup) => {
  while (current < setup) {
    const message = receiveMessageOnPort(port)?.message as TeamSetup | undefined;
    if (!message) throw new Error('augmentation worker: setup message missing');
    current = message.setup;
    views = viewsOf(message);
  }
  return views!;
}, true);
