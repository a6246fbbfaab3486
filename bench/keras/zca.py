"""Keras's and numpy's side of `npm run bench -- zca` (bench/bench.ts runs this and prints both sides).

    KERAS_BACKEND=numpy /tmp/kvenv/bin/python bench/keras/zca.py [--fit]
    KERAS_BACKEND=numpy /tmp/kvenv/bin/python bench/keras/zca.py --eigh D

Prints one JSON object (seconds or images/s) with:
  matmul32      numpy `x @ W`, float32, d = 3072, a batch of 32 (images/s): what our standardize does
  flow_zca      Keras's ImageDataGenerator(zca_whitening=True).flow(x, batch_size=32) on 32x32x3 (images/s):
                one `standardize` (a matrix-vector product with W) per image
  flow_zca_aug  the same with rotation 20, shifts 0.2, horizontal flip (images/s)
  eigh          with --eigh D, alone: numpy.linalg.eigh of exp(-|i - j| / 8) + 1e-6 I, d x d (seconds; the second
                of two calls, as bench.ts times warm runs of its own), the matrix bench.ts decomposes; bench.ts runs
                it between its own runs, so that both sides see the machine in the same state
  fit           with --fit: Keras's fit(zca_whitening=True) on 50,000 x 32x32x3 pixels / 255 (seconds; its SVD
                of the 3072 x 50,000 data) and peak_rss_mb, the process's peak memory after it
"""

import json
import os
import resource
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "numpy")

import numpy as np  # noqa: E402

try:  # Keras 3 exports it under its tf.keras-compatible namespace; the class is keras.src.legacy's
    from keras._tf_keras.keras.preprocessing.image import ImageDataGenerator  # noqa: E402
except ImportError:
    from keras.src.legacy.preprocessing.image import ImageDataGenerator  # noqa: E402

D = 3072
AUGMENT = dict(rotation_range=20, width_shift_range=0.2, height_shift_range=0.2, horizontal_flip=True)


def per_second(step, per_step, seconds=3.0):
    for _ in range(3):
        step()
    count = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        step()
        count += 1
    return count * per_step / (time.perf_counter() - t0)


def eigh_seconds(d):
    i = np.arange(d)
    a = np.exp(-np.abs(i[:, None] - i[None, :]) / 8) + 1e-6 * np.eye(d)
    np.linalg.eigh(a)
    t0 = time.perf_counter()
    np.linalg.eigh(a)
    return time.perf_counter() - t0


def main():
    if "--eigh" in sys.argv:
        print(json.dumps({"eigh": eigh_seconds(int(sys.argv[sys.argv.index("--eigh") + 1]))}))
        return
    rng = np.random.default_rng(1)
    out = {}
    w = (rng.random((D, D), dtype=np.float32) - 0.5)
    x32 = rng.random((32, D), dtype=np.float32)
    out["matmul32"] = per_second(lambda: x32 @ w, 32)

    images = rng.integers(0, 256, (4000, 32, 32, 3)).astype(np.float32) / 255
    for key, extra in (("flow_zca", {}), ("flow_zca_aug", AUGMENT)):
        gen = ImageDataGenerator(zca_whitening=True, **extra)
        gen.fit(images[:4000])
        it = gen.flow(images, batch_size=32, seed=1)
        out[key] = per_second(lambda: next(it), 32)

    if "--fit" in sys.argv:
        x = rng.integers(0, 256, (50000, 32, 32, 3)).astype(np.float32) / 255
        t0 = time.perf_counter()
        ImageDataGenerator(zca_whitening=True).fit(x)
        out["fit"] = time.perf_counter() - t0
        out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
