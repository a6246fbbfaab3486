/**
 * Error classes keep their names where users see them: in a minified page
 * bundle (minifiers rename classes) and after crossing a worker thread.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/errors.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('error names', () => {
  it('every error class is named after its export, also minified', async () => {
    const bundle = await build({ entryPoints: [join(here, '../src/errors.ts')], bundle: true, minify: true, format: 'esm', write: false });
    const minified = (await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0]!.text).toString('base64')}`)) as typeof errors;
    const classes = Object.entries(errors).filter(([, v]) => typeof v === 'function' && (v === errors.ImageDataGeneratorError || v.prototype instanceof errors.ImageDataGeneratorError));
    expect(classes.length).toBeGreaterThanOrEqual(13);
    for (const [name] of classes) {
      for (const module of [errors, minified]) {
        const type = module[name as keyof typeof errors] as unknown as new (...args: unknown[]) => Error;
        const error = new type('a', 'b', 'c', 'd', 'e');
        expect(error.name, name).toBe(name);
        expect(String(error.stack).startsWith(`${name}: `), name).toBe(true);
      }
    }
  });
});
