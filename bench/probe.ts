/**
 * npm run probe [-- --only SUBSTRING] [--timeout S] [--json FILE]: an
 * adversarial probe of the public API, as a hostile and careless user would
 * call it. Not part of the test suite.
 *
 * Each case is a short snippet (shown as its reproduction) run in a child
 * process that runs cases one after another; the parent watches it. A case
 * that takes longer than its timeout is a hang (the child is killed and a new
 * one resumes with the next case); a child that dies during a case is a
 * crash. Within the child each case gets a fresh temp directory, and the
 * tensors it returns or creates as input are disposed before
 * tf.memory().numTensors is compared with its value at the start.
 *
 * Outcome classes:
 *   typed      an ImageDataGeneratorError subclass whose message names what the case expects (argument / file)
 *   success    Keras-like success (returned tensors finite, of the right shape, equal to a float64 recomputation where the case does one)
 *   refused    a typed error for input Keras accepts (listed, not counted as a failure)
 *   crash      the process died (signal, abort, or an exit in the middle of the case)
 *   hang       the case did not finish within its timeout
 *   leak       tf.memory().numTensors grew
 *   silent     a wrong result without an error: non-finite numbers, wrong shape, a value off the float64 recomputation, or invalid input accepted
 *   untyped    any other Error, or a typed one whose message does not name what it should
 *
 * Helpers visible to the snippets: IDG (ImageDataGenerator), tf, E (the
 * error classes), ndarray, fs, path, X(n,h,w,c) random {data, shape} in 0..255,
 * T(...shape) a random float32 tensor, use(g) (fit if needed, then one flow
 * batch), png/jpg/bmp/ppm(w,h) image bytes, tree({relPath: bytes}) a class
 * folder tree under the case's temp dir, saved() the path of a saved fitted
 * generator, cli(...args) and script(src) child processes, f64Stats and
 * close() for float64 comparisons, silent(msg) to report a wrong result.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const MARK = '\u0001PROBE ';

type Expect = 'error' | 'success' | 'either';
interface CaseSpec {
  id: string;
  /** The snippet: the body of an async function; its return value is checked. */
  code: string;
  expect?: Expect;
  /** Substrings (case-insensitive) a typed error's message must contain. */
  names?: string[];
  /** Non-finite output is Keras-like here (NaN in, NaN out). */
  allowNonFinite?: boolean;
  timeoutS?: number;
  /** Why the expectation is what it is, when not obvious. */
  note?: string;
}

type Outcome = 'typed' | 'success' | 'refused' | 'crash' | 'hang' | 'leak' | 'silent' | 'untyped';
interface Result { index: number; id: string; outcome: Outcome; detail: string; ms: number }

// ---------------------------------------------------------------- cases

const cases: CaseSpec[] = [];
const add = (id: string, code: string, opts: Omit<CaseSpec, 'id' | 'code'> = {}) => cases.push({ id, code, ...opts });

// Constructor options: each bad value; when accepted, the generator is used (fit if needed, one flow batch).
const ctorBad: Record<string, [unknown, Expect][]> = {
  featurewiseCenter: [['yes', 'error'], [1, 'either'], [null, 'either'], [{}, 'error']],
  samplewiseCenter: [['true', 'error'], [NaN, 'error']],
  featurewiseStdNormalization: [['false', 'error'], [[], 'error']],
  samplewiseStdNormalization: [[2, 'either'], ['1', 'error']],
  zcaWhitening: [['on', 'error'], [0, 'either']],
  horizontalFlip: [['no', 'error'], [-1, 'either']],
  verticalFlip: [[{}, 'error']],
  zcaEpsilon: [[NaN, 'error'], [Infinity, 'error'], [-1, 'either'], ['1e-6', 'error'], [0, 'either']],
  zcaMaxBytes: [[NaN, 'error'], [-1, 'error'], [0, 'either'], [1.5, 'either'], ['big', 'error']],
  rotationRange: [[NaN, 'error'], [Infinity, 'error'], [-30, 'either'], ['30', 'error'], [1e300, 'either'], [null, 'either']],
  shearRange: [[NaN, 'error'], [1e308, 'either'], [-45, 'either'], [720, 'either']],
  channelShiftRange: [[NaN, 'error'], [-10, 'either'], [1e39, 'either'], [Infinity, 'error']],
  widthShiftRange: [[NaN, 'error'], [[], 'error'], [[NaN], 'error'], ['0.1', 'error'], [-0.5, 'either'], [1e308, 'either'], [[1, '2'], 'error'], [[-3, 3], 'success']],
  heightShiftRange: [[Infinity, 'error'], [{}, 'error'], [0.9999, 'success'], [1, 'success'], [5000, 'success']],
  brightnessRange: [[[1], 'error'], [[2, 1], 'either'], [[NaN, 1], 'error'], [[0, 0], 'success'], [[-1, 0], 'either'], ['x', 'error'], [[1e39, 1e39], 'error'], [[1, 2, 3], 'error']],
  zoomRange: [[-1, 'either'], [[0, 0], 'either'], [[1, 2, 3], 'error'], [NaN, 'error'], ['0.2', 'error'], [[0, 1], 'either'], [[-1, -0.5], 'either'], [1, 'either'], [[1e-300, 1e-300], 'either']],
  fillMode: [['mirror', 'error'], ['', 'error'], [null, 'either'], [5, 'error'], ['REFLECT', 'either']],
  cval: [[NaN, 'error'], [Infinity, 'error'], ['0', 'error'], [1e39, 'error'], [-1e30, 'success']],
  rescale: [[NaN, 'error'], [Infinity, 'error'], ['1/255', 'error'], [-1, 'success'], [0, 'success'], [1e39, 'error'], [1e-45, 'success']],
  dataFormat: [['channels_last', 'either'], ['NHWC', 'error'], [null, 'either'], ['channelsFirst', 'success']],
  validationSplit: [[1, 'error'], [-0.1, 'error'], [NaN, 'error'], ['0.2', 'error'], [0.9999999, 'either']],
  interpolationOrder: [[2, 'either'], [3, 'either'], [-1, 'error'], [0.5, 'error'], ['1', 'error']],
  dtype: [['float64', 'either'], ['int32', 'either'], [5, 'error']],
  rng: [['mt', 'error'], [5, 'error'], ['numpy', 'success']],
  preprocessingFunction: [['fn', 'error'], [5, 'error']],
};
const lit = (v: unknown): string => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v === undefined ? 'undefined' : JSON.stringify(v));
for (const [key, values] of Object.entries(ctorBad)) {
  for (const [value, expect] of values) {
    add(`ctor ${key}=${lit(value)}`, `return use(new IDG({${key}: ${lit(value)}}))`, { expect, names: [key] });
  }
}
add('ctor args=null', 'return use(new IDG(null))', { expect: 'either', names: ['args'] });
add('ctor args=5', 'return use(new IDG(5))', { expect: 'error', names: ['5'] });
add('ctor args="rescale"', 'return use(new IDG("rescale"))', { expect: 'error' });
add('ctor args=[]', 'return use(new IDG([]))', { expect: 'error' });
add('ctor snake_case key', 'return use(new IDG({featurewise_center: true}))', { expect: 'error', names: ['featurewiseCenter'] });
add('ctor unknown key', 'return use(new IDG({rotaton_range: 10}))', { expect: 'error', names: ['rotaton_range'] });
add('ctor __proto__ key', 'return use(new IDG(JSON.parse(\'{"__proto__": {"rescale": 2}}\')))', { expect: 'either' });
add('ctor getter that throws', 'return use(new IDG({get rescale() { throw new Error("boom") }}))', { expect: 'error', names: ['boom'], note: 'the user error may pass through' });
add('ctor preprocessingFunction returns wrong shape', 'return use(new IDG({preprocessingFunction: (x) => tf.slice(x, [0,0,0], [2,2,3])}))', { expect: 'error', names: ['preprocessingFunction'] });
add('ctor preprocessingFunction returns non-tensor', 'return use(new IDG({preprocessingFunction: (x) => [1,2,3]}))', { expect: 'error', names: ['preprocessingFunction'] });
add('ctor preprocessingFunction returns NaN', 'return use(new IDG({preprocessingFunction: (x) => tf.mul(x, NaN)}))', { expect: 'either', allowNonFinite: true });
add('ctor preprocessingFunction throws', 'return use(new IDG({preprocessingFunction: (x) => { throw new RangeError("user bug") }}))', { expect: 'error', names: ['user bug'] });
add('ctor preprocessingFunction leaks tensors', 'return use(new IDG({preprocessingFunction: (x) => { (globalThis.__kept ??= []).push(tf.keep(tf.add(x, 1))); return tf.add(x, 1) }}))', { expect: 'either', note: 'tensors kept by tf.keep inside the function are the user\'s; the probe disposes __kept' });
add('ctor preprocessingFunction returns int32', 'return use(new IDG({preprocessingFunction: (x) => tf.cast(x, "int32")}))', { expect: 'either' });
add('ctor preprocessingFunction async', 'return use(new IDG({preprocessingFunction: async (x) => x}))', { expect: 'error', names: ['preprocessingFunction'] });
add('fromKerasConfig unknown key', 'return use(IDG.fromKerasConfig({featurewise_centre: true}))', { expect: 'error', names: ['featurewise_centre'] });
add('fromKerasConfig data_format bogus', 'return use(IDG.fromKerasConfig({data_format: "channels_middle"}))', { expect: 'error', names: ['channels_middle'] });
add('fromKerasConfig null', 'return use(IDG.fromKerasConfig(null))', { expect: 'either' });
add('fromKerasConfig zoom_range string', 'return use(IDG.fromKerasConfig({zoom_range: "0.2"}))', { expect: 'error', names: ['zoom'] });
add('fromKerasConfig interpolation_order 3', 'return use(IDG.fromKerasConfig({interpolation_order: 3, rotation_range: 10}))', { expect: 'either' });
add('fromKerasConfig dtype float16', 'return use(IDG.fromKerasConfig({dtype: "float16"}))', { expect: 'either' });
add('fromKeras stats=null', 'return IDG.fromKeras(null)', { expect: 'error', names: ['stats'] });
add('fromKeras mean garbage npy', 'return IDG.fromKeras({config: {featurewise_center: true}, mean: new Uint8Array([1,2,3,4])})', { expect: 'error', names: ['mean'] });
add('fromKeras mean missing file', 'return IDG.fromKeras({config: {featurewise_center: true}, mean: "/nonexistent/mean.npy"})', { expect: 'error', names: ['mean', 'nonexistent'] });
add('fromKeras mean NaN', 'return use(await IDG.fromKeras({config: {featurewise_center: true}, mean: [NaN, 0, 0]}))', { expect: 'error', names: ['mean'] });
add('fromKeras zca without imageShape', 'return IDG.fromKeras({config: {zca_whitening: true}, mean: [0,0,0], zcaWhiteningMatrix: {data: new Float32Array(48*48), shape: [48,48]}})', { expect: 'error', names: ['imageShape'] });
add('fromKeras zca wrong imageShape', 'return IDG.fromKeras({config: {zca_whitening: true}, mean: [0,0,0], zcaWhiteningMatrix: {data: new Float32Array(48*48), shape: [48,48]}, imageShape: [5,5,3]})', { expect: 'error', names: ['imageShape'] });
add('fromKeras zca non-square', 'return IDG.fromKeras({config: {zca_whitening: true}, mean: [0,0,0], zcaWhiteningMatrix: {data: new Float32Array(48*47), shape: [48,47]}, imageShape: [4,4,3]})', { expect: 'error', names: ['zca'] });
add('fromKeras mean shape (2,2)', 'return IDG.fromKeras({config: {featurewise_center: true}, mean: [[1,2],[3,4]]})', { expect: 'error', names: ['mean'] });

// fit options and inputs.
const FIT = 'const g = track(new IDG({featurewiseCenter: true, featurewiseStdNormalization: true}));';
for (const [opt, expect, name] of [['{rounds: 0}', 'error', 'rounds'], ['{rounds: -1}', 'error', 'rounds'], ['{rounds: 1.5}', 'error', 'rounds'], ['{rounds: NaN}', 'error', 'rounds'], ['{rounds: "2", augment: true}', 'error', 'rounds'], ['{augment: "yes"}', 'error', 'augment'], ['{seed: -1, augment: true}', 'either', 'seed'], ['{seed: 1.5, augment: true}', 'error', 'seed'], ['{seed: 2**53, augment: true}', 'either', 'seed'], ['{seed: NaN, augment: true}', 'error', 'seed'], ['{batch_size: 3}', 'error', 'batch_size'], ['null', 'error', 'options'], ['"augment"', 'error', 'options']] as const) {
  add(`fit options ${opt}`, `${FIT} await g.fit(X(4,4,4,3), ${opt}); return g.mean`, { expect, names: [name] });
}

// Input forms: tensors of other dtypes, disposed tensors, ndarrays, typed arrays, nested arrays, values, ranks, zero sizes.
for (const dtype of ['float32', 'int32', 'bool']) {
  add(`fit tensor dtype ${dtype}`, `${FIT} const t = T(4,4,4,3).cast("${dtype}"); own(t); const x = {data: Float64Array.from(t.dataSync()), shape: [4,4,4,3]}; await g.fit(t); return checkStats(g, x)`, { expect: 'success' });
}
add('fit tensor dtype string', `${FIT} const t = own(tf.tensor(["a","b","c","d"], [1,2,2,1])); await g.fit(t); return g.mean`, { expect: 'error', names: ['x', 'string'] });
add('standardize tensor dtype string', 'const g = track(new IDG({rescale: 2})); return g.standardize(own(tf.tensor(["a","b","c","d"], [1,2,2,1])))', { expect: 'error', names: ['x'] });
add('fit disposed tensor', `${FIT} const t = T(2,4,4,3); t.dispose(); await g.fit(t); return g.mean`, { expect: 'error', names: ['disposed'] });
add('standardize disposed tensor', 'const g = track(new IDG({rescale: 2})); const t = T(4,4,3); t.dispose(); return g.standardize(t)', { expect: 'error', names: ['disposed'] });
add('flow disposed tensor', 'const g = track(new IDG()); const t = T(4,4,4,3); t.dispose(); return g.flow(t).next().value', { expect: 'error', names: ['disposed'] });
add('flow labels disposed tensor', 'const g = track(new IDG()); const y = T(4); y.dispose(); return g.flow(X(4,4,4,3), y).next().value', { expect: 'error', names: ['disposed'] });
add('flow tensor disposed after flow()', 'const g = track(new IDG()); const t = T(4,4,4,3); const f = g.flow(t, null, {batchSize: 2}); t.dispose(); return f.next().value', { expect: 'either', names: ['disposed'] });
add('ndarray negative strides (flipped rows and columns)', `${FIT} const base = X(3,4,5,3); const a = ndarray(base.data, base.shape).step(1,-1,-1,1); await g.fit(a); const flat = []; for (let i=0;i<3;i++) for (let y=0;y<4;y++) for (let x=0;x<5;x++) for (let c=0;c<3;c++) flat.push(a.get(i,y,x,c)); return checkStats(g, {data: flat, shape: [3,4,5,3]})`, { expect: 'success' });
add('ndarray transposed standardize vs float64', 'const g = track(new IDG({samplewiseCenter: true, samplewiseStdNormalization: true})); const base = X(1,5,4,3); const a = ndarray(base.data, [5,4,3]).transpose(1,0,2); const out = g.standardize(a); const flat=[]; for (let y=0;y<4;y++) for (let x=0;x<5;x++) for (let c=0;c<3;c++) flat.push(a.get(y,x,c)); return checkSamplewise(out, flat)', { expect: 'success' });
add('ndarray with offset and stride 0', `${FIT} const a = ndarray(new Float32Array(100).map((_, i) => i), [2,4,4,3], [0,0,0,1], 5); await g.fit(a); const flat=[]; for (let i=0;i<2;i++) for (let y=0;y<4;y++) for (let x=0;x<4;x++) for (let c=0;c<3;c++) flat.push(a.get(i,y,x,c)); return checkStats(g, {data: flat, shape: [2,4,4,3]})`, { expect: 'success' });
add('ndarray backed by a plain object', `${FIT} await g.fit({data: {length: 96}, shape: [2,4,4,3], stride: [48,12,3,1], offset: 0}); return g.mean`, { expect: 'error', names: ['x'] });
add('ndarray offset past end', `${FIT} await g.fit(ndarray(new Float32Array(96), [2,4,4,3], [48,12,3,1], 90)); return g.mean`, { expect: 'error', names: ['x'] });
for (const kind of ['Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array', 'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array']) {
  add(`fit ${kind} extremes vs float64`, `${FIT} const data = ${kind}.from({length: 96}, (_, i) => [0, 1, -1, 127, -128, 255, 32767, -32768, 65535, 2147483647, -2147483648, 4294967295, 1e30, 3.4e38][i % 14]); const x = {data, shape: [2,4,4,3]}; await g.fit(x); return checkStats(g, {data: Array.from(data, Math.fround), shape: x.shape})`, { expect: 'either' });
}
add('fit BigInt64Array', `${FIT} await g.fit({data: new BigInt64Array(96), shape: [2,4,4,3]}); return g.mean`, { expect: 'error', names: ['x'] });
add('fit Float64Array beyond float32', `${FIT} await g.fit({data: new Float64Array(96).fill(1e39), shape: [2,4,4,3]}); return g.mean`, { expect: 'error', names: ['x'] });
add('fit huge float32 values (3e38)', `${FIT} const data = new Float32Array(96).map((_, i) => (i % 2 ? 3e38 : -3e38)); await g.fit({data, shape: [2,4,4,3]}); return checkStats(g, {data: Array.from(data), shape: [2,4,4,3]})`, { expect: 'either' });
add('standardize huge values samplewise', 'const g = track(new IDG({samplewiseCenter: true, samplewiseStdNormalization: true})); const data = new Float32Array(48).map((_, i) => (i % 2 ? 3e38 : -3e38)); return checkSamplewise(g.standardize({data, shape: [4,4,3]}), Array.from(data))', { expect: 'either' });
add('fit NaN', `${FIT} const x = X(2,4,4,3); x.data[50] = NaN; await g.fit(x); return g.mean`, { expect: 'error', names: ['x', 'NaN'] });
add('fit Infinity', `${FIT} const x = X(2,4,4,3); x.data[5] = -Infinity; await g.fit(x); return g.mean`, { expect: 'error', names: ['x'] });
add('fit ZCA NaN', 'const g = track(new IDG({zcaWhitening: true})); const x = X(8,2,2,3); x.data[0] = NaN; await g.fit(x); return g.mean', { expect: 'error', names: ['x'] });
add('standardize NaN passes through', 'const g = track(new IDG({rescale: 0.5})); const x = X(1,4,4,3); x.data[0] = NaN; return g.standardize(x)', { expect: 'success', allowNonFinite: true });
add('standardize samplewise constant image', 'const g = track(new IDG({samplewiseCenter: true, samplewiseStdNormalization: true})); return checkSamplewise(g.standardize({data: new Float32Array(48).fill(7), shape: [4,4,3]}), new Array(48).fill(7))', { expect: 'success' });
add('fit constant data std', `${FIT} await g.fit({data: new Float32Array(96).fill(3), shape: [2,4,4,3]}); return use(g)`, { expect: 'success' });
for (let rank = 0; rank <= 6; rank++) {
  const shape = [2, 3, 4, 3, 2, 2].slice(0, rank);
  add(`fit rank ${rank}`, `${FIT} await g.fit(T(${shape.join(',')})); return g.mean`, { expect: rank === 4 ? 'success' : 'error', names: ['x'] });
  add(`standardize rank ${rank}`, `const g = track(new IDG({samplewiseCenter: true})); return g.standardize(T(${shape.join(',')}))`, { expect: rank === 3 || rank === 4 ? 'success' : 'error', names: ['x'] });
  add(`flow rank ${rank}`, `const g = track(new IDG()); return g.flow(T(${shape.join(',')})).next().value`, { expect: rank === 4 ? 'success' : 'error', names: ['x'] });
}
for (const shape of [[0, 4, 4, 3], [2, 0, 4, 3], [2, 4, 0, 3], [2, 4, 4, 0]]) {
  add(`fit zero-size [${shape}]`, `${FIT} await g.fit({data: new Float32Array(0), shape: [${shape}]}); return use(g)`, { expect: 'error', names: ['x'] });
  add(`standardize zero-size [${shape}]`, `const g = track(new IDG({samplewiseCenter: true, samplewiseStdNormalization: true})); return g.standardize({data: new Float32Array(0), shape: [${shape}]})`, { expect: 'either', names: ['x'] });
  add(`flow zero-size [${shape}]`, `const g = track(new IDG()); return g.flow({data: new Float32Array(0), shape: [${shape}]}).next().value`, { expect: shape[0] === 0 ? 'error' : 'either', names: ['x'] });
}
add('ZCA fit zero-size height', 'const g = track(new IDG({zcaWhitening: true})); await g.fit({data: new Float32Array(0), shape: [4,0,4,3]}); return use(g)', { expect: 'error', names: ['x'] });
add('shape/data length mismatch', `${FIT} await g.fit({data: new Float32Array(10), shape: [2,4,4,3]}); return g.mean`, { expect: 'error', names: ['x'] });
add('shape negative', `${FIT} await g.fit({data: new Float32Array(96), shape: [-2,4,4,-3]}); return g.mean`, { expect: 'error', names: ['shape'] });
add('shape fractional', `${FIT} await g.fit({data: new Float32Array(96), shape: [2,4,4,3.0000001]}); return g.mean`, { expect: 'error', names: ['shape'] });
add('shape with NaN', 'const g = track(new IDG()); return g.standardize({data: new Float32Array(48), shape: [4,NaN,3]})', { expect: 'error', names: ['shape'] });
add('shape overflowing product', 'const g = track(new IDG()); return g.standardize({data: new Float32Array(48), shape: [2**30, 2**30, 2**30, 3]})', { expect: 'error', names: ['x'] });
add('data a plain number array', `${FIT} const x = X(2,4,4,3); await g.fit({data: Array.from(x.data), shape: x.shape}); return checkStats(g, {data: Array.from(x.data), shape: x.shape})`, { expect: 'success' });
add('data array with a string', `${FIT} const d = Array.from(X(2,4,4,3).data); d[7] = "12"; await g.fit({data: d, shape: [2,4,4,3]}); return g.mean`, { expect: 'error', names: ['x'] });
add('data array with holes', `${FIT} const d = new Array(96); d[3] = 1; await g.fit({data: d, shape: [2,4,4,3]}); return g.mean`, { expect: 'error', names: ['x'] });
add('nested array with holes', 'const g = track(new IDG({rescale: 2})); return g.standardize([[[1,2,3],[4,,6]],[[1,2,3],[4,5,6]]])', { expect: 'error', names: ['x'] });
add('nested array ragged', 'const g = track(new IDG({rescale: 2})); return g.standardize([[[1,2,3],[4,5,6]],[[1,2,3]]])', { expect: 'error', names: ['x'] });
add('nested array with null', 'const g = track(new IDG({rescale: 2})); return g.standardize([[[1,2,3],null]])', { expect: 'error', names: ['x'] });
add('nested array of strings', 'const g = track(new IDG({rescale: 2})); return g.standardize([[["1","2","3"]]])', { expect: 'error', names: ['x'] });
add('nested array with BigInt', 'const g = track(new IDG({rescale: 2})); return g.standardize([[[1n,2n,3n]]])', { expect: 'error', names: ['x'] });
add('nested array deep (rank 200)', 'const g = track(new IDG()); let a = [1]; for (let i = 0; i < 200; i++) a = [a]; return g.standardize(a)', { expect: 'error', names: ['x'] });
add('nested array vs float64 rescale', 'const g = track(new IDG({rescale: 1/3})); const x = [[[1,2,3],[4,5,6]],[[7,8,9],[10,11,255]]]; const out = g.standardize(x); const want = x.flat(3).map((v) => v / 3); return closeTensor(out, want, [2,2,3])', { expect: 'success' });
add('self-referencing nested array', 'const g = track(new IDG()); const a = [1,2,3]; const b = [a, a]; b.push(b); return g.standardize([b])', { expect: 'error', names: ['x'] });
for (const v of ['null', 'undefined', '"img.png"', '42', '{}', 'new Map()', 'Symbol("x")', '() => 1']) {
  add(`standardize(${v})`, `const g = track(new IDG({rescale: 2})); return g.standardize(${v})`, { expect: 'error', names: ['x'] });
}
add('fit(undefined)', `${FIT} await g.fit(undefined); return g.mean`, { expect: 'error', names: ['x'] });
add('fit empty array', `${FIT} await g.fit([]); return g.mean`, { expect: 'error', names: ['x'] });
add('fit empty iterable', `${FIT} await g.fit((function*(){})()); return g.mean`, { expect: 'error', names: ['x'] });
add('fit iterable of mismatched batches', `${FIT} await g.fit([X(2,4,4,3), X(2,5,4,3)]); return g.mean`, { expect: 'error', names: ['batch 1'] });
add('fit async iterable throws mid-way', `${FIT} await g.fit((async function*(){ yield X(2,4,4,3); throw new Error("source broke"); })()); return g.mean`, { expect: 'error', names: ['source broke'] });
add('fit iterable yields a string', `${FIT} await g.fit(["abc"]); return g.mean`, { expect: 'error', names: ['x'] });
add('fit iterable after mismatch keeps old stats', `${FIT} await g.fit(X(2,4,4,3)); const before = g.mean; try { await g.fit([X(2,4,4,3), X(1,4,4,1)]) } catch {} const after = g.mean; if (!before.every((v, i) => v === after[i])) silent("stats changed after a failed fit"); return after`, { expect: 'success' });
add('channelsFirst 3-channel data in NHWC order', 'const g = track(new IDG({dataFormat: "channelsFirst", featurewiseCenter: true})); await g.fit(X(2,4,4,3)); return g.mean', { expect: 'either', note: 'warns: 4 channels' });
add('channelsFirst vs float64', 'const g = track(new IDG({dataFormat: "channelsFirst", featurewiseCenter: true, featurewiseStdNormalization: true})); const x = X(2,3,4,5); await g.fit(x); const nhwc = []; for (let n=0;n<2;n++) for (let y=0;y<4;y++) for (let z=0;z<5;z++) for (let c=0;c<3;c++) nhwc.push(x.data[((n*3+c)*4+y)*5+z]); return checkStats(g, {data: nhwc, shape: [2,4,5,3]})', { expect: 'success' });
add('channelsFirst standardize other channel count than fit', 'const g = track(new IDG({dataFormat: "channelsFirst", featurewiseCenter: true})); await g.fit(X(2,3,4,4)); return g.standardize(T(1,4,4,4))', { expect: 'error', names: ['x', 'channels'] });
add('standardize channels differ from fit', `${FIT} await g.fit(X(2,4,4,3)); return g.standardize(T(4,4,1))`, { expect: 'error', names: ['x', 'channels'] });
add('ZCA standardize same size other shape', 'const g = track(new IDG({zcaWhitening: true})); await g.fit(X(8,2,6,1)); return g.standardize(T(1,6,2,1))', { expect: 'error', names: ['x'] });
add('ZCA vs float64 recomputation', 'const g = track(new IDG({zcaWhitening: true, zcaEpsilon: 0.1})); const x = X(20,2,2,1); await g.fit(x); return checkZca(g, x, 0.1)', { expect: 'success' });
add('ZCA too big for budget', 'const g = track(new IDG({zcaWhitening: true, zcaMaxBytes: 1000})); await g.fit(X(2,8,8,3)); return g.mean', { expect: 'error', names: ['zcaMaxBytes'] });
add('ZCA 1 sample', 'const g = track(new IDG({zcaWhitening: true})); await g.fit(X(1,2,2,3)); return use(g)', { expect: 'either' });
add('standardize before fit', 'const g = track(new IDG({featurewiseCenter: true})); return g.standardize(T(4,4,3))', { expect: 'error', names: ['featurewiseCenter'] });

// Transform API.
add('getRandomTransform bad shape', 'return track(new IDG({rotationRange: 10})).getRandomTransform([4,4])', { expect: 'error', names: ['imgShape'] });
add('getRandomTransform seed NaN', 'return track(new IDG({rotationRange: 10})).getRandomTransform([4,4,3], NaN)', { expect: 'error', names: ['seed'] });
add('applyTransform theta NaN', 'return track(new IDG()).applyTransform(T(4,4,3), {theta: NaN})', { expect: 'error', names: ['theta'] });
add('applyTransform zx 0', 'return track(new IDG()).applyTransform(T(4,4,3), {zx: 0})', { expect: 'either', names: ['zx'] });
add('applyTransform unknown param', 'return track(new IDG()).applyTransform(T(4,4,3), {rotation: 30})', { expect: 'error', names: ['rotation'] });
add('applyTransform params null', 'return track(new IDG()).applyTransform(T(4,4,3), null)', { expect: 'either', names: ['params'] });
add('applyTransform brightness string', 'return track(new IDG()).applyTransform(T(4,4,3), {brightness: "2"})', { expect: 'error', names: ['brightness'] });
add('applyTransform tx 1e308', 'return track(new IDG()).applyTransform(T(4,4,3), {tx: 1e308})', { expect: 'either' });
add('applyTransformBatch wrong list length', 'return track(new IDG()).applyTransformBatch(T(2,4,4,3), [{}])', { expect: 'error', names: ['paramsList'] });
add('randomTransform rank 4', 'return track(new IDG({rotationRange: 10})).randomTransform(T(2,4,4,3))', { expect: 'error', names: ['x'] });
add('randomTransform 1x1 image all options', 'return track(new IDG({rotationRange: 90, widthShiftRange: 0.5, heightShiftRange: 0.5, shearRange: 30, zoomRange: 0.5, channelShiftRange: 10, brightnessRange: [0.5, 1.5], horizontalFlip: true, verticalFlip: true, fillMode: "reflect"})).randomTransform(T(1,1,3), 3)', { expect: 'success' });
add('toLayer before fit', 'return track(new IDG({featurewiseCenter: true})).toLayer()', { expect: 'error', names: ['featurewiseCenter'] });
add('toLayer with preprocessingFunction', 'return track(new IDG({preprocessingFunction: (x) => x})).toLayer()', { expect: 'error', names: ['preprocessingFunction'] });
add('toLayer bad inputShape', `${FIT} await g.fit(X(2,4,4,3)); const layer = g.toLayer({inputShape: [-1, "a"]}); try { return layer.apply(T(1,4,4,3)) } finally { layer.dispose() }`, { expect: 'either', names: ['inputShape'] });
add('toLayer applied to other channel count', `${FIT} await g.fit(X(2,4,4,3)); const layer = g.toLayer(); try { return layer.apply(T(1,4,4,1)) } finally { layer.dispose() }`, { expect: 'error', names: ['channel'] });

// flow options and labels.
const FLOW = 'const g = track(new IDG({rotationRange: 10})); const x = X(6,4,4,3);';
for (const [opt, expect, name] of [
  ['{batchSize: 0}', 'error', 'batchSize'], ['{batchSize: -1}', 'error', 'batchSize'], ['{batchSize: 1.5}', 'error', 'batchSize'], ['{batchSize: NaN}', 'error', 'batchSize'],
  ['{batchSize: "4"}', 'error', 'batchSize'], ['{batchSize: Infinity}', 'error', 'batchSize'], ['{batchSize: 1e9}', 'success', ''], ['{shuffle: "no"}', 'error', 'shuffle'],
  ['{seed: -5}', 'either', 'seed'], ['{seed: 1.5}', 'error', 'seed'], ['{seed: "x"}', 'error', 'seed'], ['{subset: "train"}', 'error', 'subset'],
  ['{subset: "validation"}', 'error', 'validationSplit'], ['{sampleWeight: [1,2]}', 'error', 'sampleWeight'], ['{sampleWeight: [1,2,3,4,5,NaN]}', 'either', 'sampleWeight'],
  ['{sampleWeight: [[1],[2],[3],[4],[5],[6]]}', 'either', 'sampleWeight'], ['{saveToDir: "/nonexistent/dir"}', 'error', '/nonexistent/dir'], ['{saveToDir: "/etc/hostname"}', 'error', '/etc/hostname'],
  ['{saveToDir: tmp, saveFormat: "gif"}', 'error', 'saveFormat'], ['{saveToDir: tmp, savePrefix: "../../escape"}', 'either', 'savePrefix'], ['{workers: -1}', 'error', 'workers'],
  ['{workers: 1.5}', 'error', 'workers'], ['{workers: 64}', 'success', ''], ['{batch_size: 2}', 'error', 'batch_size'], ['null', 'either', 'options'], ['{ignoreClassSplit: "x"}', 'error', 'ignoreClassSplit'],
] as const) {
  add(`flow options ${opt}`, `${FLOW} const f = g.flow(x, null, ${opt}); const a = f.next().value; return a`, { expect, names: name ? [name] : [], allowNonFinite: opt.includes('NaN]') });
}
add('flow labels wrong length', `${FLOW} return g.flow(x, [1,2,3]).next().value`, { expect: 'error', names: ['y'] });
add('flow labels strings', `${FLOW} return g.flow(x, ["a","b","c","d","e","f"]).next().value`, { expect: 'either', names: ['y'] });
add('flow labels NaN', `${FLOW} return g.flow(x, [NaN,1,2,3,4,5]).next().value`, { expect: 'either', allowNonFinite: true });
add('flow labels rank 3 tensor', `${FLOW} return g.flow(x, T(6,2,2)).next().value`, { expect: 'success' });
add('flow with misc array list wrong length', `${FLOW} return g.flow([x, X(5,2,2,1)]).next().value`, { expect: 'error', names: ['x'] });
add('flow workers 2 vs workers 0 same batch', 'const g = track(new IDG({rotationRange: 30, zoomRange: 0.2, horizontalFlip: true})); const x = X(6,5,5,3); const a = g.flow(x, null, {seed: 3, workers: 0, batchSize: 6}).next().value; const b = g.flow(x, null, {seed: 3, workers: 2, batchSize: 6}).next().value; const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a.xs, b.xs))).dataSync()[0]); if (!(d <= 1e-4)) silent("workers 2 differs from workers 0 by " + d); tf.dispose([a.xs, b.xs]); return null', { expect: 'success' });
add('flow validation subset all-in-one', 'const g = track(new IDG({validationSplit: 0.5})); return g.flow(X(1,4,4,3), null, {subset: "validation"}).next().value', { expect: 'either', names: ['validation'] });
add('flow batch served twice is identical', 'const g = track(new IDG({rotationRange: 30})); const f = g.flow(X(6,4,4,3), null, {seed: 9, batchSize: 3}); const a = f.batch(1, 2); const b = f.batch(1, 2); const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a.xs, b.xs))).dataSync()[0]); tf.dispose([a.xs, b.xs]); if (d !== 0) silent("batch(1,2) differs between calls by " + d); return null', { expect: 'success' });
add('flow batch index out of range', 'const g = track(new IDG()); return g.flow(X(6,4,4,3), null, {batchSize: 3}).batch(99)', { expect: 'either', names: ['index'] });
add('flow batch index negative', 'const g = track(new IDG()); return g.flow(X(6,4,4,3), null, {batchSize: 3}).batch(-1)', { expect: 'error', names: ['index'] });
add('flow toDataset take', 'const g = track(new IDG()); const ds = g.flow(X(6,4,4,3), null, {batchSize: 3}).toDataset(); const it = await ds.take(2).iterator(); const r = await it.next(); return r.value', { expect: 'success' });

// File flows: folders of good and bad images.
const GOOD = '"a/ok1.png": png(5,4), "a/ok2.jpg": jpg(6,5), "b/ok3.bmp": bmp(4,4), "b/ok4.ppm": ppm(3,5)';
const fileHazards: [string, string, string, Expect?][] = [
  ['empty png', '"b/bad.png": new Uint8Array(0)', 'bad.png'],
  ['zero-byte jpg', '"b/bad.jpg": new Uint8Array(0)', 'bad.jpg'],
  ['truncated png', '"b/bad.png": png(8,8).subarray(0, 40)', 'bad.png'],
  ['png with bad CRC and garbage IDAT', '"b/bad.png": corruptPng()', 'bad.png'],
  ['truncated jpeg', '"b/bad.jpg": jpg(16,16).subarray(0, 120)', 'bad.jpg'],
  ['jpeg header only', '"b/bad.jpg": new Uint8Array([0xff,0xd8,0xff,0xe0,0,16,74,70,73,70,0])', 'bad.jpg'],
  ['bmp truncated', '"b/bad.bmp": bmp(8,8).subarray(0, 60)', 'bad.bmp'],
  ['bmp huge dims', '"b/bad.bmp": bmpHeader(100000, 100000, 24)', 'bad.bmp'],
  ['bmp negative width', '"b/bad.bmp": bmpHeader(-5, 5, 24)', 'bad.bmp'],
  ['bmp 16-bit', '"b/bad.bmp": bmpHeader(4, 4, 16)', 'bad.bmp'],
  ['bmp palette index past palette', '"b/bad.bmp": bmp8BadPalette()', 'bad.bmp', 'either'],
  ['ppm huge dims', '"b/bad.ppm": text("P6\\n100000 100000\\n255\\n")', 'bad.ppm'],
  ['ppm garbage header', '"b/bad.ppm": text("P6\\nfoo bar\\n255\\n")', 'bad.ppm'],
  ['ppm maxval 0', '"b/bad.ppm": text("P6\\n1 1\\n0\\n\\u0000\\u0000\\u0000")', 'bad.ppm'],
  ['ppm maxval 70000', '"b/bad.ppm": text("P6\\n1 1\\n70000\\n123456")', 'bad.ppm'],
  ['ppm ASCII with negatives', '"b/bad.ppm": text("P3\\n1 1\\n255\\n-1 300 abc\\n")', 'bad.ppm'],
  ['ppm truncated pixels', '"b/bad.ppm": text("P6\\n4 4\\n255\\nabc")', 'bad.ppm'],
  ['tiff header only', '"b/bad.tif": new Uint8Array([0x49,0x49,42,0,8,0,0,0])', 'bad.tif'],
  ['tiff huge dims', '"b/bad.tiff": tiffHuge()', 'bad.tiff'],
  ['gif renamed .png (PIL opens it by content)', '"b/bad.png": gif()', 'bad.png', 'either'],
  ['webp header renamed .jpg', '"b/bad.jpg": text("RIFF\\u0010\\u0000\\u0000\\u0000WEBPVP8 ")', 'bad.jpg'],
  ['png declaring 100000x100000', '"b/bad.png": pngHuge(100000, 100000)', 'bad.png'],
  ['png declaring 0x0', '"b/bad.png": pngHuge(0, 0)', 'bad.png'],
  ['png declaring 2^31x1', '"b/bad.png": pngHuge(2**31 - 1, 1)', 'bad.png'],
  ['text file named .jpeg', '"b/notes.jpeg": text("hello")', 'notes.jpeg'],
];
for (const [name, files, file, expect] of fileHazards) {
  add(`flowFromDirectory ${name}`, `const dir = tree({${GOOD}, ${files}}); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], batchSize: 6, shuffle: false, workers: 0}); return f.next()`, { expect: expect ?? 'error', names: [file], timeoutS: 60 });
  add(`flowFromDirectory ${name} skip`, `const dir = tree({${GOOD}, ${files}}); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], batchSize: 6, shuffle: false, onBadImage: "skip", workers: 2}); const b = own((await f.next()).value); if (b.xs.shape[0] !== ${expect ? 'b.xs.shape[0]' : '4'}) silent("skip: batch of " + b.xs.shape[0] + " images, expected the 4 good ones"); return b`, { expect: 'success', timeoutS: 60 });
}
add('flowFromDirectory symlink loop followLinks', 'const dir = tree({"a/ok.png": png(4,4)}); fs.symlinkSync(dir + "/a", dir + "/a/loop"); fs.symlinkSync(dir + "/a/loop", dir + "/a/loop2"); const f = await track(new IDG()).flowFromDirectory(dir, {followLinks: true, targetSize: [4,4], workers: 0}); return (await f.next()).value', { expect: 'either', timeoutS: 60 });
add('flowFromDirectory one symlink to its parent, followLinks', 'const dir = tree({"a/ok.png": png(4,4)}); fs.symlinkSync("..", dir + "/a/up"); const f = await track(new IDG()).flowFromDirectory(dir, {followLinks: true, targetSize: [4,4], workers: 0}); return (await f.next()).value', { expect: 'either', timeoutS: 60 });
add('flowFromDirectory class dir is a symlink to itself', 'const dir = tree({"a/ok.png": png(4,4)}); fs.symlinkSync("self", dir + "/self"); const f = await track(new IDG()).flowFromDirectory(dir, {followLinks: true, targetSize: [4,4], workers: 0}); return (await f.next()).value', { expect: 'either', timeoutS: 60 });
add('flowFromDirectory dangling symlink', 'const dir = tree({"a/ok.png": png(4,4)}); fs.symlinkSync("/nonexistent/x.png", dir + "/a/gone.png"); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], workers: 0, batchSize: 2}); return (await f.next()).value', { expect: 'either', names: ['gone.png'] });
add('flowFromDirectory directory named like an image', 'const dir = tree({"a/ok.png": png(4,4), "a/folder.png/x.txt": text("x")}); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], workers: 0, batchSize: 2}); const b = own((await f.next()).value); if (b.xs.shape[0] !== 1) silent("served " + b.xs.shape[0] + " images from 1 file + a directory"); return b', { expect: 'success' });
add('flowFromDirectory unreadable file (mode 000; root reads anyway)', 'const dir = tree({"a/ok.png": png(4,4), "a/locked.png": png(4,4)}); fs.chmodSync(dir + "/a/locked.png", 0); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], workers: 0, batchSize: 2}); return (await f.next()).value', { expect: 'either', names: ['locked.png'] });
add('flowFromDirectory unreadable class dir (mode 000)', 'const dir = tree({"a/ok.png": png(4,4), "b/x.png": png(4,4)}); fs.chmodSync(dir + "/b", 0); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], workers: 0, batchSize: 2}); return (await f.next()).value', { expect: 'either' });
add('flowFromDirectory file vanishes after listing', 'const dir = tree({"a/ok.png": png(4,4), "a/gone.png": png(4,4)}); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], workers: 0, batchSize: 2, shuffle: false, prefetch: 0}); fs.unlinkSync(dir + "/a/gone.png"); return (await f.next()).value', { expect: 'error', names: ['gone.png'] });
add('flowFromDirectory file vanishes, workers 2, skip', 'const dir = tree({"a/ok.png": png(4,4), "a/gone.png": png(4,4)}); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], workers: 2, batchSize: 2, shuffle: false, prefetch: 0, onBadImage: "skip"}); fs.unlinkSync(dir + "/a/gone.png"); return (await f.next()).value', { expect: 'either', names: ['gone.png'] });
add('flowFromDirectory file replaced by garbage after listing', 'const dir = tree({"a/ok.png": png(4,4), "a/swap.png": png(4,4)}); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], workers: 1, batchSize: 2, shuffle: false, prefetch: 0}); fs.writeFileSync(dir + "/a/swap.png", text("garbage")); return (await f.next()).value', { expect: 'error', names: ['swap.png'] });
add('flowFromDirectory non-UTF-8 file name', 'const dir = tree({"a/ok.png": png(4,4)}); fs.writeFileSync(Buffer.concat([Buffer.from(dir + "/a/bad\\xff"), Buffer.from([0xff, 0xfe]), Buffer.from(".png")]), png(4,4)); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], workers: 0, batchSize: 2}); const b = own((await f.next()).value); if (b.xs.shape[0] !== 2) silent("served " + b.xs.shape[0] + " of 2 images"); return b', { expect: 'either' });
add('flowFromDirectory non-UTF-8 class dir name', 'const dir = tree({"a/ok.png": png(4,4)}); fs.mkdirSync(Buffer.concat([Buffer.from(dir + "/"), Buffer.from([0xc3, 0x28])])); fs.writeFileSync(Buffer.concat([Buffer.from(dir + "/"), Buffer.from([0xc3, 0x28]), Buffer.from("/x.png")]), png(4,4)); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], workers: 0, batchSize: 2}); const b = own((await f.next()).value); if (b.xs.shape[0] !== 2) silent("served " + b.xs.shape[0] + " of 2 images"); return b', { expect: 'either' });
add('flowFromDirectory missing directory', 'return track(new IDG()).flowFromDirectory("/nonexistent/data")', { expect: 'error', names: ['/nonexistent/data'] });
add('flowFromDirectory on a file', 'return track(new IDG()).flowFromDirectory("/etc/hostname")', { expect: 'error', names: ['/etc/hostname'] });
add('flowFromDirectory ""', 'return track(new IDG()).flowFromDirectory("")', { expect: 'error', names: ['directory'] });
add('flowFromDirectory null', 'return track(new IDG()).flowFromDirectory(null)', { expect: 'error', names: ['directory'] });
add('flowFromDirectory no images', 'const dir = tree({"a/readme.txt": text("x")}); return track(new IDG()).flowFromDirectory(dir)', { expect: 'error', names: ['directory'] });
add('flowFromDirectory /proc/self/fd', 'const f = await track(new IDG()).flowFromDirectory("/proc/self/fd", {workers: 0}); return f.next()', { expect: 'error', timeoutS: 30 });
add('flowFromDirectory /dev', 'const f = await track(new IDG()).flowFromDirectory("/dev", {workers: 0, targetSize: [4,4]}); return f.next()', { expect: 'error', timeoutS: 30 });
add('flowFromDirectory FIFO named .png', 'const dir = tree({"a/ok.png": png(4,4)}); spawnSync("mkfifo", [dir + "/a/pipe.png"]); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], workers: 0, batchSize: 2, shuffle: false}); return (await f.next()).value', { expect: 'error', names: ['pipe.png'], timeoutS: 30 });
for (const [opt, expect, name] of [
  ['{targetSize: [0,0]}', 'error', 'targetSize'], ['{targetSize: [-1,5]}', 'error', 'targetSize'], ['{targetSize: [100000,100000]}', 'error', 'targetSize'],
  ['{targetSize: [4]}', 'error', 'targetSize'], ['{targetSize: "4,4"}', 'error', 'targetSize'], ['{colorMode: "cmyk"}', 'error', 'colorMode'],
  ['{interpolation: "lanczos"}', 'either', 'interpolation'], ['{interpolation: "cubic"}', 'error', 'interpolation'], ['{maxPixels: 0}', 'error', 'maxPixels'],
  ['{maxPixels: -1}', 'error', 'maxPixels'], ['{maxPixels: NaN}', 'error', 'maxPixels'], ['{maxPixels: 10}', 'error', 'maxPixels'], ['{prefetch: -1}', 'error', 'prefetch'],
  ['{prefetch: 1e9}', 'either', 'prefetch'], ['{classes: ["zebra"]}', 'error', 'zebra'], ['{classes: "a"}', 'error', 'classes'], ['{classes: []}', 'either', 'classes'],
  ['{classMode: "multi"}', 'error', 'classMode'], ['{classMode: "sparse"}', 'success', ''], ['{classMode: "input"}', 'success', ''], ['{subset: "validation"}', 'error', 'validationSplit'],
  ['{workers: -1}', 'error', 'workers'], ['{workers: 2.5}', 'error', 'workers'], ['{onBadImage: "ignore"}', 'error', 'onBadImage'], ['{saveToDir: "/nonexistent"}', 'error', '/nonexistent'],
  ['{followLinks: "yes"}', 'error', 'followLinks'], ['{keepAspectRatio: 1}', 'either', 'keepAspectRatio'], ['{shuffle: null}', 'either', 'shuffle'], ['{target_size: [4,4]}', 'error', 'target_size'],
  ['{batchSize: 0}', 'error', 'batchSize'], ['{seed: "a"}', 'error', 'seed'],
] as const) {
  add(`flowFromDirectory options ${opt}`, `const dir = tree({${GOOD}}); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], workers: 0, ...${opt}}); return (await f.next()).value`, { expect, names: name ? [name] : [], timeoutS: 60 });
}
add('flowFromDirectory keepAspectRatio extreme aspect', 'const dir = tree({"a/wide.png": png(200,1)}); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], keepAspectRatio: true, workers: 0}); return (await f.next()).value', { expect: 'success' });
add('flowFromDirectory png pixels vs decode', 'const dir = tree({"a/x.png": png(4,4)}); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], workers: 0, colorMode: "rgba"}); const b = own((await f.next()).value); const want = Array.from(png.last); return closeTensor(b.xs, want, [1,4,4,4])', { expect: 'success' });
add('flowFromDirectory 16-bit png', 'const dir = tree({"a/x.png": png16(4,4)}); const f = await track(new IDG()).flowFromDirectory(dir, {targetSize: [4,4], workers: 0, colorMode: "grayscale"}); const b = own((await f.next()).value); const v = b.xs.dataSync(); if (Math.max(...v) > 255.001) silent("16-bit png gave values up to " + Math.max(...v) + " (Keras/PIL gives 0..255)"); return b', { expect: 'either' });
add('flowFromDataFrame rows null', 'return track(new IDG()).flowFromDataFrame(null)', { expect: 'error', names: ['rows'] });
add('flowFromDataFrame missing CSV', 'return track(new IDG()).flowFromDataFrame("/nonexistent/list.csv")', { expect: 'error', names: ['/nonexistent/list.csv'] });
add('flowFromDataFrame malformed CSV', 'const p = tmp + "/l.csv"; fs.writeFileSync(p, "filename,class\\n\\"a.png,cat\\nb.png"); return track(new IDG()).flowFromDataFrame(p)', { expect: 'error', names: ['l.csv'] });
add('flowFromDataFrame xCol missing', 'const dir = tree({"a/ok.png": png(4,4)}); return track(new IDG()).flowFromDataFrame([{file: "a/ok.png", class: "x"}], {directory: dir})', { expect: 'error', names: ['filename'] });
add('flowFromDataFrame filename null', 'const dir = tree({"a/ok.png": png(4,4)}); const f = await track(new IDG()).flowFromDataFrame([{filename: null, class: "x"}, {filename: "a/ok.png", class: "y"}], {directory: dir, targetSize: [4,4], workers: 0}); return (await f.next()).value', { expect: 'either', names: ['filename'] });
add('flowFromDataFrame path traversal', 'const dir = tree({"a/ok.png": png(4,4)}); const f = await track(new IDG()).flowFromDataFrame([{filename: "../../../../etc/hostname", class: "x"}], {directory: dir, targetSize: [4,4], workers: 0}); return (await f.next()).value', { expect: 'error', names: ['rows'] });
add('flowFromDataFrame raw labels NaN', 'const dir = tree({"a/ok.png": png(4,4)}); const f = await track(new IDG()).flowFromDataFrame([{filename: "a/ok.png", v: NaN}], {directory: dir, targetSize: [4,4], workers: 0, yCol: "v", classMode: "raw"}); return (await f.next()).value', { expect: 'either', allowNonFinite: true, names: ['v'] });
add('flowFromDataFrame raw labels strings', 'const dir = tree({"a/ok.png": png(4,4)}); const f = await track(new IDG()).flowFromDataFrame([{filename: "a/ok.png", v: "tall"}], {directory: dir, targetSize: [4,4], workers: 0, yCol: "v", classMode: "raw"}); return (await f.next()).value', { expect: 'error', names: ['v'] });
add('flowFromDataFrame weightCol negative', 'const dir = tree({"a/ok.png": png(4,4)}); const f = await track(new IDG()).flowFromDataFrame([{filename: "a/ok.png", class: "a", w: -1}], {directory: dir, targetSize: [4,4], workers: 0, weightCol: "w"}); return (await f.next()).value', { expect: 'either' });
add('flowFromDataFrame 10000 rows of a missing file', 'const dir = tree({"a/ok.png": png(4,4)}); const rows = Array.from({length: 10000}, (_, i) => ({filename: "nope" + i + ".png", class: "a"})); return track(new IDG()).flowFromDataFrame(rows, {directory: dir})', { expect: 'error', names: ['rows'] });
add('fitFromDirectory corrupt image', 'const dir = tree({"a/ok.png": png(4,4), "a/bad.png": png(4,4).subarray(0, 30)}); const g = track(new IDG({featurewiseCenter: true})); await g.fitFromDirectory(dir, {targetSize: [4,4], workers: 0}); return g.mean', { expect: 'error', names: ['bad.png'] });
add('fitFromDirectory onProgress throws', 'const dir = tree({"a/ok.png": png(4,4)}); const g = track(new IDG({featurewiseCenter: true})); await g.fitFromDirectory(dir, {targetSize: [4,4], workers: 0, onProgress: () => { throw new Error("progress broke") }}); return g.mean', { expect: 'error', names: ['progress broke'] });
add('fitFromDirectory nothing to fit', 'const dir = tree({"a/ok.png": png(4,4)}); const g = track(new IDG()); await g.fitFromDirectory(dir, {targetSize: [4,4], workers: 0}); return g.mean', { expect: 'either' });
add('fitFromDirectory vs float64', 'const dir = tree({"a/x.png": png(4,4), "a/y.png": png(4,4)}); const g = track(new IDG({featurewiseCenter: true, featurewiseStdNormalization: true})); await g.fitFromDirectory(dir, {targetSize: [4,4], workers: 2, colorMode: "rgba"}); return checkStats(g, {data: [...png.all[0], ...png.all[1]], shape: [2,4,4,4]})', { expect: 'success' });

// Persistence.
add('save to ""', 'const g = track(new IDG()); return g.save("")', { expect: 'error', names: ['dest'] });
add('save under a file', 'const g = track(new IDG()); return g.save("/etc/hostname/sub")', { expect: 'error', names: ['/etc/hostname'] });
add('save into /proc', 'const g = track(new IDG()); return g.save("/proc/self/idg")', { expect: 'error', names: ['/proc/self/idg'] });
add('save to http:// without handler', 'const g = track(new IDG()); return g.save("http://127.0.0.1:9/x")', { expect: 'either', names: ['dest'], timeoutS: 30 });
add('save to indexeddb:// in node', 'const g = track(new IDG()); return g.save("indexeddb://x")', { expect: 'error', names: ['dest'] });
add('save null', 'const g = track(new IDG()); return g.save(null)', { expect: 'error', names: ['dest'] });
add('save handler that throws', 'const g = track(new IDG()); return g.save(tf.io.withSaveHandler(async () => { throw new Error("disk full") }))', { expect: 'error', names: ['disk full'] });
add('save over a file named generator.json dir', 'const p = tmp + "/out"; fs.mkdirSync(p); fs.mkdirSync(p + "/generator.json"); return track(new IDG()).save(p)', { expect: 'error', names: ['generator.json'] });
add('save then load roundtrip ZCA', 'const g = track(new IDG({zcaWhitening: true})); const x = X(10,2,2,3); await g.fit(x); await g.save(tmp + "/s"); const h = track(await IDG.load(tmp + "/s")); const a = g.standardize(x); const b = h.standardize(x); const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]); tf.dispose([a, b]); if (d !== 0) silent("loaded generator differs by " + d); return null', { expect: 'success' });
add('load missing dir', 'return IDG.load("/nonexistent/gen")', { expect: 'error', names: ['/nonexistent/gen'] });
add('load a file', 'return IDG.load("/etc/hostname")', { expect: 'error', names: ['/etc/hostname'] });
add('load ""', 'return IDG.load("")', { expect: 'error', names: ['src'] });
const corruptions: [string, string, string][] = [
  ['manifest empty', 'fs.writeFileSync(m, "")', 'generator.json'],
  ['manifest truncated', 'fs.writeFileSync(m, fs.readFileSync(m, "utf8").slice(0, 40))', 'generator.json'],
  ['manifest null', 'fs.writeFileSync(m, "null")', 'generator.json'],
  ['manifest []', 'fs.writeFileSync(m, "[]")', 'generator.json'],
  ['manifest binary garbage', 'fs.writeFileSync(m, Buffer.from([0xff, 0xfe, 0, 1, 2]))', 'generator.json'],
  ['manifest format other', 'edit((j) => { j.format = "keras" })', 'format'],
  ['manifest formatVersion 999', 'edit((j) => { j.formatVersion = 999 })', 'version'],
  ['manifest formatVersion "1"', 'edit((j) => { j.formatVersion = String(j.formatVersion) })', 'version'],
  ['manifest weightsFile traversal', 'edit((j) => { j.weightsFile = "../../../../etc/passwd" })', 'generator.json'],
  ['manifest weightsFile absolute', 'edit((j) => { j.weightsFile = "/etc/passwd" })', 'generator.json'],
  ['manifest weightsFile missing file', 'edit((j) => { j.weightsFile = "generator.weights.nothere.bin" })', 'generator.weights.nothere.bin'],
  ['manifest weightsFile is a directory', 'fs.mkdirSync(dir + "/generator.weights.dir.bin"); edit((j) => { j.weightsFile = "generator.weights.dir.bin" })', 'generator.weights.dir.bin'],
  ['weights truncated', 'fs.writeFileSync(w, fs.readFileSync(w).subarray(0, 5))', 'weights'],
  ['weights extra bytes', 'fs.appendFileSync(w, Buffer.alloc(8))', 'weights'],
  ['weights one bit flipped', 'const b = fs.readFileSync(w); b[3] ^= 1; fs.writeFileSync(w, b)', 'weights'],
  ['weights NaN with fixed crc', 'const b = fs.readFileSync(w); b.writeFloatLE(NaN, 0); fs.writeFileSync(w, b); edit((j) => { j.weightsCrc32 = crc32(b) })', 'mean'],
  ['weights deleted', 'fs.unlinkSync(w)', 'weights'],
  ['huge declared shape', 'edit((j) => { j.weights[0].shape = [1e9, 1e9] })', 'shape'],
  ['negative declared shape', 'edit((j) => { j.weights[0].shape = [-3] })', 'shape'],
  ['declared dtype int32', 'edit((j) => { j.weights[0].dtype = "int32" })', 'dtype'],
  ['weightsByteLength huge', 'edit((j) => { j.weightsByteLength = 2 ** 53 })', 'weights'],
  ['config rotationRange NaN', 'edit((j) => { j.config.rotationRange = "NaN" })', 'rotationRange'],
  ['config unknown key', 'edit((j) => { j.config.evil = 1 })', 'evil'],
  ['config missing', 'edit((j) => { delete j.config })', 'config'],
  ['config zcaWhitening on without matrix', 'edit((j) => { j.config.zcaWhitening = true })', 'zca'],
  ['weights entries missing', 'edit((j) => { delete j.weights })', 'weights'],
  ['weights entries duplicated', 'edit((j) => { j.weights.push(j.weights[0]) })', 'weights'],
  ['manifest deeply nested JSON', 'fs.writeFileSync(m, "[".repeat(100000) + "]".repeat(100000))', 'generator.json'],
  ['manifest 50 MB of spaces', 'fs.writeFileSync(m, " ".repeat(50e6) + "{}")', 'generator.json'],
];
for (const [name, mutate, mention] of corruptions) {
  add(`load ${name}`, `const dir = await saved(); const m = dir + "/generator.json"; const j0 = JSON.parse(fs.readFileSync(m, "utf8")); const w = dir + "/" + j0.weightsFile; const edit = (f) => { const j = JSON.parse(fs.readFileSync(m, "utf8")); f(j); fs.writeFileSync(m, JSON.stringify(j)) }; ${mutate}; const g = track(await IDG.load(dir)); return g.standardize(X(1,4,4,3))`, { expect: 'error', names: [mention], timeoutS: 60 });
}
add('load a directory being written', 'const dir = await saved(); const g = track(new IDG({featurewiseCenter: true})); await g.fit(X(4,4,4,3)); let stop = false; const writer = (async () => { while (!stop) await g.save(dir) })(); let ok = 0; for (let i = 0; i < 40; i++) { const h = await IDG.load(dir); h.dispose(); ok++ } stop = true; await writer; return null', { expect: 'success', timeoutS: 60 });
add('load while directory is replaced by a file', 'const dir = await saved(); const p = IDG.load(dir); fs.rmSync(dir, {recursive: true}); fs.writeFileSync(dir, "x"); try { track(await p) } catch (e) { throw e } return null', { expect: 'either', names: [] });
add('fromJSON null', 'return IDG.fromJSON(null)', { expect: 'error', names: ['state'] });
add('fromJSON huge ZCA shape', 'const g = track(new IDG()); const s = g.toJSON(); s.config.zcaWhitening = true; s.statistics.mean = {shape: [1,1,3], values: [0,0,0]}; s.statistics.zcaWhiteningMatrix = {shape: [1e6, 1e6], imageShape: [1000, 1000, 1], values: [1]}; return IDG.fromJSON(s)', { expect: 'error', names: ['zcaWhiteningMatrix'] });
add('fromJSON mean values strings', 'const g = track(new IDG({featurewiseCenter: true})); await g.fit(X(2,4,4,3)); const s = g.toJSON(); s.statistics.mean.values = ["a","b","c"]; return use(IDG.fromJSON(s))', { expect: 'error', names: ['mean'] });
add('fromJSON std zero', 'const g = track(new IDG({featurewiseStdNormalization: true})); await g.fit(X(2,4,4,3)); const s = g.toJSON(); s.statistics.std.values = [0,0,0]; return use(IDG.fromJSON(s))', { expect: 'either' });
add('fromJSON std negative', 'const g = track(new IDG({featurewiseStdNormalization: true})); await g.fit(X(2,4,4,3)); const s = g.toJSON(); s.statistics.std.values = [-1,-1,-1]; return use(IDG.fromJSON(s))', { expect: 'either', names: ['std'] });
add('load tf.io handler returning junk', 'return IDG.load({load: async () => ({modelTopology: 42})})', { expect: 'error', names: ['manifest'] });
add('load tf.io handler that throws', 'return IDG.load({load: async () => { throw new Error("network down") }})', { expect: 'error', names: ['network down'] });

// Resources and lifecycle.
for (const [name, call] of [['fit', 'await g.fit(X(2,4,4,3))'], ['standardize', 'return g.standardize(T(4,4,3))'], ['flow', 'return g.flow(X(2,4,4,3)).next().value'], ['toJSON', 'return g.toJSON()'], ['save', 'await g.save(tmp + "/d")'], ['mean', 'return g.mean'], ['toLayer', 'return g.toLayer()'], ['flowFromDirectory', 'const dir = tree({"a/x.png": png(4,4)}); return (await (await g.flowFromDirectory(dir, {workers: 0})).next()).value']] as const) {
  add(`dispose then ${name}`, `const g = new IDG({featurewiseCenter: true}); await g.fit(X(2,4,4,3)); g.dispose(); ${call}`, { expect: 'error', names: ['dispose'] });
}
add('dispose twice', 'const g = new IDG({zcaWhitening: true}); await g.fit(X(8,2,2,1)); g.standardize(T(1,2,2,1)).dispose(); g.dispose(); g.dispose(); return null', { expect: 'success' });
add('flow after generator disposed', 'const g = new IDG({zcaWhitening: true}); await g.fit(X(8,2,2,1)); const f = g.flow(X(4,2,2,1)); f.next().value.xs.dispose(); g.dispose(); return f.next().value', { expect: 'error', names: ['dispose'] });
add('file flow after generator disposed', 'const g = new IDG({featurewiseCenter: true}); await g.fit(X(2,4,4,3)); const dir = tree({"a/x.png": png(4,4), "a/y.png": png(4,4)}); const f = await g.flowFromDirectory(dir, {workers: 2, targetSize: [4,4], batchSize: 1, prefetch: 0}); tf.dispose(Object.values((await f.next()).value)); g.dispose(); return (await f.next()).value', { expect: 'error', names: ['dispose'] });
add('dispose during a pending file batch', 'const g = new IDG({featurewiseCenter: true}); await g.fit(X(2,4,4,3)); const dir = tree({"a/x.png": png(4,4), "a/y.png": png(4,4)}); const f = await g.flowFromDirectory(dir, {workers: 2, targetSize: [4,4], batchSize: 2}); const p = f.next(); g.dispose(); return (await p).value', { expect: 'either', names: ['dispose'] });
add('dispose during fit', 'const g = new IDG({zcaWhitening: true}); const p = g.fit((async function*(){ yield X(8,2,2,1); await new Promise((r) => setTimeout(r, 20)); yield X(8,2,2,1); })()); g.dispose(); await p; return use(g)', { expect: 'error', names: ['dispose'] });
add('toLayer outlives dispose', `${FIT} await g.fit(X(2,4,4,3)); const layer = g.toLayer(); g.dispose(); const out = layer.apply(T(1,4,4,3)); layer.dispose?.(); return out`, { expect: 'success' });
add('50 file flows at once, workers 2', 'const dir = tree({"a/x.png": png(4,4), "a/y.jpg": jpg(4,4), "b/z.png": png(4,4)}); const g = track(new IDG({rotationRange: 10})); const flows = await Promise.all(Array.from({length: 50}, (_, i) => g.flowFromDirectory(dir, {workers: 2, targetSize: [4,4], batchSize: 2, seed: i}))); const bs = await Promise.all(flows.map((f) => f.next())); return bs.map((b) => b.value)', { expect: 'success', timeoutS: 120 });
add('20 in-memory flows at once, workers 2', 'const g = track(new IDG({rotationRange: 10})); const flows = Array.from({length: 20}, (_, i) => g.flow(X(4,4,4,3), null, {workers: 2, seed: i})); return flows.map((f) => f.next().value)', { expect: 'success', timeoutS: 120 });
add('process.exit mid file flow', 'return script(`const g = new IDG({rotationRange: 10}); const f = await g.flowFromDirectory(${JSON.stringify(tree({"a/x.png": png(8,8), "a/y.png": png(8,8)}))}, {workers: 2, targetSize: [8,8]}); f.next(); setTimeout(() => process.exit(0), 1);`)', { expect: 'success', timeoutS: 60 });
add('process.exit mid fit', 'return script(`const g = new IDG({zcaWhitening: true}); g.fit(X(40,8,8,1)); setTimeout(() => process.exit(0), 5);`)', { expect: 'success', timeoutS: 60 });
add('process exits by itself after a dropped file flow', 'return script(`const g = new IDG({rotationRange: 10}); const f = await g.flowFromDirectory(${JSON.stringify(tree({"a/x.png": png(8,8), "a/y.png": png(8,8)}))}, {workers: 2, targetSize: [8,8]}); tf.dispose((await f.next()).value.xs); console.log("done");`)', { expect: 'success', timeoutS: 60 });
add('process exits by itself after a dropped in-memory flow with workers', 'return script(`const g = new IDG({rotationRange: 10}); const f = g.flow(X(8,8,8,3), null, {workers: 2}); tf.dispose(f.next().value.xs); console.log("done");`)', { expect: 'success', timeoutS: 60 });
add('process exits by itself after a ZCA fit', 'return script(`const g = new IDG({zcaWhitening: true}); await g.fit(X(10,4,4,3)); console.log("done");`)', { expect: 'success', timeoutS: 60 });
add('SIGTERM mid flow', 'return script(`const g = new IDG({rotationRange: 10}); const f = await g.flowFromDirectory(${JSON.stringify(tree({"a/x.png": png(8,8)}))}, {workers: 2, targetSize: [8,8]}); f.next(); process.kill(process.pid, "SIGTERM");`, {signalOk: "SIGTERM"})', { expect: 'success', timeoutS: 60 });
add('unhandled: next() without await, then dropped', 'return script(`const g = new IDG(); const f = await g.flowFromDirectory(${JSON.stringify(tree({"a/x.png": png(4,4), "a/bad.png": new Uint8Array(3)}))}, {workers: 1, targetSize: [4,4], batchSize: 1, prefetch: 3}); await f.next().catch(() => {}); await new Promise((r) => setTimeout(r, 500)); console.log("done");`)', { expect: 'success', timeoutS: 60 });

// CLI misuse.
const cliCases: [string, string, Expect, string[]][] = [
  ['no args', '', 'error', ['missing command']],
  ['unknown command', 'train x', 'error', ['train']],
  ['unknown flag', 'fit /tmp --out /tmp/o --frobnicate', 'error', ['frobnicate']],
  ['fit missing --out', 'fit /tmp', 'error', ['--out']],
  ['fit missing dir', 'fit --out OUT', 'error', ['path']],
  ['fit two dirs', 'fit a b --out OUT', 'error', ['path']],
  ['fit nonexistent dir', 'fit /nonexistent/d --out OUT --config CFG_FC', 'error', ['/nonexistent/d']],
  ['fit nothing to fit', 'fit DATA --out OUT', 'error', ['featurewiseCenter']],
  ['--config missing file', 'fit DATA --out OUT --config /nonexistent/c.json', 'error', ['/nonexistent/c.json']],
  ['--config invalid JSON', 'fit DATA --out OUT --config CFG_BAD', 'error', ['--config']],
  ['--config null', 'fit DATA --out OUT --config CFG_NULL', 'error', ['--config']],
  ['--config bad value', 'fit DATA --out OUT --config CFG_BADVAL', 'error', ['rotation']],
  ['--config is a directory', 'fit DATA --out OUT --config DATA', 'error', ['--config']],
  ['--target-size 0,0', 'fit DATA --out OUT --config CFG_FC --target-size 0,0', 'error', ['--target-size']],
  ['--target-size abc', 'fit DATA --out OUT --config CFG_FC --target-size abc', 'error', ['--target-size']],
  ['--target-size huge', 'fit DATA --out OUT --config CFG_FC --target-size 100000,100000', 'error', ['target']],
  ['--batch-size -1', 'fit DATA --out OUT --config CFG_FC --batch-size -1', 'error', ['--batch-size']],
  ['--color-mode cmyk', 'fit DATA --out OUT --config CFG_FC --color-mode cmyk', 'error', ['--color-mode']],
  ['--out under a file', 'fit DATA --out /etc/hostname/x --config CFG_FC', 'error', ['/etc/hostname']],
  ['fit with a corrupt image', 'fit BADDATA --out OUT --config CFG_FC --target-size 4,4', 'error', ['bad.png']],
  ['fit --skip-bad-images', 'fit BADDATA --out OUT --config CFG_FC --target-size 4,4 --skip-bad-images', 'success', []],
  ['fit ok', 'fit DATA --out OUT --config CFG_FC --target-size 4,4', 'success', []],
  ['preview corrupt image', 'preview BADDATA/a/bad.png --out OUT.png', 'error', ['bad.png']],
  ['preview --count 0', 'preview DATA/a/x.png --out OUT.png --count 0', 'error', ['--count']],
  ['preview --count 100000', 'preview DATA/a/x.png --out OUT.png --count 100000', 'either', ['--count']],
  ['preview --seed -1', 'preview DATA/a/x.png --out OUT.png --seed -1', 'error', ['--seed']],
  ['preview a directory', 'preview DATA --out OUT.png', 'error', ['DATA']],
  ['info nonexistent', 'info /nonexistent/s', 'error', ['/nonexistent/s']],
  ['info corrupt save', 'info CORRUPT', 'error', ['generator.json']],
  ['--version', '--version', 'success', []],
  ['fit --help', 'fit --help', 'success', []],
];
for (const [name, args, expect, names] of cliCases) {
  add(`cli ${name}`, `return cli(${JSON.stringify(args)})`, { expect, names, timeoutS: 90 });
}

// ---------------------------------------------------------------- child: runs cases

/** The names the snippets see, in the order the child passes them. */
const helperNames = ['IDG', 'tf', 'E', 'ndarray', 'fs', 'path', 'X', 'T', 'own', 'track', 'use', 'png', 'png16', 'jpg', 'bmp', 'bmpHeader', 'bmp8BadPalette', 'ppm', 'pngHuge', 'corruptPng', 'tiffHuge', 'gif', 'text', 'tree', 'saved', 'cli', 'script', 'silent', 'f64Stats', 'close', 'closeTensor', 'checkStats', 'checkSamplewise', 'checkZca', 'crc32', 'tmp', 'spawnSync'];


async function child(from: number, only: string | null): Promise<void> {
  const tf = await import('@tensorflow/tfjs-core');
  const ndarray = (await import('ndarray')).default;
  const { encode: encodePng } = await import('fast-png');
  const jpeg = (await import('jpeg-js')).default;
  const lib = await import('../src/index.js');
  const E = lib;
  const IDG = lib.ImageDataGenerator;
  await lib.useBestBackend();
  const warnings: string[] = [];
  lib.setWarningHandler((w) => { warnings.push(w.message); });
  const emit = (o: unknown) => process.stdout.write(`${MARK}${JSON.stringify(o)}\n`);

  class Silent extends Error {}
  const silent = (msg: string): never => { throw new Silent(msg); };

  let seed = 1;
  const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32; };
  const X = (...shape: number[]) => ({ data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.round(rnd() * 255)), shape });
  /** Inputs and intermediate results of a case (tensors, batches), disposed after it whatever happens. */
  let owned: unknown[] = [];
  let tracked: InstanceType<typeof IDG>[] = [];
  const own = <T,>(t: T): T => { owned.push(t); return t; };
  const T = (...shape: number[]) => own(tf.tensor(X(...shape).data, shape));
  const track = <G>(g: G): G => { tracked.push(g as InstanceType<typeof IDG>); return g; };
  const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
  const pngAll: Uint8Array[] = [];
  const png = Object.assign((w: number, h: number) => {
    const data = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : Math.round(rnd() * 255)));
    pngAll.push(data);
    png.last = data;
    return encodePng({ width: w, height: h, data, channels: 4, depth: 8 });
  }, { last: new Uint8Array(0), all: pngAll });
  const png16 = (w: number, h: number) => encodePng({ width: w, height: h, data: Uint16Array.from({ length: w * h }, (_, i) => i * 4000), channels: 1, depth: 16 });
  const jpg = (w: number, h: number) => new Uint8Array(jpeg.encode({ width: w, height: h, data: Buffer.from(Uint8Array.from({ length: w * h * 4 }, () => Math.round(rnd() * 255))) }, 90).data);
  const bmpHeader = (w: number, h: number, bpp: number, extra = 0) => {
    const b = Buffer.alloc(54 + extra);
    b.write('BM', 0); b.writeUInt32LE(54 + extra, 2); b.writeUInt32LE(54, 10); b.writeUInt32LE(40, 14);
    b.writeInt32LE(w, 18); b.writeInt32LE(h, 22); b.writeUInt16LE(1, 26); b.writeUInt16LE(bpp, 28);
    return new Uint8Array(b);
  };
  const bmp = (w: number, h: number) => {
    const stride = Math.ceil((w * 3) / 4) * 4;
    const b = bmpHeader(w, h, 24, stride * h);
    for (let i = 54; i < b.length; i++) b[i] = Math.round(rnd() * 255);
    return b;
  };
  const bmp8BadPalette = () => {
    // 8-bit, 2 palette entries declared by the header size, pixel indices up to 255.
    const b = Buffer.alloc(54 + 8 + 4 * 4);
    b.write('BM', 0); b.writeUInt32LE(b.length, 2); b.writeUInt32LE(62, 10); b.writeUInt32LE(40, 14);
    b.writeInt32LE(4, 18); b.writeInt32LE(4, 22); b.writeUInt16LE(1, 26); b.writeUInt16LE(8, 28); b.writeUInt32LE(2, 46);
    for (let i = 62; i < b.length; i++) b[i] = 250;
    return new Uint8Array(b);
  };
  const ppm = (w: number, h: number) => new Uint8Array(Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), Buffer.from(Uint8Array.from({ length: w * h * 3 }, () => Math.round(rnd() * 255)))]));
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc32 = (bytes: Uint8Array) => { let c = 0xffffffff; for (const b of bytes) c = crcTable[(c ^ b) & 255]! ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type: string, data: Uint8Array) => {
    const b = Buffer.alloc(12 + data.length);
    b.writeUInt32BE(data.length, 0); b.write(type, 4, 'latin1'); Buffer.from(data).copy(b, 8);
    b.writeUInt32BE(crc32(b.subarray(4, 8 + data.length)), 8 + data.length);
    return b;
  };
  const pngHuge = (w: number, h: number) => {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(w >>> 0, 0); ihdr.writeUInt32BE(h >>> 0, 4); ihdr[8] = 8; ihdr[9] = 2;
    return new Uint8Array(Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', new Uint8Array([0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1])), chunk('IEND', new Uint8Array(0))]));
  };
  const corruptPng = () => { const b = Buffer.from(png(8, 8)); for (let i = 40; i < b.length - 12; i++) b[i] = (b[i]! * 7 + 3) & 255; return new Uint8Array(b); };
  const tiffHuge = () => {
    const b = Buffer.alloc(8 + 2 + 12 * 3 + 4);
    b.write('II', 0); b.writeUInt16LE(42, 2); b.writeUInt32LE(8, 4); b.writeUInt16LE(3, 8);
    const entry = (i: number, tag: number, value: number) => { const o = 10 + 12 * i; b.writeUInt16LE(tag, o); b.writeUInt16LE(4, o + 2); b.writeUInt32LE(1, o + 4); b.writeUInt32LE(value, o + 8); };
    entry(0, 256, 1e6); entry(1, 257, 1e6); entry(2, 258, 8);
    return new Uint8Array(b);
  };
  const gif = () => text('GIF89a\u0001\u0000\u0001\u0000\u0000\u0000\u0000,\u0000\u0000\u0000\u0000\u0001\u0000\u0001\u0000\u0000\u0002\u0002D\u0001\u0000;');

  let tmp = '';
  const tree = (files: Record<string, Uint8Array>) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'tree-'));
    for (const [rel, bytes] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), bytes);
    }
    return dir;
  };
  const saved = async () => {
    const g = new IDG({ featurewiseCenter: true, featurewiseStdNormalization: true });
    await g.fit(X(4, 4, 4, 3));
    const dir = fs.mkdtempSync(path.join(tmp, 'saved-'));
    await g.save(dir);
    g.dispose();
    return dir;
  };

  const use = async (g: InstanceType<typeof IDG>) => {
    track(g);
    const c = g.config;
    const channels = c.dataFormat === 'channelsFirst' ? [2, 3, 4, 4] : [2, 4, 4, 3];
    if (c.featurewiseCenter || c.featurewiseStdNormalization || c.zcaWhitening) await g.fit(X(...channels));
    const shape = c.dataFormat === 'channelsFirst' ? [3, 3, 4, 4] : [3, 4, 4, 3];
    const batch = own(g.flow(X(...shape), null, { batchSize: 3, seed: 7 }).next().value);
    const xs = batch.xs as import('@tensorflow/tfjs-core').Tensor;
    if (!tf.util.arraysEqual(xs.shape, shape)) silent(`flow batch of shape [${xs.shape}], expected [${shape}]`);
    return batch;
  };

  type Data = { data: ArrayLike<number>; shape: number[] };
  const f64Stats = (x: Data) => {
    const c = x.shape[3]!;
    const n = x.data.length / c;
    const mean = new Float64Array(c);
    const sq = new Float64Array(c);
    for (let i = 0; i < x.data.length; i++) mean[i % c]! += Number(x.data[i]) / n;
    for (let i = 0; i < x.data.length; i++) sq[i % c]! += (Number(x.data[i]) - mean[i % c]!) ** 2 / n;
    return { mean: Array.from(mean), std: Array.from(sq, Math.sqrt) };
  };
  const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string, rel = 1e-4) => {
    if (a.length !== b.length) silent(`${what}: length ${a.length}, float64 recomputation has ${b.length}`);
    for (let i = 0; i < a.length; i++) {
      const x = Number(a[i]);
      const y = Number(b[i]);
      if (!Number.isFinite(x) && Number.isFinite(y)) silent(`${what}[${i}] = ${x}, float64 recomputation ${y}`);
      if (Math.abs(x - y) > rel * Math.max(1, Math.abs(y))) silent(`${what}[${i}] = ${x}, float64 recomputation ${y}`);
    }
    return true;
  };
  const checkStats = (g: InstanceType<typeof IDG>, x: Data) => {
    const s = f64Stats(x);
    if (g.mean) close(g.mean, s.mean, 'mean');
    if (g.std) close(g.std, s.std, 'std');
    return { mean: g.mean, std: g.std };
  };
  const closeTensor = (t: import('@tensorflow/tfjs-core').Tensor, want: ArrayLike<number>, shape: number[]) => {
    own(t);
    if (!tf.util.arraysEqual(t.shape, shape)) silent(`shape [${t.shape}], expected [${shape}]`);
    close(t.dataSync(), want, 'output');
    return t;
  };
  const checkSamplewise = (t: import('@tensorflow/tfjs-core').Tensor, flat: ArrayLike<number>) => {
    const c = t.shape[t.shape.length - 1]!;
    const n = flat.length;
    const mean = Array.from(flat).reduce((a, b) => a + Number(b), 0) / n;
    const std = Math.sqrt(Array.from(flat).reduce((a, b) => a + (Number(b) - mean) ** 2, 0) / n);
    void c;
    return closeTensor(t, Array.from(flat, (v) => (Number(v) - mean) / (std + 1e-6)), [...t.shape]);
  };
  /** Keras: sigma = X^T X / n of per-channel-centred X; W = U diag(1/sqrt(s + eps)) U^T; out = flat(x - mean) @ W. */
  const checkZca = async (g: InstanceType<typeof IDG>, x: Data, eps: number) => {
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const d = h * w * c;
    const s = f64Stats(x);
    const xc = Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, f) => Number(x.data[i * d + f]) - s.mean[f % c]!));
    const sigma = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => xc.reduce((acc, row) => acc + row[a]! * row[b]!, 0) / n));
    // Jacobi eigendecomposition, float64.
    const A = sigma.map((r) => r.slice());
    const V: number[][] = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j): number => (i === j ? 1 : 0)));
    for (let sweep = 0; sweep < 100; sweep++) {
      let off = 0;
      for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += A[p]![q]! ** 2;
      if (off < 1e-24) break;
      for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) {
        if (Math.abs(A[p]![q]!) < 1e-300) continue;
        const theta = (A[q]![q]! - A[p]![p]!) / (2 * A[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1);
        const sn = t * cs;
        for (let k = 0; k < d; k++) { const akp = A[k]![p]!; const akq = A[k]![q]!; A[k]![p] = cs * akp - sn * akq; A[k]![q] = sn * akp + cs * akq; }
        for (let k = 0; k < d; k++) { const apk = A[p]![k]!; const aqk = A[q]![k]!; A[p]![k] = cs * apk - sn * aqk; A[q]![k] = sn * apk + cs * aqk; }
        for (let k = 0; k < d; k++) { const vkp = V[k]![p]!; const vkq = V[k]![q]!; V[k]![p] = cs * vkp - sn * vkq; V[k]![q] = sn * vkp + cs * vkq; }
      }
    }
    const W = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => V[a]!.reduce((acc, _v, k) => acc + V[a]![k]! * V[b]![k]! / Math.sqrt(Math.max(A[k]![k]!, 0) + eps), 0)));
    const want = xc.flatMap((row) => Array.from({ length: d }, (_, b) => row.reduce((acc, v, a) => acc + v * W[a]![b]!, 0)));
    const out = own(g.standardize(x as never));
    close(out.dataSync(), want, 'ZCA output', 2e-3);
    return null;
  };

  const runChild = (file: string, args: string[], timeoutMs: number, input?: string) =>
    new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; ms: number }>((resolve) => {
      const t0 = Date.now();
      const p = spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => { stdout += d; });
      p.stderr.on('data', (d) => { stderr += d; });
      if (input) p.stdin.end(input); else p.stdin.end();
      const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal: signal ?? null, stdout, stderr, ms: Date.now() - t0 }); });
    });
  const cli = async (argText: string) => {
    const data = tree({ 'a/x.png': png(6, 6), 'b/y.jpg': jpg(6, 6) });
    const bad = tree({ 'a/ok.png': png(6, 6), 'a/bad.png': png(6, 6).subarray(0, 30) });
    const cfg = (name: string, body: string) => { const p = path.join(tmp, name); fs.writeFileSync(p, body); return p; };
    const corrupt = await saved();
    fs.writeFileSync(path.join(corrupt, 'generator.json'), '{"format": ');
    const subst: Record<string, string> = {
      DATA: data, BADDATA: bad, OUT: path.join(tmp, 'out'), CFG_FC: cfg('fc.json', '{"featurewise_center": true}'),
      CFG_BAD: cfg('bad.json', '{"featurewise_center": tru'), CFG_NULL: cfg('null.json', 'null'), CFG_BADVAL: cfg('badval.json', '{"featurewise_center": true, "rotation_range": "x"}'), CORRUPT: corrupt,
    };
    const args = argText === '' ? [] : argText.split(' ').map((a) => a.replace(/^(DATA|BADDATA|OUT|CFG_FC|CFG_BAD|CFG_NULL|CFG_BADVAL|CORRUPT)(?=$|\/|\.)/, (m) => subst[m]!));
    return { cli: await runChild(path.join(ROOT, 'src/cli.ts'), args, 80_000) };
  };
  const script = async (body: string, opts: { signalOk?: string } = {}) => {
    const dir = path.join(ROOT, 'node_modules', '.cache', 'idg-probe');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `script-${process.pid}-${Date.now()}.mts`);
    const header = `import * as tf from '@tensorflow/tfjs-core';\nimport { ImageDataGenerator as IDG, useBestBackend } from ${JSON.stringify(path.join(ROOT, 'src/index.ts'))};\nawait useBestBackend();\nconst X = (...shape) => ({ data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i * 37) % 255), shape });\n`;
    fs.writeFileSync(file, header + body + '\n');
    try {
      return { script: await runChild(file, [], 50_000), signalOk: opts.signalOk ?? null };
    } finally {
      fs.rmSync(file, { force: true });
    }
  };

  const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;

  let layers: { dispose(): unknown }[] = [];
  const tensorsIn = (v: unknown, out: import('@tensorflow/tfjs-core').Tensor[], depth = 0): void => {
    if (depth > 4 || v === null || typeof v !== 'object') return;
    if (v instanceof tf.Tensor) { out.push(v); return; }
    if (v instanceof IDG) { tracked.push(v); return; }
    if (typeof (v as { apply?: unknown }).apply === 'function' && typeof (v as { getWeights?: unknown }).getWeights === 'function') { layers.push(v as { dispose(): unknown }); return; }
    if (Array.isArray(v)) { for (const e of v) tensorsIn(e, out, depth + 1); return; }
    if (ArrayBuffer.isView(v)) return;
    for (const e of Object.values(v as object)) tensorsIn(e, out, depth + 1);
  };

  for (let i = from; i < cases.length; i++) {
    const spec = cases[i]!;
    if (only && !spec.id.includes(only)) continue;
    emit({ start: i });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'idg-probe-'));
    owned = [];
    tracked = [];
    warnings.length = 0;
    pngAll.length = 0;
    seed = 1 + i;
    const before = tf.memory().numTensors;
    const t0 = Date.now();
    let outcome: Outcome;
    let detail = '';
    let result: unknown;
    try {
      const fn = new AsyncFunction(...helperNames, spec.code);
      result = await fn(IDG, tf, E, ndarray, fs, path, X, T, own, track, use, png, png16, jpg, bmp, bmpHeader, bmp8BadPalette, ppm, pngHuge, corruptPng, tiffHuge, gif, text, tree, saved, cli, script, silent, f64Stats, close, closeTensor, checkStats, checkSamplewise, checkZca, crc32, tmp, spawnSync);
      const r = result as { cli?: { code: number | null; signal: string | null; stdout: string; stderr: string }; script?: { code: number | null; signal: string | null; stdout: string; stderr: string; ms: number }; signalOk?: string | null } | null;
      if (r && typeof r === 'object' && 'cli' in r && r.cli) {
        const { code, signal, stderr, stdout } = r.cli;
        const message = (stderr.trim().split('\n').find((l) => l.startsWith('idg: ')) ?? stderr.trim().split('\n')[0] ?? '').slice(0, 300);
        const stack = /\n\s+at /.test(stderr);
        if (signal) { outcome = code === null && signal === 'SIGKILL' ? 'hang' : 'crash'; detail = `killed by ${signal}; stderr: ${stderr.slice(-300)}`; }
        else if (code === 0) { outcome = spec.expect === 'error' ? 'silent' : 'success'; detail = `exit 0${spec.expect === 'error' ? ' (accepted)' : ''}: ${stdout.trim().split('\n')[0]?.slice(0, 200) ?? ''}`; }
        else if (stack) { outcome = 'untyped'; detail = `exit ${code} with a stack trace: ${stderr.trim().slice(0, 300).replace(/\n/g, ' | ')}`; }
        else if (spec.names?.every((n) => message.toLowerCase().includes(n.replace(/DATA|OUT/g, '').toLowerCase()))) { outcome = spec.expect === 'success' ? 'refused' : 'typed'; detail = `exit ${code}: ${message}`; }
        else { outcome = 'untyped'; detail = `exit ${code}, message does not name ${JSON.stringify(spec.names)}: ${message}`; }
      } else if (r && typeof r === 'object' && 'script' in r && r.script) {
        const { code, signal, stderr, ms } = r.script;
        if (signal === 'SIGKILL') { outcome = 'hang'; detail = `script did not exit within 50 s (${ms} ms)`; }
        else if (signal && signal !== r.signalOk) { outcome = 'crash'; detail = `script killed by ${signal}: ${stderr.slice(-300)}`; }
        else if (code !== 0 && !signal) { outcome = /\n\s+at /.test(stderr) ? 'crash' : 'untyped'; detail = `script exit ${code}: ${stderr.trim().slice(-400).replace(/\n/g, ' | ')}`; }
        else { outcome = 'success'; detail = `exit ${signal ?? code} after ${ms} ms`; }
      } else {
        const tensors: import('@tensorflow/tfjs-core').Tensor[] = [];
        tensorsIn(result, tensors);
        if (tensors.some((t) => t.isDisposed)) silent('a returned tensor is already disposed');
        if (!spec.allowNonFinite) {
          for (const t of tensors) {
            if (t.dtype === 'string') continue;
            const v = t.dataSync() as Float32Array;
            const k = v.findIndex((e) => !Number.isFinite(e));
            if (k >= 0) silent(`returned tensor [${t.shape}] holds ${v[k]} at ${k}`);
          }
        }
        for (const arr of [(result as { mean?: unknown })?.mean, (result as { std?: unknown })?.std, result]) {
          if (arr instanceof Float32Array && !spec.allowNonFinite && !arr.every(Number.isFinite)) silent(`returned statistic holds non-finite values: [${Array.from(arr).slice(0, 4)}]`);
        }
        if (spec.expect === 'error') { outcome = 'silent'; detail = `accepted: ${describe(result)}${warnings.length ? `; warned: ${warnings[0]}` : ''}`; }
        else { outcome = 'success'; detail = `${describe(result)}${warnings.length ? `; warned: ${warnings[0]!.slice(0, 150)}` : ''}`; }
      }
    } catch (e) {
      const err = e as Error;
      const message = String(err?.message ?? err).replace(/\s+/g, ' ').slice(0, 400);
      if (err instanceof Silent) { outcome = 'silent'; detail = message; }
      else if (err instanceof lib.ImageDataGeneratorError) {
        const missing = (spec.names ?? []).filter((n) => !message.toLowerCase().includes(n.toLowerCase()));
        if (missing.length) { outcome = 'untyped'; detail = `${err.name} does not name ${JSON.stringify(missing)}: ${message}`; }
        else { outcome = spec.expect === 'success' ? 'refused' : 'typed'; detail = `${err.name}: ${message}`; }
      } else {
        // A user's own error passing through unchanged (named in `names`) counts as typed.
        const passthrough = (spec.names ?? []).length > 0 && spec.names!.some((n) => /broke|bug|boom|full|down/.test(n) && message.includes(n));
        outcome = passthrough ? 'typed' : 'untyped';
        detail = `${err?.name ?? typeof e}${passthrough ? ' (the user\'s own error, passed through)' : ''}: ${message}`;
      }
    }
    // Free what the case returned, created as input, or made a generator of; then count tensors.
    const returned: import('@tensorflow/tfjs-core').Tensor[] = [];
    tensorsIn(result, returned);
    const kept = (globalThis as { __kept?: import('@tensorflow/tfjs-core').Tensor[] }).__kept;
    if (kept) { tf.dispose(kept); delete (globalThis as { __kept?: unknown }).__kept; }
    tensorsIn(owned, returned);
    for (const t of returned) if (!t.isDisposed) t.dispose();
    for (const l of layers) { try { l.dispose(); } catch { /* not built: holds no weights */ } }
    layers = [];
    for (const g of tracked) { try { g.dispose(); } catch { /* a generator whose dispose fails is reported by its own case */ } }
    await new Promise((r) => setTimeout(r, 0));
    const grew = tf.memory().numTensors - before;
    if (grew > 0 && outcome !== 'crash') { detail = `numTensors grew by ${grew} (was ${outcome}: ${detail})`; outcome = 'leak'; }
    fs.rmSync(tmp, { recursive: true, force: true });
    emit({ result: { index: i, id: spec.id, outcome, detail, ms: Date.now() - t0 } });
  }
  emit({ done: true });
  process.exit(0);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v !== 'object') return String(v).slice(0, 80);
  if ((v as { shape?: unknown }).shape && (v as { dtype?: unknown }).dtype) return `tensor [${(v as { shape: number[] }).shape}] ${(v as { dtype: string }).dtype}`;
  if ((v as { xs?: unknown }).xs) return `batch xs ${describe((v as { xs: unknown }).xs)}`;
  if ((v as { value?: unknown }).value) return describe((v as { value: unknown }).value);
  if (Array.isArray(v)) return `array of ${v.length}`;
  if (v instanceof Float32Array) return `[${Array.from(v).slice(0, 4).map((x) => x.toPrecision(4))}]`;
  return v.constructor?.name ?? 'object';
}

// ---------------------------------------------------------------- parent: supervises children

async function parent(): Promise<void> {
  const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : undefined; };
  const only = arg('only') ?? null;
  const defaultTimeout = Number(arg('timeout') ?? 20);
  const jsonOut = arg('json');
  const results: Result[] = [];
  const t0 = Date.now();
  let next = 0;
  while (next < cases.length) {
    const args = [path.join(HERE, 'probe.ts'), '--child', String(next), ...(only ? ['--only', only] : [])];
    const p = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let current: number | null = null;
    let stderr = '';
    let buffer = '';
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    let finished = false;
    let gotResult = false;
    const arm = (i: number) => {
      clearTimeout(timer);
      const s = (cases[i]!.timeoutS ?? defaultTimeout) * 1000;
      timer = setTimeout(() => { timedOut = true; p.kill('SIGKILL'); }, s + 15_000 /* child startup and tfjs import */ * (current === null ? 1 : 0));
    };
    arm(next);
    p.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
    p.stdout.on('data', (d) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const at = line.indexOf(MARK);
        if (at < 0) continue;
        const msg = JSON.parse(line.slice(at + MARK.length)) as { start?: number; result?: Result; done?: boolean };
        if (msg.start !== undefined) { current = msg.start; stderr = ''; arm(msg.start); }
        if (msg.result) {
          results.push(msg.result);
          gotResult = true;
          const r = msg.result;
          process.stdout.write(`${String(results.length).padStart(3)} ${r.outcome.padEnd(8)} ${r.id}\n`);
          next = current! + 1;
          current = null;
          clearTimeout(timer);
          timer = setTimeout(() => { timedOut = true; p.kill('SIGKILL'); }, 20_000);
        }
        if (msg.done) { finished = true; next = cases.length; }
      }
    });
    const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((resolve) => p.on('close', (c, s) => resolve({ code: c, signal: s })));
    clearTimeout(timer);
    if (finished) break;
    if (current === null) {
      // Died between cases: after a case's result (blame that case), or before the first case started.
      if (timedOut || code !== 0) {
        const last = results[results.length - 1];
        const blamed = gotResult && last ? last.index : next;
        results.push({ index: blamed, id: `${cases[blamed]!.id} (child died after the case's result, before the next case)`, outcome: timedOut ? 'hang' : 'crash', detail: `exit ${code ?? signal}: ${stderr.trim().slice(-300).replace(/\n/g, ' | ')}`, ms: 0 });
        if (!gotResult) next++;
      }
      continue;
    }
    const spec = cases[current]!;
    const outcome: Outcome = timedOut ? 'hang' : 'crash';
    const detail = timedOut ? `no result within ${spec.timeoutS ?? defaultTimeout} s` : `child exited ${signal ? `by signal ${signal}` : `with code ${code}`} during the case; stderr: ${stderr.trim().slice(-400).replace(/\n/g, ' | ')}`;
    results.push({ index: current, id: spec.id, outcome, detail, ms: 0 });
    process.stdout.write(`${String(results.length).padStart(3)} ${outcome.padEnd(8)} ${spec.id}\n`);
    next = current + 1;
  }

  const order: Outcome[] = ['typed', 'success', 'refused', 'crash', 'hang', 'leak', 'silent', 'untyped'];
  const counts = Object.fromEntries(order.map((o) => [o, results.filter((r) => r.outcome === o).length]));
  console.log(`\nPROBE ${results.length} cases in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log('| class   | count |');
  console.log('|---------|-------|');
  for (const o of order) console.log(`| ${o.padEnd(7)} | ${String(counts[o]).padStart(5)} |`);
  const bad = results.filter((r) => !['typed', 'success', 'refused'].includes(r.outcome));
  console.log(`\n${bad.length} cases that are not a typed error or a Keras-like success:`);
  for (const r of bad) {
    const spec = cases[r.index]!;
    console.log(`\n[${r.outcome}] ${r.id}\n  repro: ${spec.code}\n  got:   ${r.detail}`);
  }
  const refused = results.filter((r) => r.outcome === 'refused');
  if (refused.length) {
    console.log(`\n${refused.length} typed refusals of input Keras accepts (not counted as failures):`);
    for (const r of refused) console.log(`  ${r.id}: ${r.detail}`);
  }
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(results, null, 1));
  process.exit(bad.length ? 1 : 0);
}

if (process.argv.includes('--check')) {
  // Compiles every snippet without running it: a syntax error in a case would otherwise look like an untyped error.
  const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => unknown;
  let bad = 0;
  for (const c of cases) {
    try { new AsyncFunction(...helperNames, c.code); } catch (e) { bad++; console.log(`${c.id}: ${(e as Error).message}`); }
  }
  const ids = new Set(cases.map((c) => c.id));
  console.log(`${cases.length} cases, ${ids.size} distinct ids, ${bad} that do not compile`);
  process.exit(bad ? 1 : 0);
} else if (process.argv.includes('--child')) {
  const i = process.argv.indexOf('--child');
  const o = process.argv.indexOf('--only');
  await child(Number(process.argv[i + 1]), o >= 0 ? process.argv[o + 1]! : null);
} else {
  if (spawnSync(process.execPath, ['--import', 'tsx', '-e', '0'], { cwd: ROOT }).status !== 0) {
    console.error('probe: needs tsx (npm install)');
    process.exit(2);
  }
  console.log(`probe: ${cases.length} cases`);
  await parent();
}
