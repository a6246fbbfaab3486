/**
 * The wasm modules are committed as base64 text (so bundlers and Node need
 * no file lookup). Helpers to turn them into instances; works in Node and
 * browsers.
 */

/** The bytes of a base64 text. */
export const base64Bytes = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));

/**
 * A getter for one instance of a module that has its own memory, made on
 * first use and wrapped by `wrap`; null where it cannot be compiled here.
 */
export function lazyInstance<E, T>(base64: string, wrap: (exports: E) => T): () => T | null {
  let instance: T | null | undefined;
  return () => {
    if (instance === undefined) {
      try {
        instance = wrap(new WebAssembly.Instance(new WebAssembly.Module(base64Bytes(base64))).exports as unknown as E);
      } catch {
        instance = null;
      }
    }
    return instance;
  };
}

/** `n` rounded up to a multiple of 16 (where the wasm kernels want their buffers). */
export const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** `memory`'s buffer, grown first to at least `end` bytes. */
export function reserve(memory: WebAssembly.Memory, end: number): ArrayBuffer {
  const missing = end - memory.buffer.byteLength;
  if (missing > 0) memory.grow(Math.ceil(missing / 65536));
  return memory.buffer;
}
