/**
 * What a TypeScript user compiles: the built declarations (dist/*.d.ts from
 * tsconfig.build.json) consumed by a project with `strict`,
 * `exactOptionalPropertyTypes` and `noUncheckedIndexedAccess`. It compiles
 * every TypeScript snippet of the README (read from the README, so the README
 * cannot drift) and a file of typed-batch uses that must need no casts, plus
 * misuses that must not compile.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the repository, so the consumer resolves @tensorflow/* from its node_modules.
const work = mkdtempSync(join(root, '.types-check-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const tsc = (args: string[]) => spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), ...args], { cwd: root, encoding: 'utf8' });

/** The ```ts blocks of the README, in order. */
function readmeSnippets(): string[] {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** Names the README's snippets use from the text around them, declared once for all of them. */
const PRELUDE = `import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type * as lib from 'tfjs-image-data-generator';
declare global {
  const ImageDataGenerator: typeof lib.ImageDataGenerator;
  const useBestBackend: typeof lib.useBestBackend;
  const generator: lib.ImageDataGenerator;
  const model: tfl.LayersModel;
  const trainImages: tf.Tensor4D;
  const trainLabels: tf.Tensor2D;
  const images: tf.Tensor4D;
  const image: tf.Tensor3D;
  const rawImages: tf.Tensor4D;
  const handler: tf.io.IOHandler;
  const readFileSync: typeof import('node:fs').readFileSync;
}
export {};
`;

/** Batches typed by what was asked for: each use compiles without a cast, each misuse is an error. */
const TYPED_BATCHES = `import * as tf from '@tensorflow/tfjs-core';
import { ImageDataGenerator, type Batch } from 'tfjs-image-data-generator';

declare const x: tf.Tensor4D;
declare const y: tf.Tensor2D;
declare const misc: tf.Tensor2D;
const g = new ImageDataGenerator({ rotationRange: 10 });

const plain = g.flow(x).next().value;
const shape: number[] = plain.xs.shape;
const rank4: tf.Tensor4D = plain.xs;
// @ts-expect-error a flow without labels has no ys
plain.ys.dispose();

const labelled = g.flow(x, y, { batchSize: 8 }).next().value;
labelled.ys.dispose();
const images: tf.Tensor4D = labelled.xs;

const withMisc = g.flow([x, [misc]], y).next().value;
const [first, ...rest] = withMisc.xs;
const firstImages: tf.Tensor4D = first;
const others: tf.Tensor[] = rest;

const typed: Batch<tf.Tensor4D, tf.Tensor> = labelled;
const weights: tf.Tensor1D | undefined = labelled.sampleWeight;

async function files() {
  const dir = await g.flowFromDirectory('data', { targetSize: [8, 8] });
  const b = (await dir.next()).value;
  b.ys.dispose();
  const xs: tf.Tensor4D = b.xs;
  for await (const { xs: more, ys } of dir) tf.dispose([more, ys]);

  const unlabelled = (await (await g.flowFromDirectory('data', { classMode: null })).next()).value;
  // @ts-expect-error classMode null gives no ys
  unlabelled.ys.dispose();

  const outputs = (await (await g.flowFromDataFrame('labels.csv', { yCol: ['a', 'b'], classMode: 'multi_output' })).next()).value;
  const columns: tf.Tensor[] = outputs.ys;
  const sparse = (await (await g.flowFromDataFrame('labels.csv', { classMode: 'sparse' })).next()).value;
  const labels: tf.Tensor = sparse.ys;
  return [xs, columns, labels];
}

export { shape, rank4, images, firstImages, others, typed, weights, files };
`;

describe('types a strict TypeScript consumer sees', () => {
  it('the README snippets and typed batches compile against the built declarations with no casts', () => {
    const dist = join(work, 'dist');
    const build = tsc(['-p', 'tsconfig.build.json', '--outDir', dist, '--sourceMap', 'false']);
    expect(build.status, build.stdout + build.stderr).toBe(0);

    const consumer = join(work, 'consumer');
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'prelude.d.ts'), PRELUDE);
    writeFileSync(join(consumer, 'typed.ts'), TYPED_BATCHES);
    const snippets = readmeSnippets();
    expect(snippets.length).toBeGreaterThanOrEqual(5);
    // Each snippet is a module of its own (export {} makes even an import-free one a module).
    snippets.forEach((code, i) => writeFileSync(join(consumer, `readme${i + 1}.ts`), `${code}\nexport {};\n`));
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], types: ['node'],
        strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, noEmit: true, skipLibCheck: true,
        paths: { 'tfjs-image-data-generator': [join(dist, 'index.d.ts')] },
      },
      include: ['*.ts'],
    }));
    const check = tsc(['-p', join(consumer, 'tsconfig.json')]);
    // Errors name the file: readmeN.ts is the README's Nth ts block.
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
