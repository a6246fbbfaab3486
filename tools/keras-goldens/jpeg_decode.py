"""JPEG decoding goldens: small crafted JPEGs and the pixels Keras reads from them.

    /tmp/kvenv/bin/python tools/keras-goldens/jpeg_decode.py

(or through make_all.py). Needs keras (any backend; numpy is used unless
KERAS_BACKEND says otherwise), Pillow and scikit-image (for its sample photos).
Writes test/fixtures/keras-goldens/jpeg/:

- files/*.jpg: crops of scikit-image's photos (astronaut, coffee, chelsea)
  saved by Pillow as baseline and progressive JPEGs, with 4:4:4, 4:2:2 and
  4:2:0 chroma subsampling, grayscale, restart markers (every few MCUs and
  every MCU row), odd sizes (partial MCUs at the right and bottom edges), and
  one with an EXIF orientation tag and an ICC profile (which load_img ignores);
  each a few KB. Pillow cannot write some layouts libjpeg reads, so a few
  files come from libjpeg-turbo's own `cjpeg` (Debian: apt install
  libjpeg-turbo-progs): 4:4:0 sampling, 4:2:2 with optimized Huffman tables,
  images 3 pixels wide (libjpeg replicates chroma there instead of
  interpolating), the RGB colour space and grayscale with restart markers.
- data/NAME_MODE.bin: `img_to_array(load_img(file, color_mode=MODE))` for
  MODE rgb and grayscale, at the file's own size (no resize), as uint8 HWC
  (every value is an integer in 0..255).
- index.json: per case the file, its sha256, the colour mode and the array;
  per array its file, shape, dtype and sha256; and the versions that made them.

test/jpeg-decode.test.ts decodes each file through the library and requires
these values exactly (max abs diff 0).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "test" / "fixtures" / "keras-goldens" / "jpeg"


def photos():
    import skimage.data
    from PIL import Image

    folder = Path(skimage.data.__file__).parent
    return {n: Image.open(folder / f"{n}.png").convert("RGB") for n in ("astronaut", "coffee", "chelsea")}


def crop(img, x, y, w, h):
    return img.crop((x, y, x + w, y + h))


def exif_orientation_6() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display": Pillow's load_img does not apply it
    return exif.tobytes()


def srgb_profile() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def crafted() -> list[tuple[str, object, dict, str]]:
    """(name, image, Pillow save options, what it exercises)."""
    p = photos()
    face = crop(p["astronaut"], 180, 60, 64, 48)
    cups = crop(p["coffee"], 150, 100, 61, 45)  # odd: partial MCUs on both edges
    cat = crop(p["chelsea"], 120, 60, 80, 60)
    small = crop(p["coffee"], 300, 40, 37, 29)
    return [
        ("baseline_420_q75", cups, {"quality": 75, "subsampling": 2}, "baseline, 4:2:0, odd size"),
        ("baseline_422_q90", face, {"quality": 90, "subsampling": 1}, "baseline, 4:2:2"),
        ("baseline_444_q95", cat, {"quality": 95, "subsampling": 0}, "baseline, 4:4:4"),
        ("baseline_420_q50", small, {"quality": 50, "subsampling": 2}, "baseline, 4:2:0, low quality, 37x29"),
        ("progressive_420_q80", cat, {"quality": 80, "subsampling": 2, "progressive": True}, "progressive, 4:2:0"),
        ("progressive_422_q85", cups, {"quality": 85, "subsampling": 1, "progressive": True}, "progressive, 4:2:2, odd size"),
        ("progressive_444_q70", face, {"quality": 70, "subsampling": 0, "progressive": True}, "progressive, 4:4:4"),
        ("gray_q85", cat.convert("L"), {"quality": 85}, "grayscale baseline"),
        ("gray_progressive_q60", cups.convert("L"), {"quality": 60, "progressive": True}, "grayscale progressive, odd size"),
        ("restart_blocks_420_q80", cat, {"quality": 80, "subsampling": 2, "restart_marker_blocks": 3}, "restart interval of 3 MCUs"),
        ("restart_rows_422_q90", cups, {"quality": 90, "subsampling": 1, "restart_marker_rows": 1}, "restart marker every MCU row"),
        ("exif_icc_420_q85", face, {"quality": 85, "subsampling": 2, "exif": exif_orientation_6(), "icc_profile": srgb_profile()},
         "EXIF orientation 6 and an sRGB ICC profile, both ignored"),
    ]


def made_by_cjpeg() -> list[tuple[str, object, list[str], str]]:
    """(name, image, cjpeg options, what it exercises)."""
    p = photos()
    cups = crop(p["coffee"], 150, 100, 61, 45)
    tall = crop(p["astronaut"], 238, 378, 3, 17)  # strong colour changes across its 3 columns
    cat = crop(p["chelsea"], 100, 50, 121, 90)
    return [
        ("cjpeg_440_q80", cups, ["-quality", "80", "-sample", "1x2"], "4:4:0 (chroma halved vertically only), odd size"),
        ("cjpeg_440_restart_q90", cat, ["-quality", "90", "-sample", "1x2", "-restart", "1B"], "4:4:0, a restart marker after every MCU"),
        ("cjpeg_422_optimized_q85", cat, ["-quality", "85", "-sample", "2x1", "-optimize", "-restart", "2B"],
         "4:2:2, optimized Huffman tables, restart markers"),
        ("cjpeg_420_3px_q95", tall, ["-quality", "95", "-sample", "2x2"], "4:2:0, 3 pixels wide (chroma replicated, not interpolated)"),
        ("cjpeg_422_3px_q95", tall, ["-quality", "95", "-sample", "2x1"], "4:2:2, 3 pixels wide"),
        ("cjpeg_440_3px_q95", tall, ["-quality", "95", "-sample", "1x2"], "4:4:0, 3 pixels wide"),
        ("cjpeg_rgb_q60", cups, ["-quality", "60", "-rgb"], "RGB colour space (no YCbCr transform)"),
        ("cjpeg_gray_restart_q70", cat, ["-quality", "70", "-grayscale", "-restart", "1"], "grayscale, restart marker every MCU row"),
    ]


def cjpeg(img, options: list[str]) -> bytes:
    import shutil
    import subprocess
    import tempfile

    if not shutil.which("cjpeg"):
        raise SystemExit("jpeg_decode: needs libjpeg-turbo's cjpeg (Debian: apt install libjpeg-turbo-progs)")
    with tempfile.TemporaryDirectory() as tmp:
        ppm = Path(tmp) / "in.ppm"
        img.save(ppm)
        return subprocess.run(["cjpeg", *options, str(ppm)], check=True, capture_output=True).stdout


def versions() -> dict:
    import keras
    import PIL
    import skimage

    return {
        "keras": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "numpy": np.__version__,
        "pillow": PIL.__version__,
        "scikit_image": skimage.__version__,
        "python": platform.python_version(),
        "cjpeg": __import__("subprocess").run(["cjpeg", "-version"], capture_output=True, text=True).stderr.strip(),
    }


def sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def main() -> None:
    import keras

    files, data = OUT / "files", OUT / "data"
    files.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    for stale in [*files.glob("*.jpg"), *data.glob("*.bin")]:
        stale.unlink()
    cases, arrays = [], {}
    made = []
    for name, img, options, what in crafted():
        buf = io.BytesIO()
        img.save(buf, "JPEG", **options)
        made.append((name, buf.getvalue(), what))
    made += [(name, cjpeg(img, options), what) for name, img, options, what in made_by_cjpeg()]
    for name, jpeg, what in made:
        path = files / f"{name}.jpg"
        path.write_bytes(jpeg)
        for mode in ("rgb", "grayscale"):
            x = keras.utils.img_to_array(keras.utils.load_img(str(path), color_mode=mode))
            if not (np.all(x == np.round(x)) and x.min() >= 0 and x.max() <= 255):
                raise ValueError(f"{name} {mode}: load_img gave values that are not 8-bit")
            raw = np.ascontiguousarray(x.astype("<u1")).tobytes()
            key = f"{name}_{mode}"
            (data / f"{key}.bin").write_bytes(raw)
            arrays[key] = {"file": f"data/{key}.bin", "shape": list(x.shape), "dtype": "uint8", "sha256": sha256(raw)}
            cases.append({"id": key, "jpeg": f"files/{name}.jpg", "jpeg_sha256": sha256(jpeg), "color_mode": mode, "x": key, "what": what})
    index = {
        "generator": "tools/keras-goldens/jpeg_decode.py",
        "description": "img_to_array(load_img(jpeg, color_mode)) at the file's own size, as uint8 HWC",
        "versions": versions(),
        "cases": cases,
        "arrays": arrays,
    }
    lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in index.items() if k not in ("cases", "arrays")]
    lines.append(' "cases": [\n' + ",\n".join(f"  {json.dumps(c)}" for c in cases) + "\n ]")
    lines.append(' "arrays": {\n' + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in arrays.items()) + "\n }")
    (OUT / "index.json").write_text("{\n" + ",\n".join(lines) + "\n}\n")
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"jpeg_decode: {len(cases)} cases, {size / 1024:.0f} KiB in {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
