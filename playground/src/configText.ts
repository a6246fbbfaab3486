/**
 * The page's options as TypeScript, JSON and a Python call with Keras's
 * argument names, and back: pasted text becomes options through the library
 * (`fromKerasConfig` for Keras's names), so its errors are the library's.
 */
import { ImageDataGenerator, type ImageDataGeneratorArgs } from '../../src/browser.js';
import { type Literal, parseConfigText } from './literal.js';
import { BY_NAME, toCamel, toSnake } from './optionSpecs.js';


function tsValue(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(tsValue).join(', ')}]`;
  return String(v);
}

function pythonValue(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `[${v.map(pythonValue).join(', ')}]`;
  return tsValue(v);
}

/** `new ImageDataGenerator({...})` with the options given. */
export function toTypeScript(args: ImageDataGeneratorArgs): string {
  const lines = Object.entries(args).map(([k, v]) => `  ${k}: ${tsValue(v)},\n`);
  return `import { ImageDataGenerator } from 'tfjs-image-data-generator';\n\nconst generator = new ImageDataGenerator({${lines.length ? `\n${lines.join('')}` : ''}});\n`;
}

export function toJson(args: ImageDataGeneratorArgs): string {
  return `${JSON.stringify(args, null, 2)}\n`;
}

/** The Keras call; options that are not Keras's are listed in a comment. */
export function toPython(args: ImageDataGeneratorArgs): string {
  const entries = Object.entries(args);
  const keras = entries.filter(([k]) => BY_NAME.get(k)?.keras);
  const own = entries.filter(([k]) => !BY_NAME.get(k)?.keras);
  const lines = keras.map(([k, v]) => `    ${toSnake(k)}=${pythonValue(k === 'dataFormat' ? toSnake(v as string) : v)},\n`);
  const note = own.length ? `# Not Keras options (this library only): ${own.map(([k, v]) => `${k}=${tsValue(v)}`).join(', ')}\n` : '';
  return `from tensorflow.keras.preprocessing.image import ImageDataGenerator\n\n${note}datagen = ImageDataGenerator(${lines.length ? `\n${lines.join('')}` : ''})\n`;
}

/**
 * Options from pasted text (TypeScript, JSON, a Python call or kwargs dict).
 * camelCase keys are this library's options; otherwise (and for no keys at
 * all) the keys are Keras's (None means the default), read by
 * `ImageDataGenerator.fromKerasConfig`, and `keras` is true: such text does
 * not hold the options that are not Keras's.
 * Throws the parser's or the library's error.
 */
export function argsFromText(text: string): { args: ImageDataGeneratorArgs; keras: boolean } {
  const dict = parseConfigText(text);
  const entries = Object.entries(dict);
  if (entries.length > 0 && entries.every(([k]) => BY_NAME.has(k))) {
    new ImageDataGenerator(dict as ImageDataGeneratorArgs).dispose();
    return { args: dict as ImageDataGeneratorArgs, keras: false };
  }
  ImageDataGenerator.fromKerasConfig(dict).dispose();
  const args: Record<string, Literal> = {};
  for (const [k, v] of entries) {
    if (v === null) continue;
    args[toCamel(k)] = k === 'data_format' ? toCamel(v as string) : v;
  }
  return { args: args as ImageDataGeneratorArgs, keras: true };
}
