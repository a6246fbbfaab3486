"""PNG decoding goldens: small crafted PNGs (and one JPEG) and what Keras reads from them.

    /tmp/kvenv/bin/python tools/keras-goldens/png_decode.py

(or through make_all.py). Needs keras and Pillow. Writes
test/fixtures/keras-goldens/png/:

- files/*.png|jpg: PNGs written byte by byte (so every bit depth and colour
  type is what the name says): grayscale 1/2/4/8/16-bit, palette 1/2/4/8-bit
  with and without a tRNS chunk, grayscale 8-bit with a tRNS colour key,
  grayscale + alpha 8 and 16-bit, RGB 8 and 16-bit, RGBA 8 and 16-bit, an
  interlaced (Adam7) RGB, a PNG with an eXIf orientation 6 chunk and a JPEG
  with EXIF orientation 8 (load_img ignores both); also images wider than 8
  bits in other formats: Netpbm greymaps (binary and plain, maxval 1000 and
  65535, and maxval 6 for Python's half-to-even rounding) and a 16-bit
  pixmap, a 16-bit grey TIFF ('I;16') and a 32-bit integer TIFF ('I',
  negative and large values); each under a few KB.
- data/*.bin: `img_to_array(load_img(file, color_mode, target_size, interpolation))`
  for colour modes rgb, grayscale and rgba, at the file's own size and
  resized to an odd size with nearest and bilinear (16-bit grayscale also
  and the other wide greys with bicubic, lanczos and keep_aspect_ratio); uint8 when every value fits,
  else float32 (16-bit grayscale stays 'I;16' in Keras's grayscale mode, so
  values go up to 65535).
- index.json: per case the file, its sha256, the options and the array.

What Pillow 12 does with them (and so Keras): 16-bit grayscale opens as
'I;16' (kept by color_mode='grayscale', resized in 16 bits with double
weights; converted to 'L'/'RGB'/'RGBA' by clipping at 255); 16-bit RGB,
RGBA and grayscale + alpha keep the high byte of each sample (LA 16-bit opens
as RGBA); 1-bit grayscale opens as '1' (0/255), 2/4-bit as 'L' scaled by
85/17; palette images as 'P', whose tRNS becomes alpha only in 'rgba'.

test/png-decode.test.ts decodes each file through the library and requires
these values exactly (max abs diff 0).
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib

import common  # noqa: F401  (sets KERAS_BACKEND before keras loads)
import numpy as np
from common import GoldenWriter, file_sha256

NAME = "png"
SIZE = (11, 13)  # (height, width) of every crafted image
TARGET = (5, 7)  # the odd size resized cases go to (height, width)


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, depth: int, ctype: int, rows: list[bytes], *, extra: bytes = b"", interlace: int = 0) -> bytes:
    """A PNG of the given rows (filter byte 0 added here), before IDAT: `extra` chunks."""
    raw = b"".join(b"\0" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, depth, ctype, 0, 0, interlace)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def pack_bits(values: np.ndarray, depth: int) -> list[bytes]:
    """Rows of `depth`-bit samples, packed most significant first."""
    rows = []
    for row in values:
        bits = "".join(format(int(v), f"0{depth}b") for v in row)
        bits += "0" * (-len(bits) % 8)
        rows.append(bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8)))
    return rows


def rows16(a: np.ndarray) -> list[bytes]:
    return [r.astype(">u2").tobytes() for r in a]


def rows8(a: np.ndarray) -> list[bytes]:
    return [r.astype("u1").tobytes() for r in a]


def adam7(width: int, height: int, channels: int, a: np.ndarray) -> bytes:
    """Raw Adam7 pass data (8-bit samples) for an interlaced PNG."""
    out = b""
    for x0, y0, dx, dy in ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)):
        sub = a[y0::dy, x0::dx]
        if sub.size:
            out += b"".join(b"\0" + r.astype("u1").tobytes() for r in sub.reshape(sub.shape[0], -1))
    return out


def crafted() -> list[tuple[str, bytes, str]]:
    """(file name, bytes, what it exercises)."""
    rng = np.random.default_rng(20240611)
    h, w = SIZE
    yy, xx = np.mgrid[0:h, 0:w]
    files = []

    # 16-bit grayscale: a third small values (kept below 255 by RGB's clip), the rest over the whole range.
    g16 = rng.integers(0, 65536, (h, w))
    g16[:, : w // 3] = rng.integers(0, 400, (h, w // 3))
    g16[0, :4] = [0, 255, 256, 65535]
    files.append(("gray16.png", png(w, h, 16, 0, rows16(g16)), "16-bit grayscale (I;16): kept in grayscale, clipped at 255 otherwise"))
    smooth = (xx * 5000 + yy * 700 + (xx * yy) % 7 * 311).clip(0, 65535)
    files.append(("gray16_smooth.png", png(w, h, 16, 0, rows16(smooth)), "16-bit grayscale gradient"))
    key = int(g16[1, 1])
    files.append(("gray16_trns.png", png(w, h, 16, 0, rows16(g16), extra=chunk(b"tRNS", struct.pack(">H", key))),
                  "16-bit grayscale with a tRNS colour key (still 'I;16': Pillow ignores the key, alpha stays 255)"))
    for depth in (1, 2, 4, 8):
        v = rng.integers(0, 2**depth, (h, w))
        files.append((f"gray{depth}.png", png(w, h, depth, 0, pack_bits(v, depth) if depth < 8 else rows8(v)), f"{depth}-bit grayscale"))
    for depth in (1, 2, 4, 8):
        n = 2**depth if depth < 8 else 200
        pal = rng.integers(0, 256, (n, 3))
        v = rng.integers(0, n, (h, w))
        rows = pack_bits(v, depth) if depth < 8 else rows8(v)
        plte = chunk(b"PLTE", pal.astype("u1").tobytes())
        files.append((f"palette{depth}.png", png(w, h, depth, 3, rows, extra=plte), f"{depth}-bit palette"))
        alpha = rng.integers(0, 256, min(n, 11))
        alpha[0], alpha[1] = 0, 255
        trns = chunk(b"tRNS", alpha.astype("u1").tobytes())
        files.append((f"palette{depth}_trns.png", png(w, h, depth, 3, rows, extra=plte + trns), f"{depth}-bit palette with tRNS (first entries)"))
    g8 = rng.integers(0, 256, (h, w))
    g8[::3, ::2] = 77
    files.append(("gray8_trns.png", png(w, h, 8, 0, rows8(g8), extra=chunk(b"tRNS", struct.pack(">H", 77))), "8-bit grayscale with a tRNS colour key"))
    la = rng.integers(0, 256, (h, w, 2))
    la[..., 1][::4] = 0
    la[..., 1][1::4] = 255
    files.append(("la8.png", png(w, h, 8, 4, rows8(la.reshape(h, -1))), "8-bit grayscale + alpha"))
    la16 = rng.integers(0, 65536, (h, w, 2))
    files.append(("la16.png", png(w, h, 16, 4, rows16(la16.reshape(h, -1))), "16-bit grayscale + alpha"))
    rgb = rng.integers(0, 256, (h, w, 3))
    files.append(("rgb8.png", png(w, h, 8, 2, rows8(rgb.reshape(h, -1))), "8-bit RGB"))
    rgb16 = rng.integers(0, 65536, (h, w, 3))
    files.append(("rgb16.png", png(w, h, 16, 2, rows16(rgb16.reshape(h, -1))), "16-bit RGB (high bytes)"))
    rgba = rng.integers(0, 256, (h, w, 4))
    rgba[..., 3][::3] = 0
    rgba[..., 3][1::3] = 255
    files.append(("rgba8.png", png(w, h, 8, 6, rows8(rgba.reshape(h, -1))), "8-bit RGBA (alpha dropped in rgb, ignored by luma)"))
    rgba16 = rng.integers(0, 65536, (h, w, 4))
    files.append(("rgba16.png", png(w, h, 16, 6, rows16(rgba16.reshape(h, -1))), "16-bit RGBA"))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1)
    inter = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(adam7(w, h, 3, rgb), 9)) + chunk(b"IEND", b"")
    files.append(("rgb8_interlaced.png", inter, "8-bit RGB, Adam7 interlaced"))

    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6
    exif_bytes = exif.tobytes()
    files.append(("rgb8_exif6.png", png(w, h, 8, 2, rows8(rgb.reshape(h, -1)), extra=chunk(b"eXIf", exif_bytes)), "eXIf orientation 6 (ignored)"))
    exif[0x0112] = 8
    buf = io.BytesIO()
    Image.fromarray(rgb.astype("u1")).resize((32, 24)).save(buf, "JPEG", quality=90, exif=exif.tobytes())
    files.append(("exif8.jpg", buf.getvalue(), "JPEG with EXIF orientation 8 (ignored)"))
    # Netpbm and TIFF images wider than 8 bits (greymaps named .ppm, an extension Keras lists): Pillow opens greymaps with maxval > 255 as 'I' (values scaled
    # to 0..65535, Python's round), 16-bit PPMs as 'RGB' scaled to 255, 16-bit grey TIFFs as 'I;16' and
    # 32-bit integer TIFFs as 'I' (negative and large values kept).
    def netpbm(magic: str, maxval: int, values: np.ndarray) -> bytes:
        """`values` (h, w) for grey, (h, w, 3) for colour."""
        head = f"{magic}\n{values.shape[1]} {values.shape[0]}\n{maxval}\n".encode()
        if magic in ("P2", "P3"):
            return head + " ".join(str(int(v)) for v in values.ravel()).encode() + b"\n"
        return head + values.astype(">u2" if maxval > 255 else "u1").tobytes()

    wide = rng.integers(0, 1001, (h, w))
    wide[0, :4] = [0, 1, 999, 1000]
    files.append(("wide_p5_1000.ppm", netpbm("P5", 1000, wide), "binary PGM, maxval 1000 ('I', scaled to 65535)"))
    files.append(("wide_p2_1000.ppm", netpbm("P2", 1000, wide), "plain PGM, maxval 1000 ('I', scaled to 65535)"))
    files.append(("wide_p5_65535.ppm", netpbm("P5", 65535, g16), "binary PGM, maxval 65535 ('I', as stored)"))
    halves = rng.integers(0, 7, (h, w))
    files.append(("gray_p5_6.ppm", netpbm("P5", 6, halves), "binary PGM, maxval 6 (scaled to 255; halves round to even)"))
    files.append(("rgb_p6_1000.ppm", netpbm("P6", 1000, rng.integers(0, 1001, (h, w, 3))), "16-bit binary PPM ('RGB', scaled to 255)"))
    buf = io.BytesIO()
    Image.fromarray(g16.astype("<u2")).save(buf, "TIFF")
    files.append(("gray16_tiff.tif", buf.getvalue(), "16-bit grey TIFF (I;16)"))
    i32 = (rng.integers(-70000, 200000, (h, w))).astype("<i4")
    i32[0, :3] = [-5, 0, 70000]
    buf = io.BytesIO()
    Image.fromarray(i32, mode="I").save(buf, "TIFF")
    files.append(("wide_int32.tif", buf.getvalue(), "32-bit integer TIFF ('I', negative and large values kept)"))
    return files


def resizes(name: str) -> list[tuple[str, dict]]:
    """(suffix, load_img options) of the resized cases for a file."""
    out = [("", {}), ("nearest", {"target_size": TARGET, "interpolation": "nearest"}), ("bilinear", {"target_size": TARGET, "interpolation": "bilinear"})]
    if name.startswith(("gray16", "wide")):
        out += [
            ("bicubic", {"target_size": TARGET, "interpolation": "bicubic"}),
            ("lanczos", {"target_size": TARGET, "interpolation": "lanczos"}),
            ("box", {"target_size": TARGET, "interpolation": "box"}),
            ("bilinear_up", {"target_size": (17, 23), "interpolation": "bilinear"}),
            ("bicubic_up", {"target_size": (17, 23), "interpolation": "bicubic"}),
            ("bilinear_keep", {"target_size": (6, 4), "interpolation": "bilinear", "keep_aspect_ratio": True}),
            ("nearest_keep", {"target_size": (6, 4), "interpolation": "nearest", "keep_aspect_ratio": True}),
        ]
    return out


def main() -> None:
    from keras.utils import img_to_array, load_img

    w = GoldenWriter(NAME)
    files = w.dir / "files"
    files.mkdir(exist_ok=True)
    made = set()
    for file, data, what in crafted():
        (files / file).write_bytes(data)
        made.add(file)
        stem = file.rsplit(".", 1)[0]
        for mode in ("rgb", "grayscale", "rgba"):
            for suffix, options in resizes(file):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # Pillow's "palette images with transparency" advice
                    x = img_to_array(load_img(files / file, color_mode=mode, **options))
                array = "_".join(p for p in (stem, mode, suffix) if p)
                w.add(array, x)
                w.cases.append({
                    "id": array, "file": f"files/{file}", "file_sha256": file_sha256(files / file), "color_mode": mode,
                    "target_size": list(options.get("target_size", x.shape[:2])), "interpolation": options.get("interpolation", "nearest"),
                    "keep_aspect_ratio": options.get("keep_aspect_ratio", False), "x": array, "what": what,
                })
    for stale in files.iterdir():
        if stale.name not in made:
            stale.unlink()
    w.write_index(
        generator="tools/keras-goldens/png_decode.py",
        description="img_to_array(load_img(file, color_mode, target_size, interpolation, keep_aspect_ratio)) for crafted PNGs of every bit depth and colour type",
    )
    print(f"png: {len(w.cases)} cases, {w.size_bytes()} bytes")


if __name__ == "__main__":
    main()
