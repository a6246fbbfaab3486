"""Goldens for interpolation orders 2 to 5: Keras's own apply_transform on scipy.

Runs ImageDataGenerator(interpolation_order=k, fill_mode=m, cval=c).apply_transform(x, params)
for k in 2..5, every fill mode and a handful of transforms, on small images (a random 7x9x3,
a 16x16x1 crop of scikit-image's camera photo, and two tiny ones whose 1- and 2-long axes take
scipy's short-line paths). Writes test/fixtures/keras-goldens/splines/:

  splines.bin   float32 little-endian arrays, back to back, no header
  index.json    versions; images (name, shape, offset in floats); cases (id, image, order,
                fill_mode, cval, params, offset of the expected HWC output, ties)

`ties` lists flat HWC indices of output values that change by more than 1e-6 (relative) when
the offset Keras hands to scipy moves by 1e-9: a port whose matrix differs from NumPy's in the
last bit may resolve those either way (the constant fill's edge, the legacy wrap's seam).

Standalone: KERAS_BACKEND=numpy /tmp/kvenv/bin/python tools/keras-goldens/splines.py [outdir]
"""
import json
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "numpy")

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.ndimage  # noqa: E402
import keras  # noqa: E402
from keras.src.legacy.preprocessing.image import ImageDataGenerator  # noqa: E402 (keras.preprocessing.image's, Keras 3)
import skimage  # noqa: E402
import skimage.data  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "test", "fixtures", "keras-goldens", "splines")

ORDERS = [2, 3, 4, 5]
MODES = [("constant", 0.0), ("constant", -37.5), ("nearest", 0.0), ("reflect", 0.0), ("wrap", 0.0)]
TRANSFORMS = {
    "rotate": {"theta": 23.0},
    "shear": {"shear": -17.0},
    "zoom": {"zx": 0.8, "zy": 1.35},
    "shift": {"tx": 2.7, "ty": -3.4},
    "far": {"tx": -11.25, "ty": 19.5, "theta": 95.0},
    "mix_flip": {"theta": -31.0, "zx": 1.15, "zy": 0.9, "shear": 8.0, "tx": 0.6, "flip_horizontal": True,
                 "flip_vertical": True},
}


def images():
    rng = np.random.RandomState(20240501)
    camera = skimage.data.camera()
    return {
        "rand7x9x3": (rng.uniform(0, 255, size=(7, 9, 3))).astype(np.float32),
        "camera16x16x1": camera[200:216, 240:256, None].astype(np.float32),
        "tiny1x6x1": rng.uniform(-1, 1, size=(1, 6, 1)).astype(np.float32),
        "tiny2x5x2": rng.uniform(0, 1, size=(2, 5, 2)).astype(np.float32),
    }


_real_affine = scipy.ndimage.affine_transform
_delta = [0.0]


_calls = [0]


def _shifted_affine(x, matrix, offset=0.0, *args, **kwargs):
    _calls[0] += 1
    return _real_affine(x, matrix, np.asarray(offset, dtype=np.float64) + _delta[0], *args, **kwargs)


def keras_apply(gen, x, params, delta):
    # Keras calls scipy.ndimage.interpolation.affine_transform; patch that name for the tie probe.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        interp = scipy.ndimage.interpolation
        before = interp.affine_transform
    _delta[0] = delta
    interp.affine_transform = _shifted_affine
    try:
        return np.asarray(gen.apply_transform(x, params))
    finally:
        interp.affine_transform = before


def main():
    os.makedirs(OUT, exist_ok=True)
    blob = []
    offset = 0

    def put(a):
        nonlocal offset
        a = np.ascontiguousarray(a, dtype="<f4")
        at = offset
        blob.append(a.tobytes())
        offset += a.size
        return at

    index = {
        "generator": "tools/keras-goldens/splines.py",
        "versions": {"keras": keras.__version__, "scipy": scipy.__version__, "numpy": np.__version__,
                     "skimage": skimage.__version__},
        "images": [],
        "cases": [],
    }
    imgs = images()
    for name, x in imgs.items():
        index["images"].append({"name": name, "shape": list(x.shape), "offset": put(x)})
    for name, x in imgs.items():
        for order in ORDERS:
            for mode, cval in MODES:
                for tname, params in TRANSFORMS.items():
                    if name.startswith("tiny") and tname not in ("rotate", "zoom", "far"):
                        continue
                    gen = ImageDataGenerator(
                        interpolation_order=order, fill_mode=mode, cval=cval)
                    calls = _calls[0]
                    y = keras_apply(gen, x, params, 0.0)
                    assert _calls[0] == calls + x.shape[2], "the patched scipy call was not used"
                    assert y.dtype == np.float32 and y.shape == x.shape, (y.dtype, y.shape)
                    ties = np.zeros(y.size, dtype=bool)
                    for d in (1e-9, -1e-9):
                        z = keras_apply(gen, x, params, d).ravel()
                        ties |= np.abs(z - y.ravel()) > 1e-6 * np.maximum(1.0, np.abs(y.ravel()))
                    cid = f"{name}/order{order}/{mode}{'' if cval == 0 else '_cval'}/{tname}"
                    index["cases"].append({
                        "id": cid, "image": name, "order": order, "fill_mode": mode, "cval": cval,
                        "params": params, "offset": put(y), "ties": np.flatnonzero(ties).tolist(),
                    })
    with open(os.path.join(OUT, "splines.bin"), "wb") as f:
        f.write(b"".join(blob))
    with open(os.path.join(OUT, "index.json"), "w") as f:
        # One image or case a line: small and diffable.
        f.write("{\n")
        for key in ("generator", "versions"):
            f.write(f" {json.dumps(key)}: {json.dumps(index[key])},\n")
        for key in ("images", "cases"):
            rows = ",\n  ".join(json.dumps(r) for r in index[key])
            f.write(f" {json.dumps(key)}: [\n  {rows}\n ]{',' if key == 'images' else ''}\n")
        f.write("}\n")
    print(f"{len(index['cases'])} cases, {offset * 4} bytes of float32 in {OUT}")


if __name__ == "__main__":
    main()
