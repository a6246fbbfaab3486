/**
 * Remakes playground/screenshot.jpg (the README's picture): builds the page,
 * serves it and photographs it in Debian's Chromium (CHROMIUM_PATH to use
 * another). Run: npx tsx playground/screenshot.ts
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { serveFolder } from './server.js';

const here = dirname(fileURLToPath(import.meta.url));
await build({ configFile: join(here, 'vite.config.ts') });
const server = await serveFolder(join(here, 'dist'), 0);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
  await page.waitForSelector('body[data-ready]', { timeout: 60_000 });
  await page.hover('[data-testid="tile-5"]');
  await page.screenshot({ path: join(here, 'screenshot.jpg'), type: 'jpeg', quality: 85 });
} finally {
  await browser.close();
  server.close();
}
