/**
 * The grid on the page: TILES canvases, each focusable, showing the
 * parameters flow() drew for it on hover or focus (exactly, in `data-params`)
 * and pinned with a click, Enter or Space.
 */
import type { TransformParams } from '../../src/browser.js';
import { TILES } from './augmentGrid.js';
import { putRgba } from './display.js';
import { SIZE } from './images.js';

/** The parameters in a line a person reads. */
export function describeParams(p: TransformParams): string {
  const n = (v: number) => String(Number(v.toFixed(3)));
  const parts = [`theta ${n(p.theta)}°`, `tx ${n(p.tx)} px`, `ty ${n(p.ty)} px`, `shear ${n(p.shear)}°`, `zx ${n(p.zx)}`, `zy ${n(p.zy)}`];
  if (p.flipHorizontal) parts.push('flipped horizontally');
  if (p.flipVertical) parts.push('flipped vertically');
  if (p.channelShiftIntensity !== null) parts.push(`channel shift ${n(p.channelShiftIntensity)}`);
  if (p.brightness !== null) parts.push(`brightness ${n(p.brightness)}`);
  return parts.join(', ');
}

export class TileGrid {
  private readonly tiles: { figure: HTMLElement; canvas: HTMLCanvasElement; caption: HTMLElement }[] = [];

  /** `onPin(i)` runs when tile i is clicked or activated from the keyboard. */
  constructor(root: HTMLElement, onPin: (tile: number) => void) {
    root.dataset.testid = 'grid';
    for (let i = 0; i < TILES; i++) {
      const figure = document.createElement('figure');
      figure.className = 'tile';
      figure.tabIndex = 0;
      figure.setAttribute('role', 'button');
      figure.dataset.testid = `tile-${i}`;
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = SIZE;
      const caption = document.createElement('figcaption');
      caption.id = `tile-${i}-params`;
      caption.setAttribute('role', 'tooltip');
      caption.dataset.testid = `params-${i}`;
      figure.setAttribute('aria-describedby', caption.id);
      figure.append(canvas, caption);
      figure.addEventListener('click', () => onPin(i));
      figure.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onPin(i);
        }
      });
      root.append(figure);
      this.tiles.push({ figure, canvas, caption });
    }
  }

  /** Shows tile i's bytes (`rgba(i)`, SIZE x SIZE RGBA) and parameters (`params`: null when nothing is drawn); `sources[i % n]` names its image. */
  show(rgba: (tile: number) => Uint8ClampedArray<ArrayBuffer>, params: readonly TransformParams[] | null, sources: readonly string[]): void {
    this.tiles.forEach(({ figure, canvas, caption }, i) => {
      putRgba(canvas, rgba(i), SIZE, SIZE);
      const p = params?.[i];
      figure.dataset.params = p ? JSON.stringify(p) : '';
      figure.dataset.source = String(i % sources.length);
      caption.textContent = `${sources[i % sources.length]}: ${p ? describeParams(p) : 'no augmentation (the options draw no transform)'}`;
      figure.setAttribute('aria-label', `Tile ${i + 1}, pin to edit its parameters`);
    });
  }
}
