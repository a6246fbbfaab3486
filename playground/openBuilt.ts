/** For the playground's scripts: builds the page, serves it on 127.0.0.1 and runs `use` with its URL and Debian's Chromium (CHROMIUM_PATH for another). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';
import { serveFolder } from './server.js';

export const PLAYGROUND = dirname(fileURLToPath(import.meta.url));

export async function withBuiltPlayground(use: (url: string, browser: Browser) => Promise<void>): Promise<void> {
  await build({ configFile: join(PLAYGROUND, 'vite.config.ts'), logLevel: 'warn' });
  const server = await serveFolder(join(PLAYGROUND, 'dist'), 0);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    await use(`http://127.0.0.1:${(server.address() as { port: number }).port}/`, browser);
  } finally {
    await browser.close();
    server.close();
  }
}
