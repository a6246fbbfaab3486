"""Pillow's JPEG decode, as Keras's `load_img` runs it, on the benchmark folder's first class, for a side-by-side.

    /tmp/kvenv/bin/python bench/keras/decode_jpeg.py [FOLDER] [SECONDS]

Decodes the files of FOLDER/class0 (default: the 2,000-JPEG folder `npm run
bench -- files` makes) from bytes in memory with
`Image.open(f).convert('RGB').load()` in a loop for SECONDS (default 3) and
prints images/s, as bench/bench.ts's `jpeg` section times its decoders.
"""

import io
import os
import sys
import tempfile
import time

import PIL
from PIL import Image


def main() -> None:
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "idg-bench-jpegs-2000")
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    files = sorted(os.listdir(os.path.join(folder, "class0")))[:400]
    data = [open(os.path.join(folder, "class0", f), "rb").read() for f in files]
    for b in data[:50]:  # warm-up
        Image.open(io.BytesIO(b)).convert("RGB").load()
    t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        Image.open(io.BytesIO(data[n % len(data)])).convert("RGB").load()
        n += 1
    print(f"pillow {PIL.__version__}: {n / (time.perf_counter() - t0):,.0f} images/s")


if __name__ == "__main__":
    main()
