/**
 * The fit panel: the featurewise statistics fitted on the grid's images,
 * per-channel histograms before and after `standardize()`, and a download of
 * the generator (`generator.json` + `generator.weights.bin`, the layout
 * `ImageDataGenerator.load(directory)` reads in Node).
 */
import { drawHistograms, summarize } from './histogram.js';

/** Offers `contents` as a file download named `name`. */
export function download(name: string, contents: BlobPart): void {
  const url = URL.createObjectURL(new Blob([contents]));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** What the generator worker reports about the fit. */
export interface FitResult {
  fitted: boolean;
  mean: number[] | null;
  std: number[] | null;
}

const list = (v: readonly number[]) => `[${v.map((x) => x.toFixed(3)).join(', ')}]`;

export class FitPanel {
  private readonly status: HTMLElement;
  private readonly before: HTMLCanvasElement;
  private readonly after: HTMLCanvasElement;
  private readonly figure: HTMLElement;

  constructor(root: HTMLElement, onDownload: () => void) {
    this.status = Object.assign(document.createElement('p'), { id: 'fit-status' });
    this.status.dataset.testid = 'fit-status';
    this.figure = document.createElement('div');
    this.figure.className = 'histograms';
    this.figure.dataset.testid = 'fit-histograms';
    this.figure.setAttribute('role', 'img');
    [this.before, this.after] = ['before', 'after'].map((which) => {
      const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 140 });
      canvas.dataset.testid = `histogram-${which}`;
      return canvas;
    }) as [HTMLCanvasElement, HTMLCanvasElement];
    this.figure.append(this.before, this.after);
    const button = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Download generator.json + generator.weights.bin' });
    button.dataset.testid = 'download-generator';
    button.addEventListener('click', onDownload);
    root.append(this.status, this.figure, button);
  }

  /** Shows the statistics of `images` (n stacked NHWC images) and of `standardized` (the same after `standardize`). */
  show(images: Float32Array, standardized: Float32Array, n: number, fit: FitResult): void {
    const raw = summarize(images);
    const done = summarize(standardized);
    drawHistograms(this.before, images, raw, 'before standardize (R, G, B)');
    drawHistograms(this.after, standardized, done, 'after standardize (R, G, B)');
    Object.assign(this.figure.dataset, { afterMean: JSON.stringify(done.mean), afterStd: JSON.stringify(done.std) });
    this.figure.setAttribute('aria-label', `Per-channel histograms of ${n} images. Before: mean ${list(raw.mean)}, std ${list(raw.std)}. After standardize: mean ${list(done.mean)}, std ${list(done.std)}.`);
    const state = fit.fitted
      ? `Fitted on ${n} image${n === 1 ? '' : 's'}: mean ${list(fit.mean ?? [])}, std ${list(fit.std ?? [])}.`
      : 'Nothing to fit: turn on featurewiseCenter or featurewiseStdNormalization (Standardization) to fit them on these images.';
    this.status.textContent = `${state} After standardize: mean ${list(done.mean)}, std ${list(done.std)}.`;
  }

  /** Shows why there are no statistics (a library error's text). */
  fail(message: string): void {
    this.status.textContent = message;
    delete this.figure.dataset.afterMean;
    delete this.figure.dataset.afterStd;
  }
}
