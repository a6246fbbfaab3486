/**
 * File names that are not valid UTF-8, kept as Python keeps them
 * (`surrogateescape`): each undecodable byte 0x80..0xff becomes the lone
 * surrogate U+DC80..U+DCFF, so names stay strings (Keras's `filenames` hold
 * the same strings) and map back to their exact bytes when the file is opened.
 */

/** A file name's bytes as a string; undecodable bytes become U+DC80..U+DCFF. */
export function decodeFsName(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let cp = n === 1 ? b : n === 2 ? b & 0x1f : n === 3 ? b & 0x0f : b & 0x07;
    let ok = n > 0 && i + n <= bytes.length;
    for (let k = 1; ok && k < n; k++) {
      const c = bytes[i + k]!;
      ok = (c & 0xc0) === 0x80;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    ok &&= !((n === 3 && cp < 0x800) || (n === 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff));
    if (ok) {
      out += String.fromCodePoint(cp);
      i += n;
    } else {
      out += String.fromCharCode(0xdc00 | b);
      i++;
    }
  }
  return out;
}

const ESCAPED = /(?<![\ud800-\udbff])[\udc80-\udcff]/;

/** The path to give `fs` for a name from `decodeFsName`: the string itself, or its exact bytes when it holds escaped bytes. */
export function fsPath(path: string): string | Buffer {
  if (!ESCAPED.test(path)) return path;
  const parts: Buffer[] = [];
  for (let i = 0; i < path.length; i++) {
    const u = path.charCodeAt(i);
    const paired = u >= 0xd800 && u <= 0xdbff && i + 1 < path.length && (path.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (paired) {
      parts.push(Buffer.from(path.slice(i, i + 2)));
      i++;
    } else if (u >= 0xdc80 && u <= 0xdcff) {
      parts.push(Buffer.of(u & 0xff));
    } else {
      parts.push(Buffer.from(path[i]!));
    }
  }
  return Buffer.concat(parts);
}
