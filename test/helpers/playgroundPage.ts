/**
 * Drives the playground page in Chromium for test/playground.test.ts through
 * its `data-testid` hooks, waiting for the page to settle (`data-settled` on
 * the body counts finished updates) after each change.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

export type PlaygroundPage = Awaited<ReturnType<typeof openPlayground>>;

const byTestId = (id: string) => `[data-testid="${id}"]`;

/** Opens the page at `url` in a new context and waits until it has drawn its first grid; console errors are collected in `errors`. */
export async function openPlayground(browser: Browser, url: string, viewport: { width: number; height: number }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page: Page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready]', { timeout: 60_000 }).catch((e: Error) => {
    throw new Error(`the playground did not start: ${errors.join('; ') || e.message}`);
  });

  const settled = () => page.evaluate(() => Number(document.body.dataset.settled ?? 0));
  /** Runs `action` and waits until the page has finished the update it started. */
  async function changed(action: () => Promise<unknown>): Promise<void> {
    const before = await settled();
    await action();
    await page.waitForFunction((n) => Number(document.body.dataset.settled ?? 0) > n, before, { timeout: 30_000 });
  }
  const attribute = async (selector: string, name: string) => (await page.getAttribute(selector, name)) ?? '';
  const pixels = async (selector: string): Promise<Uint8Array> => {
    const base64 = await page.$eval(selector, (c) => {
      const canvas = c as HTMLCanvasElement;
      const bytes = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(text);
    });
    return new Uint8Array(Buffer.from(base64, 'base64'));
  };

  return {
    errors,
    evaluate: <T>(fn: () => T) => page.evaluate(fn),
    close: () => context.close(),
    text: async (selector: string) => (await page.textContent(selector)) ?? '',
    value: (selector: string) => page.inputValue(selector),
    count: (selector: string) => page.locator(selector).count(),
    attribute,
    pixels,
    tilePixels: async () => Promise.all(Array.from({ length: 16 }, (_, i) => pixels(`${byTestId(`tile-${i}`)} canvas`))),
    optionValue: (name: string) => page.inputValue(byTestId(`option-${name}`)),
    /** Sets option `name` (text, checkbox or select) and waits for the update (which shows a refused value's error). */
    async setOption(name: string, value: string | boolean): Promise<void> {
      const selector = byTestId(`option-${name}`);
      const set = async () => {
        const tag = await page.$eval(selector, (e) => (e as HTMLInputElement).type);
        if (typeof value === 'boolean') await page.setChecked(selector, value);
        else if (tag === 'select-one') await page.selectOption(selector, value);
        else await page.fill(selector, value);
      };
      await changed(set);
    },
    click: (id: string) => changed(() => page.click(byTestId(id))),
    fillSeed: (seed: string) => changed(() => page.fill(byTestId('seed'), seed)),
    exported: (format: 'ts' | 'json' | 'python') => page.inputValue(byTestId(`export-${format}`)),
    /** Pastes `text` into the import box and loads it (waiting for the update when it is accepted). */
    async importConfig(text: string, accepted = true): Promise<void> {
      await page.fill(byTestId('import'), text);
      if (accepted) await changed(() => page.click(byTestId('import-load')));
      else await page.click(byTestId('import-load'));
    },
    /** Adds the image file at `path` through the file picker. */
    addFileByPicker: (path: string) => changed(() => page.setInputFiles(byTestId('file-input'), path)),
    /** Adds an image (`bytes`, named `name`) by dropping it on the drop zone or pasting it. */
    addFileByEvent: (how: 'drop' | 'paste', bytes: Uint8Array, name: string) =>
      changed(() => page.evaluate(([kind, base64, fileName]) => {
        const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([data], fileName, { type: 'image/jpeg' }));
        const event = kind === 'drop'
          ? new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true })
          : new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true });
        (kind === 'drop' ? document.getElementById('drop-zone')! : document.body).dispatchEvent(event);
      }, [how, Buffer.from(bytes).toString('base64'), name] as const)),
    /** Hovers tile `i`; returns its parameter caption once visible. */
    async hover(i: number): Promise<string> {
      await page.hover(byTestId(`tile-${i}`));
      await page.waitForSelector(byTestId(`params-${i}`), { state: 'visible' });
      return (await page.textContent(byTestId(`params-${i}`))) ?? '';
    },
    /** Pins tile `i` from the keyboard (focus, Enter) and waits for its replay. */
    async pin(i: number): Promise<void> {
      await changed(async () => {
        await page.focus(byTestId(`tile-${i}`));
        await page.keyboard.press('Enter');
      });
      await page.waitForSelector('#pinned:not([hidden])');
    },
    /** Types into a pinned-tile parameter field and waits for the replay. */
    fillPinned: (name: string, value: string) => changed(() => page.fill(byTestId(`pinned-${name}`), value)),
    /** Per-channel mean and std after standardize, as the fit panel computed them. */
    async histogramStats(): Promise<{ mean: number[]; std: number[] }> {
      const figure = byTestId('fit-histograms');
      return { mean: JSON.parse(await attribute(figure, 'data-after-mean')) as number[], std: JSON.parse(await attribute(figure, 'data-after-std')) as number[] };
    },
    /** Clicks the download button and saves the two files it downloads into `dir`. */
    async download(dir: string): Promise<string[]> {
      mkdirSync(dir, { recursive: true });
      const downloads: Promise<string>[] = [];
      const saved = new Promise<void>((done) => {
        page.on('download', (d) => {
          downloads.push(d.saveAs(join(dir, d.suggestedFilename())).then(() => d.suggestedFilename()));
          if (downloads.length === 2) done();
        });
      });
      await page.click(byTestId('download-generator'));
      await saved;
      return Promise.all(downloads);
    },
    /** The last grid update's time (ms), the times of its phases and the live tensor count after it. */
    async timing(): Promise<{ ms: number; parts: Record<string, number>; tensors: number }> {
      const data = await page.$eval(byTestId('timing'), (e) => ({ ...(e as HTMLElement).dataset }));
      return { ms: Number(data.ms), parts: JSON.parse(data.parts ?? '{}') as Record<string, number>, tensors: Number(data.tensors) };
    },
    /**
     * Presses Tab until `selector` has the focus; returns the outline style of
     * it and of its label, and whether a parameter caption inside it shows.
     */
    async tabTo(selector: string): Promise<{ outline: string; labelOutline: string; captionVisible: boolean }> {
      for (let i = 0; i < 200; i++) {
        await page.keyboard.press('Tab');
        if (await page.$eval(selector, (e) => e === document.activeElement)) {
          return page.$eval(selector, (e) => {
            const label = (e as HTMLInputElement).labels?.[0];
            const caption = e.querySelector('figcaption');
            return {
              outline: getComputedStyle(e).outlineStyle,
              labelOutline: label ? getComputedStyle(label).outlineStyle : 'none',
              captionVisible: caption !== null && getComputedStyle(caption).display !== 'none',
            };
          });
        }
      }
      throw new Error(`Tab never reached ${selector}`);
    },
  };
}
