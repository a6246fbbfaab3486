"""Shared helpers for the Keras golden-file pieces in tools/keras-goldens/.

Import this module before keras (it sets KERAS_BACKEND=numpy unless the
environment already says otherwise). What it gives a piece:

- paths: REPO, GOLDENS (test/fixtures/keras-goldens), PHOTOS (the shared
  photos folder), out_dir(name) (GOLDENS/name, created);
- versions(): keras, its backend, numpy, scipy, pillow, scikit-image, python;
- seed_all(seed): one call that seeds Python's random, NumPy's legacy global
  state (what Keras's ImageDataGenerator draws from) and Keras's own seed;
- GoldenWriter: compact arrays (uint8 when every value is an integer in 0..255,
  else float32; little-endian, row-major, no header) under NAME/data/, and
  NAME/index.json holding each array's file, shape and dtype, the versions and
  whatever cases the piece adds. Stale .bin files of earlier runs are removed.

The index format is the one test/fixtures/keras/README.md describes, plus a
`dtype` per array ("uint8" or "float32").
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import random
import re
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
GOLDENS = REPO / "test" / "fixtures" / "keras-goldens"
PHOTOS = GOLDENS / "photos"

#: The seed pieces use unless they need several.
DEFAULT_SEED = 20240611


def out_dir(name: str) -> Path:
    """GOLDENS/name, created if missing."""
    path = GOLDENS / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def _version(module: str) -> str | None:
    try:
        mod = __import__(module)
    except ImportError:
        return None
    return getattr(mod, "__version__", None)


def versions() -> dict:
    """Versions of everything that decides the goldens' values."""
    import keras

    return {
        "keras": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "numpy": np.__version__,
        "scipy": _version("scipy"),
        "pillow": _version("PIL"),
        "scikit_image": _version("skimage"),
        "jax": _version("jax"),
        "python": platform.python_version(),
    }


def seed_all(seed: int = DEFAULT_SEED) -> None:
    """Seeds Python's random, NumPy's global legacy RandomState and Keras."""
    random.seed(seed)
    np.random.seed(seed)
    try:
        import keras

        keras.utils.set_random_seed(seed)
    except Exception:  # keras missing or a backend without seeding: NumPy's state is what ImageDataGenerator uses
        pass


_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def compact(array: np.ndarray, dtype: str | None = None) -> np.ndarray:
    """The array as uint8 when every value is an integer in 0..255 (or when
    dtype='uint8', which then insists on it), else as float32."""
    a = np.asarray(array)
    integral = a.size == 0 or (
        np.all(np.isfinite(a)) and np.all(a == np.round(a)) and a.min() >= 0 and a.max() <= 255
    )
    if dtype == "uint8" or (dtype is None and integral):
        if not integral:
            raise ValueError("values are not integers in 0..255; cannot store them as uint8")
        return a.astype("<u1")
    if dtype not in (None, "float32"):
        raise ValueError(f"dtype must be 'uint8' or 'float32', not {dtype!r}")
    return a.astype("<f4")


class GoldenWriter:
    """Writes the arrays and the index of one output folder, GOLDENS/name.

        w = GoldenWriter("resize")
        w.add("astronaut_64x48_bilinear", batch)   # -> data/astronaut_64x48_bilinear.bin
        w.cases.append({"id": ..., "x": "astronaut_64x48_bilinear"})
        w.write_index(generator="resize.py", description="...")
    """

    def __init__(self, name: str):
        self.dir = out_dir(name)
        self.data = self.dir / "data"
        self.data.mkdir(exist_ok=True)
        self.arrays: dict[str, dict] = {}
        self.cases: list[dict] = []
        self._written: set[str] = set()

    def add(self, name: str, array: np.ndarray, dtype: str | None = None) -> dict:
        """Stores one array as data/NAME.bin; returns its index entry."""
        if not _NAME.match(name) or name in self.arrays:
            raise ValueError(f"array name {name!r} is not a new plain file name")
        a = compact(array, dtype)
        raw = np.ascontiguousarray(a).tobytes()
        file = f"data/{name}.bin"
        (self.dir / file).write_bytes(raw)
        self._written.add(f"{name}.bin")
        meta = {
            "file": file,
            "shape": list(a.shape),
            "dtype": "uint8" if a.dtype == np.uint8 else "float32",
            "sha256": hashlib.sha256(raw).hexdigest(),
        }
        self.arrays[name] = meta
        return meta

    def write_index(self, **fields) -> Path:
        """Writes index.json (fields, versions, cases, arrays) and removes .bin files this run did not write."""
        for stale in self.data.glob("*.bin"):
            if stale.name not in self._written:
                stale.unlink()
        index = {**fields, "versions": versions(), "cases": self.cases, "arrays": self.arrays}
        path = self.dir / "index.json"
        path.write_text(dump_json(index))
        return path

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.dir.rglob("*") if p.is_file())


def dump_json(value: dict) -> str:
    """JSON that diffs well and stays small: one line per top-level key, and per
    element of a top-level list or object (a case, an array's entry); a short
    object of plain values (such as "versions") stays on its key's line."""

    def one(v):
        return json.dumps(v, separators=(", ", ": "), ensure_ascii=False)

    lines = []
    for key, v in value.items():
        if isinstance(v, list) and v:
            body = ",\n".join(f"  {one(e)}" for e in v)
            lines.append(f" {one(key)}: [\n{body}\n ]")
        elif isinstance(v, dict) and v and not (
            all(not isinstance(e, (dict, list)) for e in v.values()) and len(one(v)) <= 160
        ):
            body = ",\n".join(f"  {one(k)}: {one(e)}" for k, e in v.items())
            lines.append(f" {one(key)}: {{\n{body}\n }}")
        else:
            lines.append(f" {one(key)}: {one(v)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def skimage_data_dir() -> Path:
    """The folder of scikit-image's bundled sample images."""
    import skimage.data

    return Path(skimage.data.__file__).parent
