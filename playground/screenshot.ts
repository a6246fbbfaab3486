/** Remakes playground/screenshot.jpg (the README's picture) in Debian's Chromium. Run: npx tsx playground/screenshot.ts */
import { join } from 'node:path';
import { PLAYGROUND, withBuiltPlayground } from './openBuilt.js';

await withBuiltPlayground(async (url, browser) => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await page.goto(url);
  await page.waitForSelector('body[data-ready]', { timeout: 60_000 });
  await page.hover('[data-testid="tile-5"]');
  await page.screenshot({ path: join(PLAYGROUND, 'screenshot.jpg'), type: 'jpeg', quality: 85 });
});
