"""flow_from_directory goldens: Keras's real DirectoryIterator on real photos.

Writes test/fixtures/keras-goldens/flow_from_directory/ (index.json + data/*.bin,
uint8 NHWC batches of one epoch, concatenated) and, when they are missing, the
photos it reads, in class folders under test/fixtures/keras-goldens/photos/
(made with Pillow from scikit-image's sample photos; sources and licences in
photos/README.md). Committed photos are never rewritten unless
--rebuild-photos is given, so the goldens always describe the committed files.

    KERAS_BACKEND=numpy /tmp/kvenv/bin/python tools/keras-goldens/flow_from_directory.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402  (sets KERAS_BACKEND before keras is imported)
import numpy as np  # noqa: E402

NAME = "flow_from_directory"

#: Class folders under PHOTOS, passed to Keras (and the library) as `classes`, so
#: that folders other pieces add to PHOTOS never become classes here.
CLASSES = ["animals", "formats", "gray", "objects", "space"]
BATCH_SIZE = 3
CLASS_MODE = "categorical"

INTERPOLATIONS = ["nearest", "bilinear", "bicubic", "lanczos", "box", "hamming"]


def _photo_specs():
    """(relative path, builder) for every photo; builders take scikit-image's data folder."""
    from PIL import Image

    def fit(img, width, height):
        return img.resize((width, height), Image.LANCZOS)

    def rgb(name):
        return lambda d: Image.open(d / name).convert("RGB")

    def jpeg(source, size, quality=85, progressive=False):
        def build(d, out):
            img = source(d)
            if size:
                img = fit(img, *size)
            img.save(out, "JPEG", quality=quality, progressive=progressive, optimize=progressive)
        return build

    def camera_png(d, out):
        img = Image.open(d / "camera.png").convert("L")
        img = fit(img, 320, 320).crop((0, 40, 320, 280))  # 320x240
        img.save(out, "PNG", optimize=True)

    def coffee_rgba(d, out):
        img = fit(rgb("coffee.png")(d), 240, 160).convert("RGBA")
        w, h = img.size
        # Alpha: a diagonal ramp from opaque to almost transparent, with a fully transparent corner.
        yy, xx = np.mgrid[0:h, 0:w]
        alpha = np.clip(255 - (xx / w + yy / h) * 120, 0, 255).astype(np.uint8)
        alpha[: h // 5, : w // 5] = 0
        img.putalpha(Image.fromarray(alpha, "L"))
        img.save(out, "PNG", optimize=True)

    def astronaut_palette(d, out):
        img = fit(rgb("astronaut.png")(d), 200, 200)
        pal = img.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG)
        pal.info["transparency"] = 0  # palette index 0 transparent (tRNS), as web palette PNGs often have
        pal.save(out, "PNG", optimize=True, transparency=0)

    def other_format(source, size, box, fmt, **params):
        def build(d, out):
            img = fit(source(d), *size).crop(box)
            img.save(out, fmt, **params)
        return build

    return [
        ("formats/astronaut.bmp", other_format(rgb("astronaut.png"), (240, 240), (40, 20, 200, 140), "BMP")),
        ("formats/chelsea.ppm", other_format(rgb("chelsea.png"), (150, 100), (0, 0, 150, 100), "PPM")),
        ("formats/rocket.tif", other_format(lambda d: Image.open(d / "rocket.jpg").convert("RGB"), (180, 120), (10, 5, 170, 112), "TIFF", compression="tiff_lzw")),
        ("animals/chelsea.jpg", jpeg(rgb("chelsea.png"), None, quality=90)),
        ("animals/chelsea_small.jpg", jpeg(rgb("chelsea.png"), (143, 95), quality=80)),
        ("gray/camera.png", camera_png),
        ("objects/coffee_progressive.jpg", jpeg(rgb("coffee.png"), (450, 300), quality=85, progressive=True)),
        ("objects/coffee_rgba.png", coffee_rgba),
        ("space/astronaut.jpg", jpeg(rgb("astronaut.png"), (384, 384), quality=85)),
        ("space/astronaut_palette.png", astronaut_palette),
        ("space/rocket.jpg", jpeg(lambda d: Image.open(d / "rocket.jpg").convert("RGB"), (480, 320), quality=85)),
    ]


def make_photos(rebuild: bool = False) -> list[Path]:
    """Creates the photos that are missing (all of them with rebuild); returns their paths."""
    data = common.skimage_data_dir()
    paths = []
    for rel, build in _photo_specs():
        out = common.PHOTOS / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        if rebuild or not out.exists():
            build(data, out)
            print(f"  wrote photo {rel} ({out.stat().st_size} bytes)")
        paths.append(out)
    return paths


def configurations():
    """The grid, kept compact: full at 64x48 for rgb and grayscale, rgba without
    keep_aspect_ratio (plus nearest with), rgb at an odd size, two at 224x224."""
    out = []

    def add(size, mode, interp, kar):
        h, w = size
        out.append({
            "id": f"{h}x{w}_{mode}_{interp}{'_kar' if kar else ''}",
            "target_size": [h, w],
            "color_mode": mode,
            "interpolation": interp,
            "keep_aspect_ratio": kar,
        })

    for mode in ("rgb", "grayscale"):
        for interp in INTERPOLATIONS:
            for kar in (False, True):
                add((64, 48), mode, interp, kar)
    for interp in INTERPOLATIONS:
        add((64, 48), "rgba", interp, False)
    add((64, 48), "rgba", "nearest", True)
    for interp in INTERPOLATIONS:
        for kar in (False, True):
            add((37, 53), "rgb", interp, kar)
    add((224, 224), "rgb", "bilinear", True)
    add((224, 224), "grayscale", "nearest", False)
    return out


def keras_image_data_generator():
    """Keras 3's public `keras.preprocessing.image.ImageDataGenerator` (exported under the
    tf.keras-compatible namespace; the class is keras.src.legacy.preprocessing.image's)."""
    try:
        from keras._tf_keras.keras.preprocessing.image import ImageDataGenerator
    except ImportError:
        from keras.src.legacy.preprocessing.image import ImageDataGenerator
    return ImageDataGenerator


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    common.seed_all()
    make_photos(rebuild="--rebuild-photos" in argv)

    ImageDataGenerator = keras_image_data_generator()

    writer = common.GoldenWriter(NAME)
    directory = common.PHOTOS
    for config in configurations():
        it = ImageDataGenerator().flow_from_directory(
            str(directory),
            target_size=tuple(config["target_size"]),
            color_mode=config["color_mode"],
            classes=CLASSES,
            class_mode=CLASS_MODE,
            batch_size=BATCH_SIZE,
            shuffle=False,
            interpolation=config["interpolation"],
            keep_aspect_ratio=config["keep_aspect_ratio"],
        )
        xs, ys, batch_shapes = [], [], []
        for i in range(len(it)):
            x, y = it[i]
            xs.append(x)
            ys.append(y.astype(int).tolist())
            batch_shapes.append(list(x.shape))
        x = np.concatenate(xs)
        writer.add(config["id"], x, dtype="uint8")  # load_img + img_to_array: integers in 0..255
        writer.cases.append({
            **config,
            "x": config["id"],
            "batch_size": BATCH_SIZE,
            "class_mode": CLASS_MODE,
            "classes_arg": CLASSES,
            "batch_shapes": batch_shapes,
            "labels": ys,
            "filenames": [f.replace("\\", "/") for f in it.filenames],
            "classes": it.classes.tolist(),
            "class_indices": it.class_indices,
            "image_shape": list(it.image_shape),
            "dtype": str(x.dtype),
        })
        print(f"  {config['id']}: {x.shape}")
    index = writer.write_index(
        generator="tools/keras-goldens/flow_from_directory.py",
        description=(
            "keras.preprocessing.image.ImageDataGenerator().flow_from_directory(photos, classes=classes_arg, "
            "shuffle=False, ...) for each case: x is the epoch's batches concatenated (uint8 NHWC; Keras "
            "yields them as float32 integers), batch_shapes the shape of each batch, labels the one-hot ys."
        ),
        keras_api="keras._tf_keras.keras.preprocessing.image.ImageDataGenerator (keras.src.legacy.preprocessing.image)",
        directory="test/fixtures/keras-goldens/photos",
        photos={
            p.relative_to(common.PHOTOS).as_posix(): {"bytes": p.stat().st_size, "sha256": common.file_sha256(p)}
            for p in sorted(common.PHOTOS.rglob("*"))
            if p.is_file() and p.parts[len(common.PHOTOS.parts)] in CLASSES
        },
    )
    print(f"  {index.relative_to(common.REPO)}: {len(writer.cases)} cases, {writer.size_bytes()} bytes")


if __name__ == "__main__":
    main()
