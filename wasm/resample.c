/*
 * The two convolution passes of Pillow's resize for 8-bit images, with wasm
 * SIMD. Bit-identical to src/node/resample/resize.ts (the TypeScript
 * reference), which computes the taps (src/node/resample/coefficients.ts)
 * and calls these: every sum is in 32-bit integers (taps with 22 fraction
 * bits, plus one half), so only the order of the terms differs and the
 * result cannot.
 *
 * Buffers are interleaved 8-bit pixels. Reads may run up to 16 bytes past a
 * source's last pixel and writes up to 16 bytes past a destination's last
 * pixel (the caller leaves that room); what lands there is never used.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define INLINE static inline __attribute__((always_inline))

#define PRECISION_BITS 22
#define HALF (1 << (PRECISION_BITS - 1))

/* Four i32 sums shifted to 8 bits and clamped to 0..255 (saturating narrows clamp as Pillow's clip table does). */
INLINE v128_t narrow4(v128_t a, v128_t b, v128_t c, v128_t d) {
  v128_t lo = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(a, PRECISION_BITS), wasm_i32x4_shr(b, PRECISION_BITS));
  v128_t hi = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(c, PRECISION_BITS), wasm_i32x4_shr(d, PRECISION_BITS));
  return wasm_u8x16_narrow_i16x8(lo, hi);
}

INLINE uint8_t clip8(int32_t s) {
  int32_t v = s >> PRECISION_BITS;
  return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* The low four bytes at p widened to four i32 lanes. */
INLINE v128_t widen4(const uint8_t *p) {
  v128_t v = wasm_v128_load32_zero(p);
  return wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(v));
}

/*
 * Horizontal pass: `rows` rows of `src` (`in_row` bytes apart, `ch` = 1, 3 or
 * 4 channels) to rows of `out_w` pixels in `dst`. Output pixel x reads
 * count[x] source pixels from first[x] with taps[x * stride ...] (stride a
 * multiple of 4, zeros past count[x]).
 */
EXPORT("horizontal")
void horizontal(const uint8_t *src, int in_row, int rows, int ch, uint8_t *dst, int out_w,
                const int32_t *first, const int32_t *count, const int32_t *taps, int stride) {
  for (int y = 0; y < rows; y++) {
    const uint8_t *line = src + (long)y * in_row;
    uint8_t *out = dst + (long)y * out_w * ch;
    if (ch == 1) {
      for (int x = 0; x < out_w; x++) {
        const uint8_t *s = line + first[x];
        const int32_t *k = taps + x * stride;
        int n = count[x];
        v128_t acc = wasm_i32x4_splat(0);
        /* taps in fours; the taps past count[x] are zero, so the extra bytes read add nothing */
        for (int i = 0; i < n; i += 4) acc = wasm_i32x4_add(acc, wasm_i32x4_mul(widen4(s + i), wasm_v128_load(k + i)));
        int32_t sum = HALF + wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) +
                      wasm_i32x4_extract_lane(acc, 2) + wasm_i32x4_extract_lane(acc, 3);
        out[x] = clip8(sum);
      }
    } else {
      /* one pixel per i32x4 (RGB's fourth lane is the next pixel's byte, stored then overwritten) */
      for (int x = 0; x < out_w; x++) {
        const uint8_t *s = line + first[x] * ch;
        const int32_t *k = taps + x * stride;
        int n = count[x];
        v128_t acc = wasm_i32x4_splat(HALF);
        for (int i = 0; i < n; i++) acc = wasm_i32x4_add(acc, wasm_i32x4_mul(widen4(s + i * ch), wasm_i32x4_splat(k[i])));
        v128_t px = narrow4(acc, acc, acc, acc);
        wasm_v128_store32_lane(out + x * ch, px, 0);
      }
    }
  }
}

/*
 * Vertical pass: `out_h` rows of `row` bytes into `dst`; output row y sums
 * count[y] rows of `src` from first[y] (already relative to src) with
 * taps[y * stride ...]. Every byte of a row is independent, so 16 at a time.
 */
EXPORT("vertical")
void vertical(const uint8_t *src, int row, int out_h, uint8_t *dst,
              const int32_t *first, const int32_t *count, const int32_t *taps, int stride) {
  for (int y = 0; y < out_h; y++) {
    const uint8_t *base = src + (long)first[y] * row;
    const int32_t *k = taps + y * stride;
    int n = count[y];
    uint8_t *out = dst + (long)y * row;
    for (int x = 0; x < row; x += 16) {
      v128_t a0 = wasm_i32x4_splat(HALF), a1 = a0, a2 = a0, a3 = a0;
      const uint8_t *s = base + x;
      for (int i = 0; i < n; i++, s += row) {
        v128_t v = wasm_v128_load(s);
        v128_t w = wasm_i32x4_splat(k[i]);
        v128_t lo = wasm_u16x8_extend_low_u8x16(v);
        v128_t hi = wasm_u16x8_extend_high_u8x16(v);
        a0 = wasm_i32x4_add(a0, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(lo), w));
        a1 = wasm_i32x4_add(a1, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(lo), w));
        a2 = wasm_i32x4_add(a2, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(hi), w));
        a3 = wasm_i32x4_add(a3, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(hi), w));
      }
      wasm_v128_store(out + x, narrow4(a0, a1, a2, a3));
    }
  }
}
