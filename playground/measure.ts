/**
 * Measures the grid-update time in Debian's Chromium: for each worker count
 * given (default 1 and 2), alternating, ROUNDS pages each changing
 * rotationRange UPDATES times; prints the page's own timings (total, flow(),
 * drawing). Run: npx tsx playground/measure.ts [workers...]
 */
import { withBuiltPlayground } from './openBuilt.js';

const ROUNDS = 3;
const UPDATES = 15;
const counts = process.argv.slice(2).map(Number);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

await withBuiltPlayground(async (url, browser) => {
  for (let round = 0; round < ROUNDS; round++) {
    for (const workers of counts.length ? counts : [1, 2]) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${url}?workers=${workers}`);
      await page.waitForSelector('body[data-ready]', { timeout: 60_000 });
      const total: number[] = [];
      const flow: number[] = [];
      const drawing: number[] = [];
      for (let r = 0; r < UPDATES; r++) {
        const before = await page.evaluate(() => Number(document.body.dataset.settled));
        await page.fill('[data-testid=option-rotationRange]', String(30 + r));
        await page.waitForFunction((n) => Number(document.body.dataset.settled) > n, before);
        const data = await page.$eval('[data-testid=timing]', (e) => ({ ...(e as HTMLElement).dataset }));
        const parts = JSON.parse(data.parts!) as { flow: number; drawing: number };
        total.push(Number(data.ms));
        flow.push(parts.flow);
        drawing.push(parts.drawing);
      }
      console.log(`workers ${workers}: grid update median ${median(total).toFixed(0)} ms (min ${Math.min(...total).toFixed(0)}, max ${Math.max(...total).toFixed(0)}); flow() ${median(flow).toFixed(0)} ms, drawing ${median(drawing).toFixed(0)} ms`);
      await page.close();
    }
  }
});
