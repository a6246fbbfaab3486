/**
 * The fit panel: featurewise statistics fitted on the page's images, their
 * per-channel histograms before and after `standardize()`, and a download of
 * the fitted generator (`generator.json` + `generator.weights.bin`, the
 * layout `ImageDataGenerator.load(directory)` reads in Node).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataGenerator } from '../../src/browser.js';
import { drawHistograms, summarize } from './histogram.js';
import { SIZE } from './images.js';
import { fromFormat, toFormat } from './layout.js';

/** Whether `generator` has a step that needs `fit`. */
export const needsFit = (generator: ImageDataGenerator): boolean =>
  generator.config.featurewiseCenter || generator.config.featurewiseStdNormalization || generator.config.zcaWhitening;

/** Fits `generator` on `images` (n stacked SIZE x SIZE x 3 NHWC images). */
export async function fitOn(generator: ImageDataGenerator, images: Float32Array, n: number): Promise<void> {
  await generator.fit(toFormat(images, n, SIZE, generator.config.dataFormat));
}

function download(name: string, contents: BlobPart): void {
  const url = URL.createObjectURL(new Blob([contents]));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Saves `generator` through a tf.io save handler that downloads its manifest and weights as two files. */
export async function downloadGenerator(generator: ImageDataGenerator): Promise<void> {
  await generator.save(tf.io.withSaveHandler(async (artifacts) => {
    download('generator.json', JSON.stringify(artifacts.modelTopology));
    download('generator.weights.bin', tf.io.CompositeArrayBuffer.join(artifacts.weightData));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

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

  /**
   * Shows the statistics of `images` (n stacked NHWC images) before and
   * after `generator.standardize`; `fitted` says whether it was fitted on them.
   */
  show(generator: ImageDataGenerator, images: Float32Array, n: number, fitted: boolean): void {
    const format = generator.config.dataFormat;
    const x = toFormat(images, n, SIZE, format);
    const standardized = generator.standardize(x);
    const out = fromFormat(standardized.dataSync() as Float32Array, n, SIZE, format);
    standardized.dispose();
    const raw = summarize(images);
    const done = summarize(out);
    const fmt = (v: number[]) => `[${v.map((x) => x.toFixed(3)).join(', ')}]`;
    drawHistograms(this.before, images, raw, 'before standardize (R, G, B)');
    drawHistograms(this.after, out, done, 'after standardize (R, G, B)');
    Object.assign(this.figure.dataset, { afterMean: JSON.stringify(done.mean), afterStd: JSON.stringify(done.std), beforeMean: JSON.stringify(raw.mean), beforeStd: JSON.stringify(raw.std) });
    this.figure.setAttribute('aria-label', `Per-channel histograms of ${n} images. Before: mean ${fmt(raw.mean)}, std ${fmt(raw.std)}. After standardize: mean ${fmt(done.mean)}, std ${fmt(done.std)}.`);
    const state = fitted
      ? `Fitted on ${n} image${n === 1 ? '' : 's'}: mean ${fmt(Array.from(generator.mean ?? []))}, std ${fmt(Array.from(generator.std ?? []))}.`
      : 'Nothing to fit: turn on featurewiseCenter or featurewiseStdNormalization (Standardization) to fit them on these images.';
    this.status.textContent = `${state} After standardize: mean ${fmt(done.mean)}, std ${fmt(done.std)}.`;
  }

  /** Shows why there are no histograms (a library error's text). */
  fail(message: string): void {
    this.status.textContent = message;
    delete this.figure.dataset.afterMean;
    delete this.figure.dataset.afterStd;
  }
}
