/*
 * The affine warp of one NHWC image with scipy.ndimage.affine_transform's
 * sampling (fill modes constant/nearest/reflect/wrap, orders 0 and 1), flips
 * folded into the write position. Same float64 operations in the same order
 * as warp() in src/transform/apply.ts, so both give bit-identical float32
 * output; this one is about twice as fast. Built by build.sh.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

enum { CONSTANT = 0, NEAREST = 1, REFLECT = 2, WRAP = 3 };

static inline double ffloor(double x) { return __builtin_floor(x); }
static inline double ftrunc(double x) { return __builtin_trunc(x); }

/* scipy's boundary rule for a coordinate outside [0, n-1]; returns 0 with *outside set for constant. */
static double map_coordinate(double c, int n, int mode, int *outside) {
  if (c >= 0 && c <= n - 1) return c;
  switch (mode) {
    case CONSTANT:
      *outside = 1;
      return 0;
    case NEAREST:
      return c < 0 ? 0 : n - 1;
    case REFLECT: {
      double period = 2.0 * n;
      if (c < 0) {
        if (c < -period) c += period * ftrunc(-c / period);
        return c < -n ? c + period : -c - 1;
      }
      c -= period * ftrunc(c / period);
      return c >= n ? period - c - 1 : c;
    }
    default: {
      double p = n - 1;
      if (p == 0) return 0;
      return c < 0 ? c + p * (ftrunc(-c / p) + 1) : c - p * ftrunc(c / p);
    }
  }
}

static inline int tap_index(int i, int n, int reflect) {
  if (i >= 0 && i < n) return i;
  if (reflect) {
    if (i < 0) { int m = -i - 1; return m < n - 1 ? m : n - 1; }
    int m = 2 * n - i - 1;
    return m > 0 ? m : 0;
  }
  return i < 0 ? 0 : n - 1;
}

/*
 * dst = src warped by output (r, c) -> input (r m00 + c m01 + o0, r m10 + c m11 + o1).
 * order 1: bilinear, 0: nearest (round half up).
 */
EXPORT("warp") void warp(const float *src, float *dst, int h, int w, int ch, double m00, double m01, double m10, double m11,
                         double o0, double o1, int mode, double cval, int order, int flip_h, int flip_v) {
  int reflect = mode == REFLECT;
  int row_stride = w * ch;
  float fill = (float)cval;
  for (int r = 0; r < h; r++) {
    float *out_row = dst + (flip_v ? h - 1 - r : r) * row_stride;
    for (int c = 0; c < w; c++) {
      float *out = out_row + (flip_h ? w - 1 - c : c) * ch;
      double cr = 0.0 + r * m00 + c * m01 + o0;
      double cc = 0.0 + r * m10 + c * m11 + o1;
      int outside = 0;
      if (order == 1) {
        double fr = ffloor(cr), fc = ffloor(cc);
        const float *r0, *r1;
        int c0, c1;
        if (fr >= 0 && fr < h - 1 && fc >= 0 && fc < w - 1) {
          r0 = src + (int)fr * row_stride;
          r1 = r0 + row_stride;
          c0 = (int)fc * ch;
          c1 = c0 + ch;
        } else {
          cr = map_coordinate(cr, h, mode, &outside);
          cc = map_coordinate(cc, w, mode, &outside);
          if (outside) {
            for (int k = 0; k < ch; k++) out[k] = fill;
            continue;
          }
          int gr = (int)ffloor(cr), gc = (int)ffloor(cc);
          r0 = src + tap_index(gr, h, reflect) * row_stride;
          r1 = src + tap_index(gr + 1, h, reflect) * row_stride;
          c0 = tap_index(gc, w, reflect) * ch;
          c1 = tap_index(gc + 1, w, reflect) * ch;
        }
        double tr = cr - ffloor(cr), tc = cc - ffloor(cc);
        double w00 = (1 - tr) * (1 - tc), w01 = (1 - tr) * tc, w10 = tr * (1 - tc), w11 = tr * tc;
        for (int k = 0; k < ch; k++) {
          out[k] = (float)((double)r0[c0 + k] * w00 + (double)r0[c1 + k] * w01 + (double)r1[c0 + k] * w10 + (double)r1[c1 + k] * w11);
        }
        continue;
      }
      cr = map_coordinate(cr, h, mode, &outside);
      cc = map_coordinate(cc, w, mode, &outside);
      if (outside) {
        for (int k = 0; k < ch; k++) out[k] = fill;
        continue;
      }
      const float *at = src + tap_index((int)ffloor(cr + 0.5), h, reflect) * row_stride + tap_index((int)ffloor(cc + 0.5), w, reflect) * ch;
      for (int k = 0; k < ch; k++) out[k] = at[k];
    }
  }
}
