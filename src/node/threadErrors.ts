/**
 * Errors that cross from a worker thread to the calling thread. Structured
 * cloning keeps only an Error's message and a built-in name, so a thread
 * sends `toWire(error)` and the calling thread rebuilds the same typed error
 * (class, message and fields) with `fromWire`; anything that is not one of
 * this library's errors arrives as a WorkerThreadError naming the work.
 */
import * as errors from '../errors.js';

export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** The error's own fields (argument, file, ...), those that survive structured cloning. */
  fields: Record<string, unknown>;
}

export function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    try {
      fields[key] = structuredClone(value);
    } catch {
      // A field that cannot be cloned (a function, say) stays behind; the message still describes it.
    }
  }
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

type ErrorClass = abstract new (...args: never[]) => errors.ImageDataGeneratorError;

const isErrorClass = (value: unknown): value is ErrorClass =>
  typeof value === 'function' && (value === errors.ImageDataGeneratorError || value.prototype instanceof errors.ImageDataGeneratorError);

/** Every error class of errors.ts, by name. */
const classes = new Map<string, ErrorClass>(Object.values<unknown>(errors).filter(isErrorClass).map((value) => [(value.prototype as Error).name, value]));

/** The typed error `wire` describes; `operation` names the work for errors that are not this library's. */
export function fromWire(wire: WireError, operation: string): errors.ImageDataGeneratorError {
  const type = classes.get(wire.name);
  if (!type) return new errors.WorkerThreadError(operation, `${wire.name}: ${wire.message}`);
  const error = Object.create(type.prototype) as errors.ImageDataGeneratorError;
  Object.assign(error, wire.fields);
  Object.defineProperties(error, {
    name: { value: wire.name, writable: true, configurable: true },
    message: { value: wire.message, writable: true, configurable: true },
    stack: { value: wire.stack ?? `${wire.name}: ${wire.message}`, writable: true, configurable: true },
  });
  return error;
}
