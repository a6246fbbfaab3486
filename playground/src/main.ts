/**
 * The augmentation playground: wires the option form, the image inputs, the
 * flow() grid with its pinned tile, the fit panel and the config export and
 * import. Every update has the generator workers (generatorWorker.ts, off
 * the UI thread, one per part of the grid) make a new generator from the
 * controls; its errors are shown in the library's own words.
 */
import type { ImageDataGeneratorArgs, TransformParams } from '../../src/browser.js';
import { TILES } from './augmentGrid.js';
import { argsFromText, toJson, toPython, toTypeScript } from './configText.js';
import { OptionForm } from './controls.js';
import { type DisplayRange, displayRange, drawImage } from './display.js';
import { FitPanel, download } from './fitPanel.js';
import { SIZE, type SourceImage, decodeImage, fetchImage, imageFiles, stackImages } from './images.js';
import { BY_NAME } from './optionSpecs.js';
import { PinnedTile } from './pinnedTile.js';
import { SAMPLES } from './samples.js';
import { TileGrid } from './tileGrid.js';
import { Timing } from './timing.js';
import { GeneratorWorker, WorkerError } from './workerProtocol.js';

/** The options the page opens with: a moderate augmentation, so the grid shows what the options do at once. */
const STARTING_ARGS: ImageDataGeneratorArgs = { rotationRange: 20, widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: 0.15, horizontalFlip: true, fillMode: 'reflect' };

const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

interface Source {
  image: SourceImage;
  inGrid: boolean;
  toggle: HTMLButtonElement;
}

const sources: Source[] = [];
/**
 * Workers computing the grid side by side (1, 2 or 4: a divisor of TILES, at
 * most one per core, or `?workers=` in the URL); the first also serves the
 * fit panel, replays and saves.
 */
const WORKERS = Number(new URLSearchParams(location.search).get('workers')) || (navigator.hardwareConcurrency || 1);
const workers = Array.from({ length: [4, 2, 1].find((n) => n <= WORKERS)! }, () => new GeneratorWorker());
const worker = workers[0]!;
/** The images the workers hold (the grid's, in order) and what the grid shows now. */
let sent: SourceImage[] = [];
let shown: { range: DisplayRange; params: TransformParams[] | null } | null = null;
let pinnedTile = -1;
let backend = '';

const status = byId('status');
const form = new OptionForm(byId('options'), () => refresh());
const grid = new TileGrid(byId('grid'), pin);
const pinned = new PinnedTile(byId('pinned'), () => void drawPinned().then(settle));
const fitPanel = new FitPanel(byId('fit'), () => void saveGenerator());
const timing = new Timing(byId('timing'), `${TILES} tiles of ${SIZE}x${SIZE}`);
const seedInput = byId<HTMLInputElement>('seed');

/** Shows an error in the library's words: under its control when it names an option, else in the status line. */
function showError(e: unknown): void {
  const error = e instanceof Error ? e : new Error(String(e));
  const argument = error instanceof WorkerError ? error.argument : null;
  if (argument === null || !form.showError(argument, error.message)) {
    status.textContent = `${error.name}: ${error.message}`;
    status.dataset.state = 'error';
  }
}

function clearMessages(): void {
  form.showError(null);
  status.textContent = '';
  delete status.dataset.state;
}

function showExports(args: ImageDataGeneratorArgs): void {
  byId<HTMLTextAreaElement>('export-ts').value = toTypeScript(args);
  byId<HTMLTextAreaElement>('export-json').value = toJson(args);
  byId<HTMLTextAreaElement>('export-python').value = toPython(args);
}

/**
 * Has the workers rebuild the generator from the controls (fitting it when
 * needed) and draw their parts of the grid, then shows it and the fit panel;
 * `since` is when the change happened.
 */
async function update(since: number): Promise<void> {
  clearMessages();
  const args = form.read();
  showExports(args);
  const images = sources.filter((s) => s.inGrid).map((s) => s.image);
  if (images.length === 0) {
    status.textContent = 'Add an image (drop, paste, pick a file) or choose a sample.';
    return;
  }
  const changed = images.length !== sent.length || images.some((image, i) => image !== sent[i]);
  sent = images;
  byId('notes').textContent = '';
  let replies;
  try {
    const request = { args: args as Record<string, unknown>, seed: Number(seedInput.value), parts: workers.length };
    replies = await Promise.all(workers.map((w, part) => w.request('update', { ...request, part, images: changed ? images.map((i) => i.pixels.slice()) : null })));
  } catch (e) {
    showError(e);
    fitPanel.fail(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    byId('grid').dataset.stale = 'true';
    return;
  }
  delete byId('grid').dataset.stale;
  const first = replies[0]!;
  byId('notes').textContent = first.warnings.join(' ');
  const drawStart = performance.now();
  const range = displayRange({ min: Math.min(...replies.map((r) => r.min)), max: Math.max(...replies.map((r) => r.max)) });
  const parts = await Promise.all(workers.map((w) => w.request('render', { offset: range.offset, scale: range.scale })));
  const perPart = TILES / workers.length;
  const tileBytes = SIZE * SIZE * 4;
  const params = first.params && replies.flatMap((r) => r.params!);
  grid.show((t) => parts[Math.floor(t / perPart)]!.rgba.subarray((t % perPart) * tileBytes, (t % perPart + 1) * tileBytes), params, images.map((i) => i.name));
  shown = { range, params };
  byId('legend').textContent = `Tiles: ${range.label}.`;
  const end = performance.now();
  const flow = Math.max(...replies.map((r) => r.flowMs));
  const tensors = replies.reduce((n, r) => n + r.tensors, 0);
  timing.record(end - since, { flow, drawing: end - drawStart }, `${backend} backend, ${workers.length} worker${workers.length > 1 ? 's' : ''}`, tensors);
  fitPanel.show(stackImages(images.map((i) => i.pixels)), first.standardized, images.length, first);
  if (pinned.pinned) await drawPinned();
}

let pendingSince: number | null = null;
let running: Promise<void> | null = null;
let settled = 0;

/** Counts, in `data-settled` on the body, the times the page caught up with the user's changes (for tests). */
function settle(): void {
  document.body.dataset.settled = String(++settled);
}

/** Schedules an update; changes made while one runs are folded into the next. */
function refresh(): void {
  pendingSince ??= performance.now();
  if (running) return;
  running = (async () => {
    while (pendingSince !== null) {
      const since = pendingSince;
      pendingSince = null;
      await update(since).catch(showError);
    }
    running = null;
    settle();
  })();
}

function pin(tile: number): void {
  const params = shown?.params?.[tile];
  if (!params) {
    status.textContent = 'These options draw no transform: there are no parameters to pin.';
    return;
  }
  pinnedTile = tile;
  pinned.pin(tile, params);
  void drawPinned().then(settle);
}

/** Draws the pinned tile's image through applyTransform with the edited parameters (in the worker). */
async function drawPinned(): Promise<void> {
  if (!shown || pinnedTile < 0 || sent.length === 0) return;
  const range = shown.range;
  try {
    clearMessages();
    const { data } = await worker.request('replay', { image: pinnedTile % sent.length, params: pinned.read() as Record<string, unknown> });
    drawImage(pinned.canvas, data, 0, SIZE, SIZE, range);
  } catch (e) {
    showError(e);
  }
}

/** Downloads the generator's manifest and weights, as `generator.save` gives them to a tf.io handler. */
async function saveGenerator(): Promise<void> {
  try {
    const { manifest, weights } = await worker.request('save', {});
    download('generator.json', JSON.stringify(manifest));
    download('generator.weights.bin', weights);
  } catch (e) {
    showError(e);
  }
}

function setInGrid(source: Source, inGrid: boolean): void {
  source.inGrid = inGrid;
  source.toggle.setAttribute('aria-pressed', String(inGrid));
}

/** Lists `image` (with its `credit` on hover, for the samples), in the grid or not. */
function addSource(image: SourceImage, inGrid: boolean, credit = ''): void {
  const item = document.createElement('li');
  item.title = credit;
  const canvas = document.createElement('canvas');
  canvas.dataset.testid = `source-${sources.length}`;
  canvas.setAttribute('aria-hidden', 'true');
  drawImage(canvas, image.pixels, 0, SIZE, SIZE, { offset: 0, scale: 1, label: '' });
  const toggle = Object.assign(document.createElement('button'), { type: 'button', textContent: image.name });
  toggle.dataset.testid = `source-toggle-${sources.length}`;
  const source: Source = { image, inGrid, toggle };
  toggle.addEventListener('click', () => {
    setInGrid(source, !source.inGrid);
    refresh();
  });
  setInGrid(source, inGrid);
  item.append(canvas, toggle);
  byId('sources').append(item);
  sources.push(source);
}

/** Adds the user's images and shows only them in the grid. */
async function addFiles(files: File[]): Promise<void> {
  if (files.length === 0) return;
  try {
    const images = await Promise.all(files.map((f) => decodeImage(f, f.name || 'pasted image')));
    for (const s of sources) setInGrid(s, false);
    for (const image of images) addSource(image, true);
    refresh();
  } catch (e) {
    showError(e);
  }
}

function importConfig(): void {
  const error = byId('import-error');
  error.textContent = '';
  try {
    const { args, keras } = argsFromText(byId<HTMLTextAreaElement>('import').value);
    // Keras's names cannot carry this library's own options: those stay as they are.
    const own = Object.entries(form.read()).filter(([k]) => !BY_NAME.get(k)?.keras);
    form.write(keras ? { ...Object.fromEntries(own), ...args } : args);
    refresh();
  } catch (e) {
    error.textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

function wireInputs(): void {
  const picker = byId<HTMLInputElement>('file-input');
  picker.addEventListener('change', () => void addFiles(imageFiles(picker.files ?? [])).then(() => (picker.value = '')));
  const zone = byId('drop-zone');
  for (const target of [document.documentElement, zone]) {
    target.addEventListener('dragover', (e) => {
      e.preventDefault();
      zone.dataset.over = 'true';
    });
    target.addEventListener('dragleave', () => delete zone.dataset.over);
    target.addEventListener('drop', (e) => {
      e.preventDefault();
      e.stopPropagation();
      delete zone.dataset.over;
      void addFiles(imageFiles(e.dataTransfer?.files ?? []));
    });
  }
  document.addEventListener('paste', (e) => {
    const files = imageFiles(e.clipboardData?.files ?? []);
    if (files.length > 0) {
      e.preventDefault();
      void addFiles(files);
    }
  });
  seedInput.addEventListener('input', () => refresh());
  byId('redraw').addEventListener('click', () => {
    seedInput.value = String(crypto.getRandomValues(new Uint32Array(1))[0]);
    refresh();
  });
  byId('import-load').addEventListener('click', importConfig);
  byId('reset').addEventListener('click', () => {
    form.write({});
    refresh();
  });
  for (const id of ['export-ts', 'export-json', 'export-python']) {
    byId(`copy-${id}`).addEventListener('click', () => void navigator.clipboard.writeText(byId<HTMLTextAreaElement>(id).value).catch(showError));
  }
}

async function start(): Promise<void> {
  const wasmBase = new URL('wasm/', document.baseURI).href;
  ({ backend } = (await Promise.all(workers.map((w) => w.request('init', { wasmBase }))))[0]!);
  byId('backend').textContent = backend;
  wireInputs();
  form.write(STARTING_ARGS);
  const samples = await Promise.all(SAMPLES.map((s) => fetchImage(`samples/${s.file}`, s.name)));
  samples.forEach((image, i) => addSource(image, i === 0, `${SAMPLES[i]!.name}: ${SAMPLES[i]!.credit}`));
  refresh();
  await running;
  document.body.dataset.ready = 'true';
}

start().catch(showError);
