/**
 * One conversion from every accepted array form to a flat, row-major
 * Float32Array plus its shape: tf.Tensor, a TypedArray or number[] with a
 * shape, nested number arrays, or a scijs `ndarray` (any strides, e.g. a
 * `get-pixels` result after `.transpose(1, 0, 2)`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type ndarray from 'ndarray';
import { InvalidArgumentError, ShapeError } from '../errors.js';

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array
  | Uint8Array | Uint8ClampedArray | Uint16Array | Uint32Array;

/** A flat array with an explicit row-major shape. */
export interface ShapedArray {
  data: TypedArray | number[];
  shape: number[];
}

export type NestedArray = number[] | NestedArray[];

/** Any array form accepted where images (or labels) are accepted. */
export type ArrayInput = tf.Tensor | ShapedArray | NestedArray | ndarray.NdArray;

/** A dense float32 array in C order. */
export interface DenseArray {
  data: Float32Array;
  shape: number[];
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function isNdArray(v: object): v is ndarray.NdArray {
  const o = v as Partial<ndarray.NdArray>;
  return Array.isArray(o.shape) && Array.isArray(o.stride) && typeof o.offset === 'number' && o.data != null;
}

function isShapedArray(v: object): v is ShapedArray {
  const o = v as Partial<ShapedArray>;
  return Array.isArray(o.shape) && (ArrayBuffer.isView(o.data) || Array.isArray(o.data));
}

function toFloat32(data: TypedArray | number[] | ArrayLike<number>): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
}

/**
 * The numbers behind an array input: a numeric TypedArray (BigInt arrays
 * cannot be converted), or a plain array holding numbers only (a string
 * would be converted silently).
 */
function checkNumbers(data: ArrayLike<unknown>, argument: string): void {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array || data instanceof DataView) {
    throw new InvalidArgumentError(argument, 'numbers (a Float32Array, another numeric TypedArray or number[])', data);
  }
  if (!Array.isArray(data)) return;
  for (let i = 0; i < data.length; i++) {
    if (typeof data[i] !== 'number') throw new InvalidArgumentError(`${argument}[${i}]`, 'a number', data[i]);
  }
}

function isCContiguous(a: ndarray.NdArray): boolean {
  let expected = 1;
  for (let d = a.shape.length - 1; d >= 0; d--) {
    if (a.shape[d]! > 1 && a.stride[d] !== expected) return false;
    expected *= a.shape[d]!;
  }
  return true;
}

/** A shape is a list of sizes: integers >= 0 (a negative or fractional size wraps or truncates later, in tfjs or here). */
function checkShape(shape: readonly unknown[], argument: string): void {
  if (!shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new InvalidArgumentError(argument, 'a list of sizes (integers >= 0)', shape);
  }
}

function fromNdArray(a: ndarray.NdArray, argument: string): DenseArray {
  checkShape(a.shape, `${argument}.shape`);
  const shape = [...a.shape];
  const n = size(shape);
  const data = a.data as ArrayLike<number>;
  if (!ArrayBuffer.isView(data) && !Array.isArray(data)) {
    throw new InvalidArgumentError(argument, 'an ndarray backed by a TypedArray or number[]', a.data);
  }
  checkNumbers(data, `${argument}.data`);
  checkExtent(a, data.length, argument);
  if (isCContiguous(a)) {
    const flat = ArrayBuffer.isView(data) ? (data as Float32Array).subarray(a.offset, a.offset + n) : Array.prototype.slice.call(data, a.offset, a.offset + n);
    return { data: toFloat32(flat as TypedArray), shape };
  }
  return { data: stridedCopy(data, a.offset, shape, a.stride, n), shape };
}

/** Every element the view reaches (offset plus each stride times its index) lies inside its data. */
function checkExtent(a: ndarray.NdArray, length: number, argument: string): void {
  if (size(a.shape) === 0) return;
  let [low, high] = [a.offset, a.offset];
  a.shape.forEach((n, d) => {
    const reach = (n - 1) * a.stride[d]!;
    if (reach < 0) low += reach;
    else high += reach;
  });
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || low < 0 || high >= length) {
    throw new InvalidArgumentError(argument, `an ndarray whose offset and strides stay inside its data (${length} elements)`, `elements ${low} to ${high}`);
  }
}

/**
 * The elements of a strided view (any strides, negative too) in row-major
 * order: an odometer over the outer indices, a plain loop over the last one.
 */
function stridedCopy(data: ArrayLike<number>, offset: number, shape: readonly number[], stride: readonly number[], n: number): Float32Array {
  const out = new Float32Array(n);
  if (n === 0) return out;
  const rank = shape.length;
  if (rank === 0) {
    out[0] = data[offset]!;
    return out;
  }
  const inner = shape[rank - 1]!;
  const step = stride[rank - 1]!;
  const index = new Array<number>(rank - 1).fill(0);
  let start = offset;
  for (let k = 0; k < n; k += inner) {
    for (let i = 0, at = start; i < inner; i++, at += step) out[k + i] = data[at]!;
    // Advance the outer indices like an odometer, moving `start` by their strides.
    for (let d = rank - 2; d >= 0; d--) {
      start += stride[d]!;
      index[d] = index[d]! + 1;
      if (index[d]! < shape[d]!) break;
      start -= stride[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}

function fromNested(value: NestedArray, argument: string): DenseArray {
  const shape: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) shape.push(level.length);
  const out = new Float32Array(size(shape));
  let k = 0;
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw new InvalidArgumentError(`${argument}${path}`, 'a number', v);
      out[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ShapeError(`${argument}${path}`, `an array of length ${shape[depth]} (the nested array must be rectangular, shape [${shape}])`, Array.isArray(v) ? [v.length] : []);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`);
  };
  walk(value, 0, '');
  return { data: out, shape };
}

/**
 * Converts `input` to a dense float32 array. Float32 inputs in C order are
 * returned without a copy: callers must treat `data` as read-only.
 */
export function toDense(input: ArrayInput, argument: string): DenseArray {
  if (input instanceof tf.Tensor) {
    if (input.isDisposed) throw new InvalidArgumentError(argument, 'a live tf.Tensor', 'a disposed tf.Tensor');
    if (input.dtype === 'string' || input.dtype === 'complex64') {
      throw new InvalidArgumentError(argument, "a numeric tf.Tensor (dtype 'float32', 'int32' or 'bool')", `a tf.Tensor of dtype '${input.dtype}'`);
    }
    return { data: toFloat32(input.dataSync() as TypedArray), shape: [...input.shape] };
  }
  if (Array.isArray(input)) return fromNested(input, argument);
  if (input !== null && typeof input === 'object') {
    if (isNdArray(input)) return fromNdArray(input, argument);
    if (isShapedArray(input)) {
      checkShape(input.shape, `${argument}.shape`);
      checkNumbers(input.data, `${argument}.data`);
      if (input.data.length !== size(input.shape)) {
        throw new ShapeError(`${argument}.data`, `length ${size(input.shape)} to match shape [${input.shape}]`, [input.data.length]);
      }
      return { data: toFloat32(input.data), shape: [...input.shape] };
    }
  }
  throw new InvalidArgumentError(
    argument,
    'a tf.Tensor, {data: TypedArray | number[], shape}, a nested number array, or an ndarray',
    input,
  );
}
