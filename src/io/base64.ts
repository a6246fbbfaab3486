/** The bytes of a base64 text (the wasm modules are committed as base64); works in Node and browsers. */
export const base64Bytes = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
