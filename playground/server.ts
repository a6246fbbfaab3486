/**
 * A small static server for the built playground: files from one folder on
 * 127.0.0.1, with the MIME types the page needs (application/wasm, for
 * streaming compilation of the tfjs wasm binaries). It sends no COOP/COEP
 * headers, as a plain static host would not: under cross-origin isolation
 * tfjs 4.22 picks its threaded wasm build, whose inlined worker script breaks
 * once bundled and minified; the page does its work in the library's own
 * kernels, which need no threads.
 */
import { createReadStream, statSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.md': 'text/plain; charset=utf-8',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

const HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

/** The file under `root` that `urlPath` names (index.html for a folder), or null. */
function fileFor(root: string, urlPath: string): string | null {
  let path: string;
  try {
    path = resolve(root, `.${decodeURIComponent(urlPath)}`);
  } catch {
    return null;
  }
  if (path !== root && !path.startsWith(root + sep)) return null;
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat?.isDirectory()) return fileFor(root, join(urlPath, 'index.html'));
  return stat?.isFile() ? path : null;
}

/** Serves `folder` on 127.0.0.1:`port` (0: any free port); resolves once listening. */
export async function serveFolder(folder: string, port: number): Promise<Server> {
  const root = resolve(folder);
  const server = createServer((req, res) => {
    const file = req.method === 'GET' || req.method === 'HEAD' ? fileFor(root, new URL(req.url ?? '/', 'http://localhost').pathname) : null;
    if (file === null) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, { ...HEADERS, 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, { ...HEADERS, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  return server;
}
