/**
 * The affine part of a transform as Keras builds it: R(theta) T(tx, ty)
 * Shear Z(zx, zy) in (x, y) order, centred on the image, then rows and
 * columns swapped, giving the (matrix, offset) that Keras hands to
 * `scipy.ndimage.affine_transform`. Float64, in NumPy's operation order.
 */
import type { TransformParams } from './params.js';

type M3 = [number, number, number, number, number, number, number, number, number];

/** Maps output (row, col) to input (row, col): in = matrix * out + offset. */
export interface Affine {
  /** Row-major 2x2. */
  matrix: [number, number, number, number];
  offset: [number, number];
}

function dot(a: M3, b: M3): M3 {
  const out = new Array(9) as M3;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      out[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
    }
  }
  return out;
}

const RAD = Math.PI / 180;

/** The scipy-style affine for an image of `height` x `width`, or null when there is no affine step. */
export function affineFor(p: TransformParams, height: number, width: number): Affine | null {
  const parts: M3[] = [];
  if (p.theta !== 0) {
    const t = p.theta * RAD;
    parts.push([Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0, 0, 0, 1]);
  }
  if (p.tx !== 0 || p.ty !== 0) parts.push([1, 0, p.tx, 0, 1, p.ty, 0, 0, 1]);
  if (p.shear !== 0) {
    const s = p.shear * RAD;
    parts.push([1, -Math.sin(s), 0, 0, Math.cos(s), 0, 0, 0, 1]);
  }
  if (p.zx !== 1 || p.zy !== 1) parts.push([p.zx, 0, 0, 0, p.zy, 0, 0, 0, 1]);
  if (parts.length === 0) return null;
  const m = parts.reduce((acc, next) => dot(acc, next));
  // Keras centres with x on rows: o_x = h/2 - 0.5, o_y = w/2 - 0.5.
  const ox = height / 2 - 0.5;
  const oy = width / 2 - 0.5;
  const c = dot(dot([1, 0, ox, 0, 1, oy, 0, 0, 1], m), [1, 0, -ox, 0, 1, -oy, 0, 0, 1]);
  // Swap rows and columns (P M P) so the matrix acts on (row, col) indices.
  return { matrix: [c[4], c[3], c[1], c[0]], offset: [c[5], c[2]] };
}
