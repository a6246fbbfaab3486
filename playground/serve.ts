/** `npm run playground`: serves the built playground (playground/dist) on 127.0.0.1, port from PORT (default 8080). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveFolder } from './server.js';

const DEFAULT_PORT = 8080;
const port = process.env.PORT === undefined || process.env.PORT === '' ? DEFAULT_PORT : Number(process.env.PORT);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer port number 0-65535, got ${JSON.stringify(process.env.PORT)}`);
  process.exit(2);
}
const folder = join(dirname(fileURLToPath(import.meta.url)), 'dist');
const server = await serveFolder(folder, port).catch((e: NodeJS.ErrnoException) => {
  console.error(e.code === 'EADDRINUSE' ? `Port ${port} is in use; set another with PORT=<port> npm run playground` : e.message);
  process.exit(1);
});
const { port: bound } = server.address() as { port: number };
console.log(`Augmentation playground: http://127.0.0.1:${bound}/ (serving ${folder}${process.env.PORT ? '' : `; default port ${DEFAULT_PORT}, set PORT to change it`}; Ctrl+C stops)`);
