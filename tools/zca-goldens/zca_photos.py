"""Real-photo fixtures and float64 goldens for the ZCA accuracy test (test/zca-accuracy.test.ts).

Writes test/fixtures/zca/:
  <name>.ppm      160x120 crops (binary PPM, P6) of scikit-image's sample photos
  golden32.bin    exact-float64 whitened probes for 32x32x3 patches (float32, little-endian)
  golden32.json   how the patches, probes and goldens are made

Patches are every `stride`-th position (rows, then columns) of each photo, photos in PHOTOS order,
values 0..255. The centre is the per-channel mean (as the library and Keras centre before ZCA).
W = U diag(sqrt(n) / (sqrt(lambda) + eps)) U^T from numpy.linalg.eigh of the float64 Gram matrix.
The goldens are W times eight random sign vectors (probes(): MINSTD, 48271 a mod 2^31 - 1, seed k + 1
for probe k, -1 below 2^30 else +1), in float64, stored as float32: for random probes the relative
error of W v estimates W's relative Frobenius error without the cancellation that whitening a
patch (mostly along W's smallest directions) would add. With --report it also prints how far Keras's own float32 formula
(numpy SVD of the float32 patches) is from the float64 W, for README/BENCHMARKS.

Run: /tmp/kvenv/bin/python tools/zca-goldens/zca_photos.py [--report] [--dump DIR]
Existing photos are not rewritten (delete one to remake it).
"""
import json
import os
import sys

import numpy as np
from skimage import data

ROOT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'zca')
# name, scikit-image sample, top-left corner (y, x) of the 160x120 crop
PHOTOS = [
    ('astronaut', 'astronaut', (60, 170)),
    ('chelsea', 'chelsea', (90, 140)),
    ('coffee', 'coffee', (140, 220)),
    ('rocket', 'rocket', (200, 260)),
]
WIDTH, HEIGHT = 160, 120
SIDES = {8: 4, 16: 4, 32: 3}  # patch side: grid stride
PROBES = 8
EPSILON = 1e-6


def read_ppm(path):
    with open(path, 'rb') as f:
        raw = f.read()
    header = raw.split(b'\n', 3)
    w, h = map(int, header[1].split())
    return np.frombuffer(header[3], np.uint8).reshape(h, w, 3)


def photos():
    os.makedirs(ROOT, exist_ok=True)
    out = []
    for name, sample, (y, x) in PHOTOS:
        path = os.path.join(ROOT, f'{name}.ppm')
        if not os.path.exists(path):
            crop = np.ascontiguousarray(getattr(data, sample)()[y:y + HEIGHT, x:x + WIDTH, :3])
            with open(path, 'wb') as f:
                f.write(b'P6\n%d %d\n255\n' % (WIDTH, HEIGHT) + crop.tobytes())
        out.append(read_ppm(path))
    return out


def patches(images, side, stride):
    rows = []
    for img in images:
        for y in range(0, img.shape[0] - side + 1, stride):
            for x in range(0, img.shape[1] - side + 1, stride):
                rows.append(img[y:y + side, x:x + side].reshape(-1))
    return np.array(rows, np.float64)


def probes(d):
    v = np.empty((PROBES, d))
    for k in range(PROBES):
        state = k + 1
        for j in range(d):
            state = state * 48271 % 2147483647
            v[k, j] = -1.0 if state < 2 ** 30 else 1.0
    return v


def exact_w(x):
    n = len(x)
    mu = x.reshape(n, -1, 3).mean(axis=(0, 1))
    y = x - np.tile(mu, x.shape[1] // 3)
    lam, u = np.linalg.eigh(y.T @ y)
    return (u * (np.sqrt(n) / (np.sqrt(np.maximum(lam, 0)) + EPSILON))) @ u.T, mu


def keras_w(x):
    """Keras's fit(zca_whitening=True) formula, in float32 as Keras runs it."""
    x = x.astype(np.float32)
    n = len(x)
    x = x - x.reshape(n, -1, 3).mean(axis=(0, 1)).astype(np.float32)[np.arange(x.shape[1]) % 3]
    u, s, _ = np.linalg.svd(x.T, full_matrices=False)
    return (u * (np.sqrt(n) / (s + EPSILON))).dot(u.T)


def main():
    images = photos()
    x = patches(images, 32, SIDES[32])
    w, mu = exact_w(x)
    (probes(x.shape[1]) @ w).astype('<f4').tofile(os.path.join(ROOT, 'golden32.bin'))
    meta = {
        'photos': [f'{name}.ppm' for name, _, _ in PHOTOS],
        'side': 32, 'stride': SIDES[32], 'samples': len(x), 'epsilon': EPSILON,
        'probes': PROBES, 'channelMean': mu.tolist(),
        'golden': 'golden32.bin: float32 [probes, 3072], V @ W with W exact in float64, V the sign probes',
    }
    with open(os.path.join(ROOT, 'golden32.json'), 'w') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')
    dump = sys.argv[sys.argv.index('--dump') + 1] if '--dump' in sys.argv else None
    for side, stride in SIDES.items() if dump or '--report' in sys.argv else []:
        x = patches(images, side, stride)
        w, _ = exact_w(x)
        if dump:
            w.astype('<f8').tofile(os.path.join(dump, f'w{side}.f64'))
        if '--report' in sys.argv:
            err = np.linalg.norm(keras_w(x) - w) / np.linalg.norm(w)
            print(f'{side}x{side}x3: n = {len(x)}, Keras float32 formula vs exact float64 W: {err:.2e}')


if __name__ == '__main__':
    main()
