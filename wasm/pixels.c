/*
 * Per-pixel kernels, built by build.sh into src/pixels/wasm/pixelsModule.ts.
 *
 * warp: the affine warp of one NHWC image with scipy.ndimage.affine_transform's
 * sampling (fill modes constant/nearest/reflect/wrap, orders 0 and 1), flips
 * folded into the write position, optionally followed by a per-channel
 * x * a[k] + b[k] (the elementwise standardization) on each written value.
 * Same float64 operations in the same order as warpTs() in
 * src/transform/apply.ts followed by the affine pass of
 * src/standardize/kernel.ts, so the float32 output is bit-identical.
 * affine: that per-channel pass alone.
 * spline_prefilter, spline_warp: interpolation orders 2 to 5 (scipy's spline
 * prefilter, then B-spline evaluation), the arithmetic of
 * src/transform/spline.ts; see the comment above spline_prefilter.
 *
 * Speed notes (V8 on x86-64): each pixel's (row, col) position and its floor
 * are computed in one f64x2, and floored coordinates become integers by the
 * 2^52 + 2^51 addition trick: V8's checked float-to-int conversions and the
 * merge dependency of scalar roundsd made the scalar loop twice as slow.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define INLINE static inline __attribute__((always_inline))

enum { CONSTANT = 0, NEAREST = 1, REFLECT = 2, WRAP = 3 };

static inline double ffloor(double x) { return __builtin_floor(x); }
static inline double ftrunc(double x) { return __builtin_trunc(x); }

/* scipy's reflect or wrap rule for a coordinate (other modes are handled where the position is made). */
static double map_coordinate(double c, int n, int mode) {
  if (c >= 0 && c <= n - 1) return c;
  if (mode == REFLECT) {
    double period = 2.0 * n;
    if (c < 0) {
      if (c < -period) c += period * ftrunc(-c / period);
      return c < -n ? c + period : -c - 1;
    }
    c -= period * ftrunc(c / period);
    return c >= n ? period - c - 1 : c;
  }
  double p = n - 1;
  if (p == 0) return 0;
  return c < 0 ? c + p * (ftrunc(-c / p) + 1) : c - p * ftrunc(c / p);
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

/* The per-channel affine after the warp (ab = a[0..ch), b[0..ch)), or none when ab is 0. */
INLINE float then(float x, const double *ab, int k, int ch) {
  return ab ? (float)((double)x * ab[k] + ab[ch + k]) : x;
}

/*
 * f32x4.demote_f64x2_zero (lanes 2 and 3 zero). Written as the instruction:
 * clang 14 turns wasm_f32x4_demote_f64x2_zero into per-lane scalar code,
 * which cost a third of the pixel.
 */
INLINE v128_t demote(v128_t x) {
  v128_t r;
  __asm__("local.get %1\n\tf32x4.demote_zero_f64x2\n\tlocal.set %0" : "=r"(r) : "r"(x));
  return r;
}

/* Integer lanes 0 and 2 of a vector of whole numbers in [0, 2^31). */
INLINE v128_t whole_to_int(v128_t f) { return wasm_f64x2_add(f, wasm_f64x2_splat(6755399441055744.0)); }

/* Bilinear from the four taps p00, p01 (next column), p10 (next row), p11 with weights w. */
INLINE void bilinear(const float *p00, const float *p01, const float *p10, const float *p11, int ch,
                     double w00, double w01, double w10, double w11, float *out, const double *ab) {
  if (ch == 3) {
    /* Channels 0 and 1 in the two lanes of an f64x2, channel 2 alone. */
    v128_t W00 = wasm_f64x2_splat(w00), W01 = wasm_f64x2_splat(w01), W10 = wasm_f64x2_splat(w10), W11 = wasm_f64x2_splat(w11);
    v128_t s = wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(p00)), W00);
    s = wasm_f64x2_add(s, wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(p01)), W01));
    s = wasm_f64x2_add(s, wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(p10)), W10));
    s = wasm_f64x2_add(s, wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(p11)), W11));
    v128_t f = demote(s);
    float f2 = (float)((double)p00[2] * w00 + (double)p01[2] * w01 + (double)p10[2] * w10 + (double)p11[2] * w11);
    if (ab) {
      v128_t a = wasm_f64x2_make(ab[0], ab[1]), b = wasm_f64x2_make(ab[3], ab[4]);
      f = demote(wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(f), a), b));
      f2 = then(f2, ab, 2, 3);
    }
    wasm_v128_store64_lane(out, f, 0);
    out[2] = f2;
    return;
  }
  for (int k = 0; k < ch; k++) {
    float v = (float)((double)p00[k] * w00 + (double)p01[k] * w01 + (double)p10[k] * w10 + (double)p11[k] * w11);
    out[k] = then(v, ab, k, ch);
  }
}

/* A position outside the image in reflect or wrap mode: scipy's boundary rules, then clamped or mirrored taps. */
static void sample_edge(const float *src, float *out, int h, int w, int ch, double cr, double cc, int mode, int order,
                        const double *ab) {
  int reflect = mode == REFLECT, row_stride = w * ch;
  cr = map_coordinate(cr, h, mode);
  cc = map_coordinate(cc, w, mode);
  if (order == 0) {
    const float *at = src + tap_index((int)ffloor(cr + 0.5), h, reflect) * row_stride + tap_index((int)ffloor(cc + 0.5), w, reflect) * ch;
    for (int k = 0; k < ch; k++) out[k] = then(at[k], ab, k, ch);
    return;
  }
  int gr = (int)ffloor(cr), gc = (int)ffloor(cc);
  const float *r0 = src + tap_index(gr, h, reflect) * row_stride;
  const float *r1 = src + tap_index(gr + 1, h, reflect) * row_stride;
  int c0 = tap_index(gc, w, reflect) * ch, c1 = tap_index(gc + 1, w, reflect) * ch;
  double tr = cr - ffloor(cr), tc = cc - ffloor(cc);
  double w00 = (1 - tr) * (1 - tc), w01 = (1 - tr) * tc, w10 = tr * (1 - tc), w11 = tr * tc;
  for (int k = 0; k < ch; k++) {
    float v = (float)((double)r0[c0 + k] * w00 + (double)r0[c1 + k] * w01 + (double)r1[c0 + k] * w10 + (double)r1[c1 + k] * w11);
    out[k] = then(v, ab, k, ch);
  }
}

/*
 * The warp for one channel count (a constant after inlining, so the paths
 * specialize). A position inside [0, h-1] x [0, w-1] samples the same way in
 * every fill mode (taps past the last row or column repeat it); outside,
 * nearest clamps the position, constant fills, reflect and wrap take the
 * general path.
 */
INLINE void warp_image(const float *src, float *dst, int h, int w, int ch, double m00, double m01, double m10, double m11,
                       double o0, double o1, int mode, float fill, int order, int flip_h, int flip_v, const double *ab) {
  int row_stride = w * ch;
  v128_t step = wasm_f64x2_make(m01, m11), offset = wasm_f64x2_make(o0, o1);
  v128_t zero = wasm_f64x2_splat(0), last = wasm_f64x2_make(h - 1, w - 1), half = wasm_f64x2_splat(0.5);
  for (int r = 0; r < h; r++) {
    float *out_row = dst + (flip_v ? h - 1 - r : r) * row_stride;
    /* Position (0 + r m00 + c m01 + o0, 0 + r m10 + c m11 + o1), summed in that order. */
    v128_t row = wasm_f64x2_add(zero, wasm_f64x2_mul(wasm_f64x2_splat((double)r), wasm_f64x2_make(m00, m10)));
    for (int c = 0; c < w; c++) {
      float *out = out_row + (flip_h ? w - 1 - c : c) * ch;
      v128_t at = wasm_f64x2_add(wasm_f64x2_add(row, wasm_f64x2_mul(wasm_f64x2_splat((double)c), step)), offset);
      if (mode == NEAREST) {
        at = wasm_f64x2_pmin(last, wasm_f64x2_pmax(zero, at));
      } else if (!wasm_i64x2_all_true(wasm_v128_and(wasm_f64x2_ge(at, zero), wasm_f64x2_le(at, last)))) {
        if (mode == CONSTANT) {
          for (int k = 0; k < ch; k++) out[k] = then(fill, ab, k, ch);
        } else {
          sample_edge(src, out, h, w, ch, wasm_f64x2_extract_lane(at, 0), wasm_f64x2_extract_lane(at, 1), mode, order, ab);
        }
        continue;
      }
      if (order == 0) {
        v128_t i = whole_to_int(wasm_f64x2_floor(wasm_f64x2_add(at, half)));
        const float *p = src + wasm_i32x4_extract_lane(i, 0) * row_stride + wasm_i32x4_extract_lane(i, 2) * ch;
        for (int k = 0; k < ch; k++) out[k] = then(p[k], ab, k, ch);
        continue;
      }
      v128_t f = wasm_f64x2_floor(at), t = wasm_f64x2_sub(at, f), i = whole_to_int(f);
      int ir = wasm_i32x4_extract_lane(i, 0), ic = wasm_i32x4_extract_lane(i, 2);
      const float *p00 = src + ir * row_stride + ic * ch;
      const float *p10 = ir < h - 1 ? p00 + row_stride : p00;
      int next = ic < w - 1 ? ch : 0;
      double tr = wasm_f64x2_extract_lane(t, 0), tc = wasm_f64x2_extract_lane(t, 1);
      bilinear(p00, p00 + next, p10, p10 + next, ch, (1 - tr) * (1 - tc), (1 - tr) * tc, tr * (1 - tc), tr * tc, out, ab);
    }
  }
}

/*
 * dst = src warped by output (r, c) -> input (r m00 + c m01 + o0, r m10 + c m11 + o1).
 * order 1: bilinear, 0: nearest (round half up). ab: the per-channel affine
 * applied to every written value (a[0..ch), then b[0..ch)), or 0 for none.
 */
EXPORT("warp") void warp(const float *src, float *dst, int h, int w, int ch, double m00, double m01, double m10, double m11,
                         double o0, double o1, int mode, double cval, int order, int flip_h, int flip_v, const double *ab) {
  float fill = (float)cval;
  /* One specialized copy per common channel count, with and without the affine. */
#define WARP(CH, AB) warp_image(src, dst, h, w, CH, m00, m01, m10, m11, o0, o1, mode, fill, order, flip_h, flip_v, AB)
#define EITHER(CH) \
  if (ab) WARP(CH, ab); \
  else WARP(CH, 0);
  switch (ch) {
    case 1: EITHER(1) break;
    case 3: EITHER(3) break;
    case 4: EITHER(4) break;
    default: EITHER(ch)
  }
#undef EITHER
#undef WARP
}

/*
 * x = x * a[k] + b[k] in place over `count` values of interleaved pixels with
 * ch channels (count a multiple of ch; ab as for warp): the elementwise
 * standardization, same operations as src/standardize/kernel.ts.
 */
EXPORT("affine") void affine(float *x, int count, int ch, const double *ab) {
  int i = 0;
  if (ch == 1 || ch == 2 || ch == 4) {
    /* Lanes of an f64x2 follow the channels with period 1, 2 or 4: two coefficient vectors cover them. */
    v128_t a0 = wasm_f64x2_make(ab[0], ab[1 % ch]), b0 = wasm_f64x2_make(ab[ch], ab[ch + 1 % ch]);
    v128_t a1 = wasm_f64x2_make(ab[2 % ch], ab[3 % ch]), b1 = wasm_f64x2_make(ab[ch + 2 % ch], ab[ch + 3 % ch]);
    for (; i + 4 <= count; i += 4) {
      v128_t v = wasm_v128_load(x + i);
      v128_t lo = demote(wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(v), a0), b0));
      v128_t hi = demote(wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)), a1), b1));
      wasm_v128_store(x + i, wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5));
    }
  } else if (ch == 3) {
    /* Twelve values = four pixels: six f64x2 whose channel pairs are (0,1) (2,0) (1,2), twice. */
    v128_t a01 = wasm_f64x2_make(ab[0], ab[1]), a20 = wasm_f64x2_make(ab[2], ab[0]), a12 = wasm_f64x2_make(ab[1], ab[2]);
    v128_t b01 = wasm_f64x2_make(ab[3], ab[4]), b20 = wasm_f64x2_make(ab[5], ab[3]), b12 = wasm_f64x2_make(ab[4], ab[5]);
#define HALF(v, a, b) demote(wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(v), a), b))
#define HIGH(v) wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)
#define JOIN(lo, hi) wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5)
    for (; i + 12 <= count; i += 12) {
      v128_t v0 = wasm_v128_load(x + i), v1 = wasm_v128_load(x + i + 4), v2 = wasm_v128_load(x + i + 8);
      wasm_v128_store(x + i, JOIN(HALF(v0, a01, b01), HALF(HIGH(v0), a20, b20)));
      wasm_v128_store(x + i + 4, JOIN(HALF(v1, a12, b12), HALF(HIGH(v1), a01, b01)));
      wasm_v128_store(x + i + 8, JOIN(HALF(v2, a20, b20), HALF(HIGH(v2), a12, b12)));
    }
#undef HALF
#undef HIGH
#undef JOIN
  }
  for (; i < count; i++) x[i] = then(x[i], ab, i % ch, ch);
}

/*
 * Interpolation orders 2 to 5: scipy.ndimage.affine_transform's spline path
 * (SciPy 1.17), the same float64 operations in the same order as
 * src/transform/spline.ts, so the float32 output is bit-identical to it.
 * spline_prefilter makes the B-spline coefficients of an image (all channels,
 * HWC float64, `pad` edge copies around it), spline_warp evaluates them.
 */

static const double SPLINE_POLES[6][2] = {
  {0, 0}, {0, 0},
  {-0.171572875253809902396622551580603843, 0},
  {-0.267949192431122706472553658494127633, 0},
  {-0.361341225900220177092212841325675255, -0.013725429297339121360331226939128204},
  {-0.430575347099973791851434783493520110, -0.043096288203264653822712376822550182},
};

/*
 * Filters the lines of `groups` x `lanes` values in place: line (g, k) holds
 * c[g * gstride + i * step + k] for i in [0, n). Lanes go in f64x2 pairs;
 * every line sees the operations of spline.ts's filterLines. `keep` holds
 * groups * lanes scratch values (the reflect start keeps each line's first value).
 */
#define LANES(body2, body1) \
  for (int g = 0; g < groups; g++) { \
    double *L = c + g * gstride; \
    double *K = keep + g * lanes; \
    int k = 0; \
    _Pragma("clang loop vectorize(disable) unroll(disable)") \
    for (; k + 2 <= lanes; k += 2) { body2 } \
    _Pragma("clang loop vectorize(disable) unroll(disable)") \
    for (; k < lanes; k++) { body1 } \
  }
#define LD(p) wasm_v128_load(p)
#define ST(p, v) wasm_v128_store(p, v)
#define MUL wasm_f64x2_mul
#define ADD wasm_f64x2_add
#define SUB wasm_f64x2_sub
#define DIV wasm_f64x2_div
#define SPLAT wasm_f64x2_splat

static void filter_lines(double *c, int n, int step, int lanes, int groups, int gstride, const double *poles, int npoles,
                         const double *powers, int reflect, double *keep) {
  if (n < 2) return;
  double gain = 1;
  for (int p = 0; p < npoles; p++) gain *= (1 - poles[p]) * (1 - 1 / poles[p]);
  int last = (n - 1) * step;
  for (int i = 0; i < n; i++) {
    int at = i * step;
    v128_t G = SPLAT(gain);
    LANES(ST(L + at + k, MUL(LD(L + at + k), G));, L[at + k] = L[at + k] * gain;)
  }
  for (int p = 0; p < npoles; p++) {
    double z = poles[p], zn = powers[p];
    v128_t Z = SPLAT(z), ZN = SPLAT(zn);
    /* Causal start. */
    if (reflect) {
      LANES(ST(K + k, LD(L + k)); ST(L + k, ADD(LD(L + k), MUL(ZN, LD(L + last + k))));,
            K[k] = L[k]; L[k] = L[k] + zn * L[last + k];)
      double zi = z;
      for (int i = 1; i < n; i++) {
        int fwd = i * step, back = (n - 1 - i) * step;
        v128_t ZI = SPLAT(zi);
        LANES(ST(L + k, ADD(LD(L + k), MUL(ZI, ADD(LD(L + fwd + k), MUL(ZN, LD(L + back + k))))));,
              L[k] = L[k] + zi * (L[fwd + k] + zn * L[back + k]);)
        zi *= z;
      }
      double scale = z / (1 - zn * zn);
      v128_t S = SPLAT(scale);
      LANES(ST(L + k, ADD(MUL(LD(L + k), S), LD(K + k)));, L[k] = L[k] * scale + K[k];)
    } else {
      LANES(ST(L + k, ADD(LD(L + k), MUL(ZN, LD(L + last + k))));, L[k] = L[k] + zn * L[last + k];)
      double zi = z;
      for (int i = 1; i < n - 1; i++) {
        int fwd = i * step, back = (n - 1 - i) * step;
        v128_t ZI = SPLAT(zi);
        LANES(ST(L + k, ADD(LD(L + k), MUL(ZI, ADD(LD(L + fwd + k), MUL(ZN, LD(L + back + k))))));,
              L[k] = L[k] + zi * (L[fwd + k] + zn * L[back + k]);)
        zi *= z;
      }
      double div = 1 - zn * zn;
      v128_t D = SPLAT(div);
      LANES(ST(L + k, DIV(LD(L + k), D));, L[k] = L[k] / div;)
    }
    /* Causal pass. */
    for (int i = 1; i < n; i++) {
      int at = i * step, prev = at - step;
      LANES(ST(L + at + k, ADD(LD(L + at + k), MUL(Z, LD(L + prev + k))));, L[at + k] = L[at + k] + z * L[prev + k];)
    }
    /* Anticausal start and pass. */
    int prev = last - step;
    if (reflect) {
      double scale = z / (z - 1);
      v128_t S = SPLAT(scale);
      LANES(ST(L + last + k, MUL(LD(L + last + k), S));, L[last + k] = L[last + k] * scale;)
    } else {
      double div = z * z - 1;
      v128_t D = SPLAT(div);
      LANES(ST(L + last + k, DIV(MUL(ADD(MUL(Z, LD(L + prev + k)), LD(L + last + k)), Z), D));,
            L[last + k] = (z * L[prev + k] + L[last + k]) * z / div;)
    }
    for (int i = n - 2; i >= 0; i--) {
      int at = i * step, next = at + step;
      LANES(ST(L + at + k, MUL(Z, SUB(LD(L + next + k), LD(L + at + k))));, L[at + k] = z * (L[next + k] - L[at + k]);)
    }
  }
}
#undef LANES

/*
 * coef (H = h + 2 pad rows, W = w + 2 pad columns, ch channels, float64) =
 * the B-spline coefficients of src (h x w x ch, float32) for `order`:
 * copied in with edge copies as padding, then filtered along rows (axis 0)
 * and columns (axis 1). reflect: reflect starts (else mirror); powers: the
 * pole powers of polePowers() in spline.ts; keep: H * W * ch scratch doubles.
 */
EXPORT("spline_prefilter") void spline_prefilter(const float *src, double *coef, int h, int w, int ch, int pad, int order,
                                                 int reflect, const double *powers, double *keep) {
  int H = h + 2 * pad, W = w + 2 * pad, row_stride = W * ch;
  for (int r = 0; r < H; r++) {
    int sr = r - pad < 0 ? 0 : r - pad >= h ? h - 1 : r - pad;
    const float *from = src + sr * w * ch;
    double *to = coef + r * row_stride;
    for (int col = 0; col < W; col++) {
      int sc = col - pad < 0 ? 0 : col - pad >= w ? w - 1 : col - pad;
      for (int k = 0; k < ch; k++) to[col * ch + k] = from[sc * ch + k];
    }
  }
  const double *poles = SPLINE_POLES[order];
  int npoles = order / 2;
  /* Axis 0: all columns of all channels as lanes of one group; axis 1: a group per row. */
  filter_lines(coef, H, row_stride, row_stride, 1, 0, poles, npoles, powers, reflect, keep);
  filter_lines(coef, W, ch, ch, H, row_stride, poles, npoles, powers + 2, reflect, keep);
}

/* scipy's map_coordinate for the spline path (MIRROR: whole-sample symmetric, for taps); -1: outside (constant). */
enum { MIRROR = 4 };
static __attribute__((noinline)) double spline_map_outside(double x, int n, int mode) {
  if (x < 0) {
    switch (mode) {
      case MIRROR: {
        if (n <= 1) return 0;
        double p = 2.0 * n - 2;
        x = p * ftrunc(-x / p) + x;
        return x <= 1 - n ? x + p : -x;
      }
      case REFLECT: {
        if (n <= 1) return 0;
        double p = 2.0 * n;
        if (x < -p) x = p * ftrunc(-x / p) + x;
        return x < -n ? x + p : (x > -1e-15 ? 1e-15 : -x) - 1;
      }
      case WRAP: {
        if (n <= 1) return 0;
        double p = n - 1;
        return x + p * (ftrunc(-x / p) + 1);
      }
      case NEAREST: return 0;
      default: return -1;
    }
  } else if (x > n - 1) {
    switch (mode) {
      case MIRROR: {
        if (n <= 1) return 0;
        double p = 2.0 * n - 2;
        x -= p * ftrunc(x / p);
        return x >= n ? p - x : x;
      }
      case REFLECT: {
        if (n <= 1) return 0;
        double p = 2.0 * n;
        x -= p * ftrunc(x / p);
        return x >= n ? p - x - 1 : x;
      }
      case WRAP: {
        if (n <= 1) return 0;
        double p = n - 1;
        return x - p * ftrunc(x / p);
      }
      case NEAREST: return n - 1;
      default: return -1;
    }
  }
  return x;
}

/* Inside [0, n-1] a position stays; outside is the rare (border) case, kept out of line. */
INLINE double spline_map(double x, int n, int mode) {
  return x >= 0 && x <= n - 1 ? x : spline_map_outside(x, n, mode);
}

/* Tap offsets of a footprint that crosses the border, mapped by tap_mode. */
static __attribute__((noinline)) void edge_taps(double start, int n, int order, int tap_mode, int scale, int *taps) {
  for (int i = 0; i <= order; i++) {
    /* Inside the array even where float64 lost the position or it is NaN (as inside() in spline.ts). */
    double v = spline_map(start + i, n, tap_mode);
    taps[i] = (v >= 0 ? (v <= n - 1 ? (int)v : n - 1) : 0) * scale;
  }
}

/* The B-spline weights of the order + 1 taps around x (as splineWeights in spline.ts). */
INLINE void spline_weights(double x, int order, double *out) {
  x -= ffloor(order & 1 ? x : x + 0.5);
  double y, z, t;
  switch (order) {
    case 2:
      out[1] = 0.75 - x * x;
      y = 0.5 - x;
      out[0] = 0.5 * y * y;
      break;
    case 3:
      y = x;
      z = 1 - x;
      out[1] = (y * y * (y - 2) * 3 + 4) / 6;
      out[2] = (z * z * (z - 2) * 3 + 4) / 6;
      out[0] = z * z * z / 6;
      break;
    case 4:
      t = x * x;
      out[2] = t * (t * 0.25 - 0.625) + 115.0 / 192.0;
      y = 1 + x;
      out[1] = y * (y * (y * (5 - y) / 6 - 1.25) + 5.0 / 24.0) + 55.0 / 96.0;
      z = 1 - x;
      out[3] = z * (z * (z * (5 - z) / 6 - 1.25) + 5.0 / 24.0) + 55.0 / 96.0;
      y = 0.5 - x;
      t = y * y;
      out[0] = t * t / 24;
      break;
    default:
      y = x;
      t = y * y;
      out[2] = t * (t * (0.25 - y / 12) - 0.5) + 0.55;
      z = 1 - x;
      t = z * z;
      out[3] = t * (t * (0.25 - z / 12) - 0.5) + 0.55;
      y += 1;
      out[1] = y * (y * (y * (y * (y / 24 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425;
      z += 1;
      out[4] = z * (z * (z * (z * (z / 24 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425;
      y = 1 - x;
      t = y * y;
      out[0] = y * t * t / 120;
      break;
  }
  double last = 1;
  for (int i = 0; i < order; i++) last -= out[i];
  out[order] = last;
}

/* Taps (element offsets: index * scale) and weights along one axis of length n for mapped position x. */
INLINE void axis_taps(double x, int n, int order, int tap_mode, int scale, int *taps, double *weights) {
  double start = ffloor(order & 1 ? x : x + 0.5) - (order >> 1);
  if (!(start >= 0 && start + order < n)) {
    edge_taps(start, n, order, tap_mode, scale, taps);
  } else {
    int s = (int)start;
    for (int i = 0; i <= order; i++) taps[i] = (s + i) * scale;
  }
  spline_weights(x, order, weights);
}

/*
 * One output pixel from its taps: per channel, the sum over rows, then
 * columns, of coefficient * row weight * column weight. Channels go in f64x2
 * pairs, an odd last channel in a pair whose second lane (the next value in
 * memory; coef has slack after it) is computed and dropped.
 */
INLINE void spline_pixel(const double *coef, const int *rt, const int *ct, const double *rw, const double *cw, int order, int ch,
                         float *out, const double *ab) {
  v128_t CW[6];
  for (int j = 0; j <= order; j++) CW[j] = SPLAT(cw[j]);
  for (int k = 0; k < ch; k += 2) {
    v128_t t = SPLAT(0);
    for (int i = 0; i <= order; i++) {
      const double *row = coef + rt[i] + k;
      v128_t W0 = SPLAT(rw[i]);
      for (int j = 0; j <= order; j++) t = ADD(t, MUL(MUL(wasm_v128_load(row + ct[j]), W0), CW[j]));
    }
    v128_t f = demote(t);
    if (k + 1 < ch) {
      if (ab) f = demote(ADD(MUL(wasm_f64x2_promote_low_f32x4(f), wasm_f64x2_make(ab[k], ab[k + 1])), wasm_f64x2_make(ab[ch + k], ab[ch + k + 1])));
      wasm_v128_store64_lane(out + k, f, 0);
    } else {
      out[k] = then(wasm_f32x4_extract_lane(f, 0), ab, k, ch);
    }
  }
}

INLINE void spline_image(const double *coef, float *dst, int h, int w, int ch, int pad, double m00, double m01, double m10,
                         double m11, double o0, double o1, int mode, float fill, int order, int flip_h, int flip_v,
                         const double *ab) {
  int H = h + 2 * pad, W = w + 2 * pad, row_stride = W * ch;
  int tap_mode = mode == CONSTANT || mode == WRAP ? MIRROR : mode;
  int rt[6], ct[6];
  double rw[6], cw[6];
  for (int r = 0; r < h; r++) {
    float *out_row = dst + (flip_v ? h - 1 - r : r) * w * ch;
    for (int c = 0; c < w; c++) {
      float *out = out_row + (flip_h ? w - 1 - c : c) * ch;
      /* scipy's order: offset first, then each output coordinate's term. */
      double x0 = o0;
      x0 += r * m00;
      x0 += c * m01;
      double x1 = o1;
      x1 += r * m10;
      x1 += c * m11;
      x0 += pad;
      x1 += pad;
      if (mode != NEAREST) {
        x0 = spline_map(x0, H, mode);
        x1 = spline_map(x1, W, mode);
        if (!(x0 > -1) || !(x1 > -1)) {
          for (int k = 0; k < ch; k++) out[k] = then(fill, ab, k, ch);
          continue;
        }
      }
      axis_taps(x0, H, order, tap_mode, row_stride, rt, rw);
      axis_taps(x1, W, order, tap_mode, ch, ct, cw);
      spline_pixel(coef, rt, ct, rw, cw, order, ch, out, ab);
    }
  }
}

/*
 * dst (h x w x ch) = the coefficients of spline_prefilter (pad as given
 * there) warped by output (r, c) -> input (o0 + r m00 + c m01, o1 + r m10 + c m11),
 * flips folded into the write position; ab as for warp.
 */
EXPORT("spline_warp") void spline_warp(const double *coef, float *dst, int h, int w, int ch, int pad, double m00, double m01,
                                       double m10, double m11, double o0, double o1, int mode, double cval, int order,
                                       int flip_h, int flip_v, const double *ab) {
  float fill = (float)cval;
#define SPL(CH, ORDER, AB) spline_image(coef, dst, h, w, CH, pad, m00, m01, m10, m11, o0, o1, mode, fill, ORDER, flip_h, flip_v, AB)
#define BY_ORDER(CH, AB) \
  switch (order) { \
    case 2: SPL(CH, 2, AB); break; \
    case 3: SPL(CH, 3, AB); break; \
    case 4: SPL(CH, 4, AB); break; \
    default: SPL(CH, 5, AB); break; \
  }
  /* One copy per order: the tap loops unroll. */
  BY_ORDER(ch, ab)
#undef BY_ORDER
#undef SPL
}
