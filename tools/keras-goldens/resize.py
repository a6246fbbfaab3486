"""Goldens for image resizing: real Keras `load_img` (Pillow's resize) on real photos.

    KERAS_BACKEND=numpy /tmp/kvenv/bin/python tools/keras-goldens/resize.py

Runnable alone (also a piece of make_all.py: it defines main()). Makes the
photos it needs under test/fixtures/keras-goldens/photos/resize/ from
scikit-image's sample images when they are missing (existing photos are never
rewritten: the goldens describe their exact bytes), then writes, for every
case, `keras.utils.load_img(photo, color_mode, target_size, interpolation,
keep_aspect_ratio)` as raw uint8 HWC bytes in
test/fixtures/keras-goldens/resize/data/<case>.bin, and an index.json listing
the cases (photo, its SHA-256, options, array file and shape) and versions.
test/resize.test.ts decodes and resizes the same photos with the library and
requires every value to be equal.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
GOLDENS = REPO / "test" / "fixtures" / "keras-goldens"
PHOTOS = GOLDENS / "photos" / "resize"
OUT = GOLDENS / "resize"

INTERPOLATIONS = ["nearest", "bilinear", "bicubic", "lanczos", "box", "hamming"]


def skimage_data() -> Path:
    import skimage.data

    return Path(skimage.data.__file__).parent


def make_photos() -> None:
    """The test photos, made once from scikit-image's CC0 samples (see photos/resize/README.md)."""
    from PIL import Image

    PHOTOS.mkdir(parents=True, exist_ok=True)
    data = skimage_data()
    coffee = PHOTOS / "coffee_256x192.png"
    if not coffee.exists():
        im = Image.open(data / "coffee.png").convert("RGB").resize((288, 192), Image.Resampling.LANCZOS)
        im.crop((16, 0, 272, 192)).save(coffee, optimize=True)
    chelsea = PHOTOS / "chelsea_rgba_200x150.png"
    if not chelsea.exists():
        im = Image.open(data / "chelsea.png").convert("RGB").resize((226, 150), Image.Resampling.LANCZOS).crop((13, 0, 213, 150))
        # alpha: a diagonal ramp 0..255, fully transparent in the top-left corner, opaque bottom-right
        yy, xx = np.mgrid[0:150, 0:200]
        alpha = np.clip((xx / 199 + yy / 149) * 160 - 40, 0, 255).astype(np.uint8)
        rgba = np.dstack([np.asarray(im), alpha])
        Image.fromarray(rgba, "RGBA").save(chelsea, optimize=True)
    small = PHOTOS / "chelsea_rgba_64x48.png"
    if not small.exists():
        im = Image.open(data / "chelsea.png").convert("RGB").crop((120, 40, 312, 184)).resize((64, 48), Image.Resampling.LANCZOS)
        yy, xx = np.mgrid[0:48, 0:64]
        alpha = (np.clip(255 - np.hypot(xx - 32, yy - 24) * 7, 0, 255)).astype(np.uint8)
        Image.fromarray(np.dstack([np.asarray(im), alpha]), "RGBA").save(small, optimize=True)
    tall = PHOTOS / "coffee_tall_4x450.png"
    if not tall.exists():
        im = Image.open(data / "coffee.png").convert("RGB").rotate(90, expand=True)  # 400x600
        im.crop((200, 100, 204, 550)).save(tall, optimize=True)


def cases():
    """(photo, color_mode, (height, width), interpolation, keep_aspect_ratio)."""
    out = []
    for interp in INTERPOLATIONS:
        for kar in (False, True):
            for size in [(48, 64), (37, 91)]:
                out.append(("coffee_256x192.png", "rgb", size, interp, kar))
                out.append(("chelsea_rgba_200x150.png", "rgba", size, interp, kar))
            out.append(("coffee_256x192.png", "grayscale", (224, 224), interp, kar))
            out.append(("chelsea_rgba_200x150.png", "grayscale", (37, 91), interp, kar))
            out.append(("chelsea_rgba_64x48.png", "rgba", (81, 101), interp, kar))
            out.append(("chelsea_rgba_64x48.png", "rgb", (81, 101), interp, kar))
        out.append(("coffee_tall_4x450.png", "rgb", (37, 3), interp, False))
        if interp in ("nearest", "lanczos"):  # the crop box is the output size: a crop, whatever the filter
            out.append(("chelsea_rgba_200x150.png", "rgba", (150, 150), interp, True))
    out.append(("coffee_256x192.png", "rgb", (224, 224), "bilinear", False))
    return out


def pillow_direct(data: Path, written: set, arrays: dict) -> list:
    """Pillow's Image.resize called directly on noise (the worst case for any
    rounding slip), at strong down- and upscales and with fractional boxes,
    in modes L, RGB and RGBA. Sources: resize/noise_rgba.png (RGBA; RGB is
    it without alpha) and resize/noise_l.png."""
    from PIL import Image

    rgba_path, l_path = OUT / "noise_rgba.png", OUT / "noise_l.png"
    if not rgba_path.exists():
        rs = np.random.RandomState(20240611)
        a = rs.randint(0, 256, size=(61, 97, 4)).astype(np.uint8)
        a[:20, :30, 3] = 0  # a transparent block and an opaque one: premultiplication's special alphas
        a[40:, 60:, 3] = 255
        Image.fromarray(a, "RGBA").save(rgba_path)
        Image.fromarray(rs.randint(0, 256, size=(61, 97)).astype(np.uint8), "L").save(l_path)
    sources = {"RGBA": Image.open(rgba_path), "L": Image.open(l_path)}
    sources["RGB"] = sources["RGBA"].convert("RGB")
    filters = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC,
               "lanczos": Image.Resampling.LANCZOS, "box": Image.Resampling.BOX, "hamming": Image.Resampling.HAMMING}
    out = []
    for mode, im in sources.items():
        for name, f in filters.items():
            for w, h in [(5, 3), (13, 40), (150, 7), (160, 90)]:
                for box in [None, (3.25, 1.5, 90.75, 60.2), (10, 4, 94, 17)]:
                    if (w, h) == (160, 90) and (box is not None or mode != "L"):
                        continue
                    a = np.asarray(im.resize((w, h), f, box=box), dtype=np.uint8)
                    key = f"noise_{mode}_{w}x{h}_{name}" + ("" if box is None else "_box" + "_".join(str(v).replace(".", "p") for v in box))
                    raw = a.tobytes()
                    (data / f"{key}.bin").write_bytes(raw)
                    written.add(f"{key}.bin")
                    shape = [h, w, {"L": 1, "RGB": 3, "RGBA": 4}[mode]]
                    arrays[key] = {"file": f"data/{key}.bin", "shape": shape, "dtype": "uint8", "sha256": hashlib.sha256(raw).hexdigest()}
                    out.append({"id": key, "source": "resize/noise_l.png" if mode == "L" else "resize/noise_rgba.png", "mode": mode,
                                "size": [w, h], "resample": name, "box": None if box is None else list(box), "x": key})
    return out


def versions() -> dict:
    import keras
    import PIL
    import skimage

    return {"keras": keras.__version__, "keras_backend": keras.backend.backend(), "numpy": np.__version__,
            "pillow": PIL.__version__, "scikit_image": skimage.__version__, "python": platform.python_version()}


def main() -> None:
    from keras.utils import img_to_array, load_img

    make_photos()
    data = OUT / "data"
    data.mkdir(parents=True, exist_ok=True)
    written = set()
    index_cases = []
    arrays = {}
    for photo, mode, size, interp, kar in cases():
        path = PHOTOS / photo
        img = load_img(path, color_mode=mode, target_size=size, interpolation=interp, keep_aspect_ratio=kar)
        a = img_to_array(img, dtype="float32")
        assert a.shape == (size[0], size[1], {"rgb": 3, "rgba": 4, "grayscale": 1}[mode]), a.shape
        assert np.all(a == np.round(a)) and a.min() >= 0 and a.max() <= 255
        raw = a.astype(np.uint8).tobytes()
        name = f"{Path(photo).stem}_{mode}_{size[0]}x{size[1]}_{interp}{'_kar' if kar else ''}"
        (data / f"{name}.bin").write_bytes(raw)
        written.add(f"{name}.bin")
        arrays[name] = {"file": f"data/{name}.bin", "shape": list(a.shape), "dtype": "uint8",
                        "sha256": hashlib.sha256(raw).hexdigest()}
        index_cases.append({"id": name, "photo": f"photos/resize/{photo}", "color_mode": mode, "target_size": list(size),
                            "interpolation": interp, "keep_aspect_ratio": kar, "x": name})
    pillow_cases = pillow_direct(data, written, arrays)
    for stale in data.glob("*.bin"):
        if stale.name not in written:
            stale.unlink()
    photos = {f"photos/resize/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(PHOTOS.glob("*.png"))}
    index = {
        "generator": "tools/keras-goldens/resize.py",
        "description": "keras.utils.load_img(photo, color_mode, target_size, interpolation, keep_aspect_ratio) then img_to_array, as uint8 HWC",
        "versions": versions(),
        "photos": photos,
        "cases": index_cases,
        "pillow_cases": pillow_cases,
        "arrays": arrays,
    }
    lines = [f' {json.dumps(k)}: ' + (
        "[\n" + ",\n".join(f"  {json.dumps(c)}" for c in v) + "\n ]" if isinstance(v, list) else
        "{\n" + ",\n".join(f"  {json.dumps(kk)}: {json.dumps(vv)}" for kk, vv in v.items()) + "\n }" if isinstance(v, dict) and k in ("arrays", "photos") else
        json.dumps(v)) for k, v in index.items()]
    (OUT / "index.json").write_text("{\n" + ",\n".join(lines) + "\n}\n")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"resize: {len(index_cases)} cases, {total / 1e6:.2f} MB in {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
