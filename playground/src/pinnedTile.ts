/**
 * A pinned tile: its image replayed with `applyTransform` from the
 * parameters flow() drew, each parameter editable, so one can be changed
 * while the others stay as drawn.
 */
import type { TransformParams } from '../../src/browser.js';
import { fieldValue } from './literal.js';

const NUMBERS = ['theta', 'tx', 'ty', 'shear', 'zx', 'zy', 'channelShiftIntensity', 'brightness'] as const;
const FLAGS = ['flipHorizontal', 'flipVertical'] as const;

export class PinnedTile {
  readonly canvas: HTMLCanvasElement;
  private readonly inputs = new Map<keyof TransformParams, HTMLInputElement>();
  private readonly title: HTMLElement;

  /** `onEdit(params)` runs with the edited parameters after each change. */
  constructor(private readonly root: HTMLElement, onEdit: (params: Partial<TransformParams>) => void) {
    root.hidden = true;
    this.title = Object.assign(document.createElement('h3'), { tabIndex: -1 });
    this.canvas = document.createElement('canvas');
    this.canvas.dataset.testid = 'pinned-canvas';
    const form = document.createElement('div');
    form.className = 'params';
    for (const key of [...NUMBERS, ...FLAGS]) {
      const input = document.createElement('input');
      input.id = `pinned-${key}`;
      input.dataset.testid = `pinned-${key}`;
      const flag = (FLAGS as readonly string[]).includes(key);
      input.type = flag ? 'checkbox' : 'text';
      if (!flag) input.inputMode = 'decimal';
      const label = Object.assign(document.createElement('label'), { htmlFor: input.id, textContent: key });
      const row = document.createElement('div');
      row.append(...(flag ? [input, label] : [label, input]));
      form.append(row);
      input.addEventListener(flag ? 'change' : 'input', () => onEdit(this.read()));
      this.inputs.set(key, input);
    }
    const close = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Unpin' });
    close.addEventListener('click', () => this.unpin());
    root.append(this.title, this.canvas, form, close);
  }

  pin(tile: number, params: TransformParams): void {
    this.root.hidden = false;
    this.title.textContent = `Tile ${tile + 1}, replayed with applyTransform`;
    for (const key of NUMBERS) this.inputs.get(key)!.value = params[key] === null ? '' : String(params[key]);
    for (const key of FLAGS) this.inputs.get(key)!.checked = params[key];
    this.title.focus();
  }

  unpin(): void {
    this.root.hidden = true;
  }

  get pinned(): boolean {
    return !this.root.hidden;
  }

  /** The parameters in the fields: empty means the default (null shift or brightness, Keras's identity otherwise). */
  read(): Partial<TransformParams> {
    const params: Record<string, unknown> = {};
    for (const key of NUMBERS) {
      const text = this.inputs.get(key)!.value.trim();
      if (text !== '') params[key] = fieldValue(text);
    }
    for (const key of FLAGS) params[key] = this.inputs.get(key)!.checked;
    return params as Partial<TransformParams>;
  }
}
