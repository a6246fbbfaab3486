"""Keras's own file flow on the folder `npm run bench -- files` reads, for a side-by-side.

    KERAS_BACKEND=numpy /tmp/kvenv/bin/python bench/keras/flow_from_directory.py [FOLDER] [SECONDS]

FOLDER defaults to the benchmark's 2,000 JPEGs of 500x375 in 4 class folders,
<tmp>/idg-bench-jpegs-2000, which bench/jpegFolder.ts makes (run
`npm run bench -- files` once first). Runs the real
`ImageDataGenerator().flow_from_directory(...)` of Keras 3 (keras.src.legacy.preprocessing.image)
(Pillow decodes and resizes; one thread, as Keras iterates it) with the
benchmark's settings, target_size (224, 224), batch_size 32, seed 1, nearest
interpolation, plain and augmented (rotation 20, shifts 0.2, horizontal flip),
and prints images/s for each: one warm-up batch, then batches for SECONDS
(default 4) seconds, as bench/bench.ts times its own flows.
"""

import os
import sys
import tempfile
import time

os.environ.setdefault("KERAS_BACKEND", "numpy")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import PIL  # noqa: E402

try:  # Keras 3 exports it under its tf.keras-compatible namespace; the class is keras.src.legacy's
    from keras._tf_keras.keras.preprocessing.image import ImageDataGenerator  # noqa: E402
except ImportError:
    from keras.src.legacy.preprocessing.image import ImageDataGenerator  # noqa: E402


def rate(generator: ImageDataGenerator, folder: str, seconds: float) -> float:
    it = generator.flow_from_directory(folder, target_size=(224, 224), batch_size=32, seed=1)
    next(it)  # warm-up
    t0 = time.perf_counter()
    images = 0
    while time.perf_counter() - t0 < seconds:
        x, _ = next(it)
        images += x.shape[0]
    return images / (time.perf_counter() - t0)


def main() -> None:
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "idg-bench-jpegs-2000")
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 4.0
    if not os.path.isdir(folder):
        sys.exit(f"{folder} is missing: run `npm run bench -- files` once to make it")
    print(f"keras {keras.__version__} ({keras.backend.backend()}), pillow {PIL.__version__}, numpy {np.__version__}")
    for label, args in [
        ("flow_from_directory, 2,000 JPEGs 500x375 -> 224x224, batch 32", {}),
        ("flow_from_directory + rotation 20, shifts 0.2, h-flip, same folder",
         {"rotation_range": 20, "width_shift_range": 0.2, "height_shift_range": 0.2, "horizontal_flip": True}),
    ]:
        print(f"{label}: {rate(ImageDataGenerator(**args), folder, seconds):,.0f} images/s")


if __name__ == "__main__":
    main()
