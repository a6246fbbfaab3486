/*
 * A baseline JPEG decoder whose pixels equal libjpeg-turbo's with its default
 * settings (accurate integer IDCT, fancy chroma upsampling, YCbCr to RGB by
 * its fixed-point tables), which is how Pillow, and so Keras's `load_img`,
 * decodes. Written for speed with wasm SIMD where libjpeg-turbo uses x86 SIMD.
 *
 * It decodes the common case only and declines (a negative status) the rest,
 * which the caller sends to a full libjpeg-turbo: progressive, arithmetic,
 * 12-bit, multi-scan, CMYK/YCCK/RGB and unusual sampling files, and any file
 * libjpeg would warn about (premature end of data, extraneous bytes, bad
 * Huffman codes, a restart marker out of order). What it accepts is one
 * sequential scan of 1 (grey) or 3 (YCbCr) components, luma sampled 1x1,
 * 2x1, 1x2 or 2x2 and chroma 1x1, with or without restart markers.
 *
 * The arithmetic follows the JPEG standard (ITU T.81) and libjpeg's
 * published algorithms: IDCT by Loeffler, Ligtenberg and Moschytz with 13
 * fraction bits and 2 extra bits between the passes; triangular upsampling
 * (3/4 nearer + 1/4 further sample, with libjpeg's alternating rounding
 * biases); the colour conversion's 16-bit fixed-point constants. Pixels are
 * clamped to 0..255 as libjpeg's range-limit table does for every value a
 * valid file can produce, and as its x86 SIMD code (Pillow's on x86) does
 * for any value: on damaged files whose IDCT leaves that range the output
 * equals Pillow's there, where libjpeg's plain C code wraps.
 *
 * Memory: the caller puts the file at `src` and passes the first free byte
 * as `heap`; `decode` lays the component planes out from there (growing the
 * memory as needed), then `pixels` converts the whole image, or
 * `select_nearest` only the rows a NEAREST resize picks, straight to float32.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define INLINE static inline __attribute__((always_inline))

typedef uint8_t u8;
typedef uint16_t u16;
typedef int16_t i16;
typedef int32_t i32;
typedef uint32_t u32;
typedef uint64_t u64;

/* Statuses. Every negative one means "decode this file with libjpeg instead". */
#define MAX_PIXELS (1u << 26) /* larger images are declined (the caller's own limit is lower) */
enum { OK = 0, UNSUPPORTED = -1, SUSPICIOUS = -2, NO_MEMORY = -3 };

/* ---------------------------------------------------------------- memory */

static uintptr_t heap_top;

/* `n` bytes, 16-aligned, from the bump heap (grown as needed); 0 when memory runs out. */
static void *take(u32 n) {
  uintptr_t at = (heap_top + 15) & ~(uintptr_t)15;
  uintptr_t end = at + n + 64; /* room for SIMD reads and writes past the end */
  uintptr_t have = __builtin_wasm_memory_size(0) * 65536u;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) == (uintptr_t)-1) return 0;
  heap_top = end;
  return (void *)at;
}

/* ------------------------------------------------------- tables and state */

/* Zig-zag position -> natural (row-major) position in the 8x8 block. */
static const u8 natural[64] = {
  0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48,
  41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
  30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
};

#define LOOK 11 /* bits of the one-step Huffman lookup */

typedef struct {
  u8 defined;
  u8 look_len[1 << LOOK]; /* code length for codes of at most LOOK bits, 0 for longer codes */
  u8 look_sym[1 << LOOK];
  /* AC coefficients whose code and value bits together fit in LOOK bits, in one step: */
  u8 fast_len[1 << LOOK];  /* code + value bits, 0 when the entry is not such a coefficient */
  u8 fast_run[1 << LOOK];  /* zeros before it */
  i16 fast_value[1 << LOOK];
  i32 maxcode[18];        /* largest code of each length, -1 if none; [17] is a sentinel */
  i32 valoffset[18];      /* symbol index of a code of each length = code + valoffset */
  u8 symbols[256];
} Huffman;

typedef struct {
  int id, h, v, tq;     /* component id, sampling factors, quantization table */
  int dc, ac;           /* Huffman tables of the scan */
  int pred;             /* the previous block's DC value */
  int bw, bh;           /* blocks per row and rows of blocks in the plane */
  int width, height;    /* the component's own (downsampled) size */
  u8 *plane;            /* bw * 8 bytes a row, bh * 8 rows */
} Component;

static Huffman huff[2][4];          /* [DC = 0, AC = 1][table] */
static i16 quant[4][64];            /* natural order */
static u8 quant_defined[4];
static Component comp[3];
static int ncomp, width, height, restart_interval, hmax, vmax;
static int saw_jfif, adobe_transform; /* adobe_transform -1: no Adobe marker */

static const u8 *pos, *end;


/* ------------------------------------------------------------- markers */

INLINE int u16be(const u8 *p) { return (p[0] << 8) | p[1]; }

/* Builds a table from the 16 counts and the symbols (JPEG's canonical codes); 0 on a bogus table. */
static int build_huffman(Huffman *t, const u8 *counts, const u8 *symbols, int dc) {
  int total = 0;
  for (int l = 0; l < 16; l++) total += counts[l];
  if (total > 256) return 0;
  for (int i = 0; i < total; i++) {
    if (dc && symbols[i] > 15) return 0;
    t->symbols[i] = symbols[i];
  }
  for (int i = 0; i < (1 << LOOK); i++) t->look_len[i] = 0;
  int code = 0, k = 0;
  for (int l = 1; l <= 16; l++) {
    t->valoffset[l] = k - code;
    for (int i = 0; i < counts[l - 1]; i++, k++, code++) {
      if (l <= LOOK) {
        int shift = LOOK - l;
        for (int j = 0; j < (1 << shift); j++) {
          t->look_len[(code << shift) | j] = (u8)l;
          t->look_sym[(code << shift) | j] = symbols[k];
        }
      }
    }
    t->maxcode[l] = counts[l - 1] ? code - 1 : -1;
    if (code > (1 << l)) return 0; /* more codes than the length allows */
    code <<= 1;
  }
  t->maxcode[17] = 0x7fffffff;
  for (int look = 0; look < (1 << LOOK); look++) {
    int l = t->look_len[look], rs = t->look_sym[look], size = rs & 15;
    t->fast_len[look] = 0;
    if (dc || l == 0 || size == 0 || l + size > LOOK) continue;
    int v = (look >> (LOOK - l - size)) & ((1 << size) - 1);
    t->fast_value[look] = (i16)(v < (1 << (size - 1)) ? v - (1 << size) + 1 : v);
    t->fast_run[look] = (u8)(rs >> 4);
    t->fast_len[look] = (u8)(l + size);
  }
  t->defined = 1;
  return 1;
}

/* Reads the markers up to the first scan's header; leaves `pos` at the entropy-coded data. */
static int read_headers(void) {
  if (end - pos < 4 || pos[0] != 0xFF || pos[1] != 0xD8) return SUSPICIOUS;
  pos += 2;
  int have_frame = 0;
  for (;;) {
    if (end - pos < 4 || pos[0] != 0xFF) return SUSPICIOUS; /* libjpeg warns about bytes before a marker */
    while (pos < end && *pos == 0xFF) pos++; /* fill bytes */
    if (end - pos < 3) return SUSPICIOUS;
    int marker = *pos++;
    int len = u16be(pos);
    if (len < 2 || len > end - pos) return SUSPICIOUS;
    const u8 *seg = pos + 2, *next = pos + len;
    int n = len - 2;
    pos = next;
    if (marker == 0xE0 && n >= 5 && seg[0] == 'J' && seg[1] == 'F' && seg[2] == 'I' && seg[3] == 'F' && seg[4] == 0) {
      if (n < 14 || seg[5] != 1) return UNSUPPORTED; /* libjpeg reads 14 bytes, and warns about other major versions */
      saw_jfif = 1;
    } else if (marker == 0xEE && n >= 12 && seg[0] == 'A' && seg[1] == 'd' && seg[2] == 'o' && seg[3] == 'b' && seg[4] == 'e') {
      adobe_transform = seg[11];
    } else if ((marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE) {
      /* other application data and comments: nothing for the pixels */
    } else if (marker == 0xDB) {
      while (n > 0) {
        int pq = seg[0] >> 4, tq = seg[0] & 15, size = 1 + 64 * (pq ? 2 : 1);
        if (tq > 3 || pq > 1 || n < size) return SUSPICIOUS;
        for (int i = 0; i < 64; i++) {
          int q = pq ? u16be(seg + 1 + 2 * i) : seg[1 + i];
          if (q == 0 || q > 32767) return UNSUPPORTED;
          quant[tq][natural[i]] = (i16)q;
        }
        quant_defined[tq] = 1;
        seg += size;
        n -= size;
      }
    } else if (marker == 0xC4) {
      while (n > 0) {
        if (n < 17) return SUSPICIOUS;
        int tc = seg[0] >> 4, th = seg[0] & 15, total = 0;
        for (int l = 0; l < 16; l++) total += seg[1 + l];
        if (tc > 1 || th > 3 || n < 17 + total) return SUSPICIOUS;
        if (!build_huffman(&huff[tc][th], seg + 1, seg + 17, tc == 0)) return SUSPICIOUS;
        seg += 17 + total;
        n -= 17 + total;
      }
    } else if (marker == 0xDD) {
      if (n != 2) return SUSPICIOUS;
      restart_interval = u16be(seg);
    } else if (marker == 0xC0 || marker == 0xC1) {
      if (have_frame || n < 6 || seg[0] != 8) return UNSUPPORTED;
      height = u16be(seg + 1);
      width = u16be(seg + 3);
      ncomp = seg[5];
      if (width == 0 || height == 0 || (ncomp != 1 && ncomp != 3) || n != 6 + 3 * ncomp) return UNSUPPORTED;
      if ((u64)width * height > MAX_PIXELS) return UNSUPPORTED; /* keeps every size below in 32 bits */
      hmax = vmax = 1;
      for (int c = 0; c < ncomp; c++) {
        comp[c].id = seg[6 + 3 * c];
        comp[c].h = seg[7 + 3 * c] >> 4;
        comp[c].v = seg[7 + 3 * c] & 15;
        comp[c].tq = seg[8 + 3 * c];
        if (comp[c].h < 1 || comp[c].h > 2 || comp[c].v < 1 || comp[c].v > 2 || comp[c].tq > 3) return UNSUPPORTED;
        if (comp[c].h > hmax) hmax = comp[c].h;
        if (comp[c].v > vmax) vmax = comp[c].v;
      }
      if (ncomp == 1) comp[0].h = comp[0].v = hmax = vmax = 1; /* one component is never upsampled */
      if (ncomp == 3 && (comp[1].h != 1 || comp[1].v != 1 || comp[2].h != 1 || comp[2].v != 1)) return UNSUPPORTED;
      have_frame = 1;
    } else if (marker == 0xDA) {
      if (!have_frame || n < 1 || seg[0] != ncomp || n != 4 + 2 * ncomp) return UNSUPPORTED; /* one interleaved scan only */
      for (int c = 0; c < ncomp; c++) {
        if (seg[1 + 2 * c] != comp[c].id) return UNSUPPORTED;
        comp[c].dc = seg[2 + 2 * c] >> 4;
        comp[c].ac = seg[2 + 2 * c] & 15;
        if (comp[c].dc > 3 || comp[c].ac > 3 || !huff[0][comp[c].dc].defined || !huff[1][comp[c].ac].defined) return SUSPICIOUS;
        if (!quant_defined[comp[c].tq]) return SUSPICIOUS;
      }
      const u8 *p = seg + 1 + 2 * ncomp;
      if (p[0] != 0 || p[1] != 63 || p[2] != 0) return UNSUPPORTED; /* Ss, Se, Ah/Al of a sequential scan */
      return OK;
    } else {
      return UNSUPPORTED; /* progressive, lossless, arithmetic, hierarchical, DNL, stray markers */
    }
  }
}

/* libjpeg's choice of colour space for three components: YCbCr unless told or hinted otherwise. */
static int is_ycbcr(void) {
  if (saw_jfif) return 1;
  if (adobe_transform >= 0) return adobe_transform == 1;
  return comp[0].id == 1 && comp[1].id == 2 && comp[2].id == 3;
}

/* ------------------------------------------------------- entropy decoding */

static u64 bits;       /* the next `nbits` bits of the stream, in the low bits */
static int nbits;
static int pad_bits;   /* zero bits appended past a marker or the end (libjpeg would warn if any were used) */

/* Tops the bit buffer up to more than 56 bits (32 at least), unstuffing 0xFF 0x00 and stopping at a marker. */
static void refill(void) {
  if (nbits <= 32 && end - pos >= 4) {
    /* four bytes at once when none of them is 0xFF (a zero byte in the complement) */
    u32 w = ((u32)pos[0] << 24) | ((u32)pos[1] << 16) | ((u32)pos[2] << 8) | pos[3];
    if (!((~w - 0x01010101u) & w & 0x80808080u)) {
      bits = (bits << 32) | w;
      nbits += 32;
      pos += 4;
      return;
    }
  }
  while (nbits <= 56) {
    u32 b = 0;
    if (pos < end && *pos != 0xFF) {
      b = *pos++;
    } else if (pos < end) {
      const u8 *p = pos + 1;
      while (p < end && *p == 0xFF) p++;
      if (p < end && *p == 0) {
        b = 0xFF;
        pos = p + 1;
      } else {
        pad_bits += 8; /* a marker (left unread) or the end of the file */
      }
    } else {
      pad_bits += 8;
    }
    bits = (bits << 8) | b;
    nbits += 8;
  }
}

INLINE int decode_symbol(const Huffman *t) {
  if (nbits < 16) refill();
  u32 look = (u32)(bits >> (nbits - LOOK)) & ((1 << LOOK) - 1);
  int len = t->look_len[look];
  if (len) {
    nbits -= len;
    return t->look_sym[look];
  }
  u32 code16 = (u32)(bits >> (nbits - 16)) & 0xFFFF;
  for (int l = LOOK + 1; l <= 16; l++) {
    i32 code = (i32)(code16 >> (16 - l));
    if (code <= t->maxcode[l]) {
      nbits -= l;
      return t->symbols[code + t->valoffset[l]];
    }
  }
  return -1;
}

/* `s` (1..16) more bits as JPEG's signed magnitude value. */
INLINE int receive_extend(int s) {
  if (nbits < s) refill();
  nbits -= s;
  int v = (int)(bits >> nbits) & ((1 << s) - 1);
  return v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
}

/*
 * One block's coefficients (natural order, not dequantized): the number of
 * coded AC coefficients, or -1 on a bad code.
 */
static int decode_block(Component *c, i16 *block) {
  int s = decode_symbol(&huff[0][c->dc]);
  if (s < 0) return -1;
  if (s) c->pred += receive_extend(s);
  block[0] = (i16)c->pred;
  const Huffman *ac = &huff[1][c->ac];
  int coded = 0;
  for (int k = 1; k < 64; k++, coded++) {
    if (nbits < 16) refill();
    u32 look = (u32)(bits >> (nbits - LOOK)) & ((1 << LOOK) - 1);
    int fast = ac->fast_len[look];
    if (fast) {
      nbits -= fast;
      k += ac->fast_run[look];
      if (k > 63) return -1;
      block[natural[k]] = ac->fast_value[look];
      continue;
    }
    int rs = decode_symbol(ac);
    if (rs < 0) return -1;
    int r = rs >> 4;
    s = rs & 15;
    if (s) {
      k += r;
      if (k > 63) return -1;
      block[natural[k]] = (i16)receive_extend(s);
    } else if (r == 15) {
      k += 15;
    } else {
      break;
    }
  }
  return coded;
}

/* True when the segment just decoded used only real bits and left no whole byte unread (libjpeg's silent case). */
static int segment_clean(void) {
  int real = nbits - pad_bits;
  return real >= 0 && real < 8;
}

/* Reads the restart marker RSTn expected next; 0 when it is not there. */
static int take_restart(int n) {
  if (!segment_clean()) return 0;
  nbits = pad_bits = 0;
  bits = 0;
  if (end - pos < 2 || pos[0] != 0xFF) return 0;
  while (pos < end && *pos == 0xFF) pos++;
  if (pos >= end || *pos != 0xD0 + (n & 7)) return 0;
  pos++;
  for (int c = 0; c < ncomp; c++) comp[c].pred = 0;
  return 1;
}

/* ------------------------------------------------------------------ IDCT */

#define CONST_BITS 13
#define PASS1_BITS 2
/*
 * Valid 8-bit files keep dequantized coefficients and column results far
 * below this (about 1,100 and 5,800). Damaged ones can exceed it, and there
 * libjpeg's builds disagree with one another (its C code wraps values into
 * its range-limit table, its x86 SIMD code wraps 16-bit products and
 * saturates), so such files are declined; below it no sum of the row pass
 * can overflow 32 bits.
 */
#define IDCT_LIMIT 8192
#define F_0_298 2446
#define F_0_390 3196
#define F_0_541 4433
#define F_0_765 6270
#define F_0_899 7373
#define F_1_175 9633
#define F_1_501 12299
#define F_1_847 15137
#define F_1_961 16069
#define F_2_053 16819
#define F_2_562 20995
#define F_3_072 25172

#define SPLAT(x) wasm_i32x4_splat(x)
#define ADD wasm_i32x4_add
#define SUB wasm_i32x4_sub
#define MUL(a, k) wasm_i32x4_mul(a, SPLAT(k))

/*
 * libjpeg's odd part multiplies sums of inputs (z1..z5) by these constants;
 * expanded, each of its four odd results is one weighted sum of x1, x3, x5
 * and x7, and each even product one of x2 and x6. The same integers, so the
 * same results, computed as pairwise dot products of 16-bit lanes.
 */
#define E2_X2 (F_0_541 + F_0_765) /* tmp3 = x2 E2_X2 + x6 F_0_541 */
#define E3_X6 (F_0_541 - F_1_847) /* tmp2 = x2 F_0_541 + x6 E3_X6 */
/* odd result k (libjpeg's tmp0..tmp3) = x1 W[k][0] + x3 W[k][1] + x5 W[k][2] + x7 W[k][3] */
static const int16_t ODD[4][4] = {
  {F_1_175 - F_0_899, F_1_175 - F_1_961, F_1_175, F_0_298 - F_0_899 - F_1_961 + F_1_175},
  {F_1_175 - F_0_390, F_1_175 - F_2_562, F_2_053 - F_2_562 - F_0_390 + F_1_175, F_1_175},
  {F_1_175, F_3_072 - F_2_562 - F_1_961 + F_1_175, F_1_175 - F_2_562, F_1_175 - F_1_961},
  {F_1_501 - F_0_899 - F_0_390 + F_1_175, F_1_175, F_1_175 - F_0_390, F_1_175 - F_0_899},
};

INLINE v128_t pairs(int a, int b) { return wasm_i16x8_make(a, b, a, b, a, b, a, b); }
/* Lanes 0-3 (half 0) or 4-7 (half 1) of a and b, interleaved: the operand of a pairwise dot product. */
INLINE v128_t zip(v128_t a, v128_t b, int half) {
  return half ? wasm_i16x8_shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15) : wasm_i16x8_shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11);
}

/*
 * libjpeg's accurate 1-D IDCT (Loeffler, Ligtenberg and Moschytz, 13
 * fraction bits) of x[0..7], each an i16 lane vector (each lane its own
 * column or row), for lanes 0-3 or 4-7 (`half`): o[0..7] as i32, before the
 * final rounding shift, which the caller applies with its own bias.
 */
INLINE void idct8(const v128_t x[8], int half, v128_t o[8]) {
  v128_t even = zip(x[2], x[6], half);
  v128_t t3 = wasm_i32x4_dot_i16x8(even, pairs(E2_X2, F_0_541));
  v128_t t2 = wasm_i32x4_dot_i16x8(even, pairs(F_0_541, E3_X6));
  v128_t sum = wasm_i16x8_add(x[0], x[4]), diff = wasm_i16x8_sub(x[0], x[4]);
  v128_t t0 = wasm_i32x4_shl(half ? wasm_i32x4_extend_high_i16x8(sum) : wasm_i32x4_extend_low_i16x8(sum), CONST_BITS);
  v128_t t1 = wasm_i32x4_shl(half ? wasm_i32x4_extend_high_i16x8(diff) : wasm_i32x4_extend_low_i16x8(diff), CONST_BITS);
  v128_t t10 = ADD(t0, t3), t13 = SUB(t0, t3), t11 = ADD(t1, t2), t12 = SUB(t1, t2);
  v128_t p = zip(x[1], x[3], half), q = zip(x[5], x[7], half), odd[4];
  for (int k = 0; k < 4; k++)
    odd[k] = ADD(wasm_i32x4_dot_i16x8(p, pairs(ODD[k][0], ODD[k][1])), wasm_i32x4_dot_i16x8(q, pairs(ODD[k][2], ODD[k][3])));
  o[0] = ADD(t10, odd[3]);
  o[7] = SUB(t10, odd[3]);
  o[1] = ADD(t11, odd[2]);
  o[6] = SUB(t11, odd[2]);
  o[2] = ADD(t12, odd[1]);
  o[5] = SUB(t12, odd[1]);
  o[3] = ADD(t13, odd[0]);
  o[4] = SUB(t13, odd[0]);
}

/* Transposes an 8x8 matrix of i16 held as eight row vectors. */
INLINE void transpose8(v128_t r[8]) {
  v128_t t[8], u[8];
  for (int i = 0; i < 4; i++) {
    t[2 * i] = wasm_i16x8_shuffle(r[2 * i], r[2 * i + 1], 0, 8, 1, 9, 2, 10, 3, 11);
    t[2 * i + 1] = wasm_i16x8_shuffle(r[2 * i], r[2 * i + 1], 4, 12, 5, 13, 6, 14, 7, 15);
  }
  for (int i = 0; i < 2; i++) {
    for (int j = 0; j < 2; j++) {
      u[4 * i + 2 * j] = wasm_i32x4_shuffle(t[4 * i + j], t[4 * i + j + 2], 0, 4, 1, 5);
      u[4 * i + 2 * j + 1] = wasm_i32x4_shuffle(t[4 * i + j], t[4 * i + j + 2], 2, 6, 3, 7);
    }
  }
  /* u[0..3]: columns (0,1), (2,3), (4,5), (6,7) of rows 0-3; u[4..7] the same of rows 4-7 */
  for (int c = 0; c < 4; c++) {
    r[2 * c] = wasm_i64x2_shuffle(u[c], u[c + 4], 0, 2);
    r[2 * c + 1] = wasm_i64x2_shuffle(u[c], u[c + 4], 1, 3);
  }
}

/*
 * Dequantizes one block and writes its 8x8 samples at `out` (`stride` bytes
 * a row): columns first, rounding to 2 extra bits, then rows, rounding away
 * 18 bits, plus 128, clamped to 0..255. Returns 0, or 1 without writing when
 * a dequantized coefficient or a column result reaches IDCT_LIMIT.
 */
static int idct_block(const i16 *coef, const i16 *q, u8 *out, int stride) {
  v128_t x[8], o[2][8];
  v128_t big = SPLAT(0);
  for (int r = 0; r < 8; r++) {
    v128_t c = wasm_v128_load(coef + 8 * r), k = wasm_v128_load(q + 8 * r);
    v128_t lo = wasm_i32x4_extmul_low_i16x8(c, k), hi = wasm_i32x4_extmul_high_i16x8(c, k);
    big = wasm_i32x4_max(big, wasm_i32x4_max(wasm_i32x4_abs(lo), wasm_i32x4_abs(hi)));
    x[r] = wasm_i16x8_narrow_i32x4(lo, hi);
  }
  /* pass 1: lanes are columns, x[r] is input row r */
  const v128_t round1 = SPLAT(1 << (CONST_BITS - PASS1_BITS - 1));
  for (int half = 0; half < 2; half++) idct8(x, half, o[half]);
  for (int r = 0; r < 8; r++) {
    v128_t lo = wasm_i32x4_shr(ADD(o[0][r], round1), CONST_BITS - PASS1_BITS);
    v128_t hi = wasm_i32x4_shr(ADD(o[1][r], round1), CONST_BITS - PASS1_BITS);
    big = wasm_i32x4_max(big, wasm_i32x4_max(wasm_i32x4_abs(lo), wasm_i32x4_abs(hi)));
    x[r] = wasm_i16x8_narrow_i32x4(lo, hi);
  }
  if (wasm_v128_any_true(wasm_i32x4_ge(big, SPLAT(IDCT_LIMIT)))) return 1;
  /* pass 2: after the transpose lanes are rows, x[j] is column j */
  transpose8(x);
  const int shift2 = CONST_BITS + PASS1_BITS + 3;
  const v128_t round2 = SPLAT((1 << (shift2 - 1)) + (128 << shift2));
  for (int half = 0; half < 2; half++) idct8(x, half, o[half]);
  for (int j = 0; j < 8; j++)
    x[j] = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(ADD(o[0][j], round2), shift2), wasm_i32x4_shr(ADD(o[1][j], round2), shift2));
  /* back to rows; the saturating narrows clamp to 0..255 */
  transpose8(x);
  for (int r = 0; r < 8; r++) wasm_v128_store64_lane(out + r * stride, wasm_u8x16_narrow_i16x8(x[r], x[r]), 0);
  return 0;
}

/* ------------------------------------------------------------ the scan */

static int decode_scan(void) {
  int mcux = (width + 8 * hmax - 1) / (8 * hmax), mcuy = (height + 8 * vmax - 1) / (8 * vmax);
  for (int c = 0; c < ncomp; c++) {
    Component *k = &comp[c];
    k->bw = mcux * k->h;
    k->bh = mcuy * k->v;
    k->width = (width * k->h + hmax - 1) / hmax;
    k->height = (height * k->v + vmax - 1) / vmax;
    k->plane = take((u32)k->bw * 8 * k->bh * 8);
    if (!k->plane) return NO_MEMORY;
    k->pred = 0;
  }
  /* A single-component scan codes only the blocks covering the image, one per MCU. */
  if (ncomp == 1) {
    mcux = (width + 7) / 8;
    mcuy = (height + 7) / 8;
  }
  bits = 0;
  nbits = pad_bits = 0;
  i16 block[64] __attribute__((aligned(16)));
  int todo = restart_interval, next_rst = 0;
  for (int my = 0; my < mcuy; my++) {
    for (int mx = 0; mx < mcux; mx++) {
      if (restart_interval) {
        if (todo == 0) {
          if (!take_restart(next_rst++)) return SUSPICIOUS;
          todo = restart_interval;
        }
        todo--;
      }
      for (int c = 0; c < ncomp; c++) {
        Component *k = &comp[c];
        int stride = k->bw * 8;
        for (int by = 0; by < k->v; by++) {
          for (int bx = 0; bx < k->h; bx++) {
            for (int i = 0; i < 64; i += 8) wasm_v128_store(block + i, wasm_i64x2_splat(0));
            int coded = decode_block(k, block);
            if (coded < 0) return SUSPICIOUS;
            u8 *out = k->plane + (long)((my * k->v + by) * 8) * stride + (mx * k->h + bx) * 8;
            int dc = block[0] * quant[k->tq][0];
            if (coded || 4 * dc >= IDCT_LIMIT || 4 * dc <= -IDCT_LIMIT) {
              if (idct_block(block, quant[k->tq], out, stride)) return SUSPICIOUS;
            } else {
              /* DC only: both passes reduce to one value, (4 DC + 16) >> 5 plus 128, clamped */
              int v = ((4 * dc + 16) >> 5) + 128;
              v128_t fill = wasm_i8x16_splat((int8_t)(v < 0 ? 0 : v > 255 ? 255 : v));
              for (int r = 0; r < 8; r++) wasm_v128_store64_lane(out + r * stride, fill, 0);
            }
          }
        }
      }
    }
  }
  if (!segment_clean()) return SUSPICIOUS;
  /* what follows the scan must be the end of the image (anything else libjpeg would read or warn about) */
  if (end - pos < 2 || pos[0] != 0xFF) return SUSPICIOUS;
  while (pos < end && *pos == 0xFF) pos++;
  if (pos >= end || *pos != 0xD9) return SUSPICIOUS;
  return OK;
}

/* --------------------------------------------- upsampling and colour */

/*
 * 3 * a + b + bias, shifted right by `shift`, for 8 lanes of 16-bit values:
 * every triangular tap of libjpeg's fancy upsampling has this form.
 */
INLINE v128_t tri(v128_t a, v128_t b, int bias, int shift) {
  v128_t three = wasm_i16x8_add(wasm_i16x8_add(a, a), a);
  return wasm_u16x8_shr(wasm_i16x8_add(wasm_i16x8_add(three, b), wasm_i16x8_splat(bias)), shift);
}

/* The two interleaved outputs of each of 8 lanes, narrowed to 16 bytes at dst. */
INLINE void store_pairs(u8 *dst, v128_t left, v128_t right) {
  v128_t lo = wasm_i16x8_shuffle(left, right, 0, 8, 1, 9, 2, 10, 3, 11);
  v128_t hi = wasm_i16x8_shuffle(left, right, 4, 12, 5, 13, 6, 14, 7, 15);
  wasm_v128_store(dst, wasm_u8x16_narrow_i16x8(lo, hi));
}

INLINE v128_t widen8(const u8 *p) { return wasm_u16x8_load8x8(p); }

/*
 * Row `y` of a chroma component at full width: a row of its plane when it is
 * not subsampled, else upsampled into `buf` by libjpeg's triangular filter.
 * Horizontally each input sample i gives outputs (3 s[i] + s[i-1] + 1) >> 2
 * and (3 s[i] + s[i+1] + 2) >> 2 (vertically: 3 nearer row + further row,
 * bias 1 above, 2 below; both: column sums c, (3 c[i] + c[i-1] + 8) >> 4 and
 * (3 c[i] + c[i+1] + 7) >> 4), with the edge samples repeated. `sums` holds
 * the component's row width + 18 16-bit values. Writes up to 16 bytes past
 * the row.
 */
static const u8 *chroma_row(const Component *k, int y, u8 *buf, i16 *sums) {
  const int stride = k->bw * 8, cw = k->width;
  const int hs = hmax / k->h, vs = vmax / k->v;
  const int cy = y / vs;
  const u8 *near = k->plane + (long)cy * stride;
  if (hs == 1 && vs == 1) return near;
  const u8 *far = near;
  int bias = 1;
  if (vs == 2) {
    /* the further row: above for even rows, below for odd ones, the edge rows repeated */
    int fy = (y & 1) ? (cy + 1 < k->height ? cy + 1 : k->height - 1) : (cy > 0 ? cy - 1 : 0);
    far = k->plane + (long)fy * stride;
    bias = (y & 1) ? 2 : 1;
  }
  if (hs == 1) {
    for (int x = 0; x < width; x += 8)
      wasm_v128_store64_lane(buf + x, wasm_u8x16_narrow_i16x8(tri(widen8(near + x), widen8(far + x), bias, 2), wasm_i16x8_splat(0)), 0);
    return buf;
  }
  if (cw <= 2) { /* libjpeg replicates samples of very narrow images, both ways, instead of interpolating */
    for (int x = 0; x < width; x++) buf[x] = near[x >> 1];
    return buf;
  }
  /* sums[1 + i]: the sample (h2v1) or column sum (h2v2) of input column i; sums[0] and sums[cw + 1] repeat the edges */
  i16 *s = sums + 1;
  if (vs == 1) {
    for (int i = 0; i < cw; i += 8) wasm_v128_store(s + i, widen8(near + i));
  } else {
    for (int i = 0; i < cw; i += 8) {
      v128_t a = widen8(near + i);
      wasm_v128_store(s + i, wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_add(a, a), a), widen8(far + i)));
    }
  }
  s[-1] = s[0];
  s[cw] = s[cw - 1];
  const int shift = vs == 1 ? 2 : 4, lbias = vs == 1 ? 1 : 8, rbias = vs == 1 ? 2 : 7;
  for (int i = 0; 2 * i < width; i += 8) {
    v128_t a = wasm_v128_load(s + i);
    store_pairs(buf + 2 * i, tri(a, wasm_v128_load(s + i - 1), lbias, shift), tri(a, wasm_v128_load(s + i + 1), rbias, shift));
  }
  return buf;
}

/* 16-bit fixed-point YCbCr -> RGB constants (libjpeg's SCALEBITS = 16). */
#define K_CR_R 91881  /* 1.40200 */
#define K_CB_B 116130 /* 1.77200 */
#define K_CR_G 46802  /* 0.71414 */
#define K_CB_G 22554  /* 0.34414 */

/* 8 pixels' R, G and B offsets from luma (i16 lanes) for centred chroma b, r (i16 lanes). */
INLINE void chroma_offsets(v128_t b, v128_t r, v128_t *dr, v128_t *dg, v128_t *db) {
  const v128_t half = SPLAT(32768);
  v128_t bl = wasm_i32x4_extend_low_i16x8(b), bh = wasm_i32x4_extend_high_i16x8(b);
  v128_t rl = wasm_i32x4_extend_low_i16x8(r), rh = wasm_i32x4_extend_high_i16x8(r);
  *dr = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(ADD(MUL(rl, K_CR_R), half), 16), wasm_i32x4_shr(ADD(MUL(rh, K_CR_R), half), 16));
  *db = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(ADD(MUL(bl, K_CB_B), half), 16), wasm_i32x4_shr(ADD(MUL(bh, K_CB_B), half), 16));
  *dg = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(ADD(ADD(MUL(bl, -K_CB_G), half), MUL(rl, -K_CR_G)), 16),
                                wasm_i32x4_shr(ADD(ADD(MUL(bh, -K_CB_G), half), MUL(rh, -K_CR_G)), 16));
}

/* One RGB row: luma plus the offsets, clamped to 0..255, interleaved; 16 pixels a step (writes up to 47 bytes past). */
static void rgb_row(const u8 *y, const u8 *cb, const u8 *cr, u8 *out) {
  const v128_t centre = wasm_i16x8_splat(128);
  for (int x = 0; x < width; x += 16) {
    v128_t rgb[3][2];
    for (int h = 0; h < 2; h++) {
      v128_t l = widen8(y + x + 8 * h), dr, dg, db;
      chroma_offsets(wasm_i16x8_sub(widen8(cb + x + 8 * h), centre), wasm_i16x8_sub(widen8(cr + x + 8 * h), centre), &dr, &dg, &db);
      rgb[0][h] = wasm_i16x8_add(l, dr);
      rgb[1][h] = wasm_i16x8_add(l, dg);
      rgb[2][h] = wasm_i16x8_add(l, db);
    }
    v128_t R = wasm_u8x16_narrow_i16x8(rgb[0][0], rgb[0][1]);
    v128_t G = wasm_u8x16_narrow_i16x8(rgb[1][0], rgb[1][1]);
    v128_t B = wasm_u8x16_narrow_i16x8(rgb[2][0], rgb[2][1]);
    v128_t rg_lo = wasm_i8x16_shuffle(R, G, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    v128_t rg_hi = wasm_i8x16_shuffle(R, G, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    v128_t mid = wasm_i8x16_shuffle(rg_lo, rg_hi, 11, 0, 12, 13, 0, 14, 15, 0, 16, 17, 0, 18, 19, 0, 20, 21);
    u8 *o = out + 3 * x;
    wasm_v128_store(o, wasm_i8x16_shuffle(rg_lo, B, 0, 1, 16, 2, 3, 17, 4, 5, 18, 6, 7, 19, 8, 9, 20, 10));
    wasm_v128_store(o + 16, wasm_i8x16_shuffle(mid, B, 0, 21, 2, 3, 22, 5, 6, 23, 8, 9, 24, 11, 12, 25, 14, 15));
    wasm_v128_store(o + 32, wasm_i8x16_shuffle(rg_hi, B, 26, 6, 7, 27, 8, 9, 28, 10, 11, 29, 12, 13, 30, 14, 15, 31));
  }
}

/* The scratch rows of a conversion: chroma rows at full width, column sums, and one RGB row with room to spare. */
static u8 *row_cb, *row_cr, *row_rgb;
static i16 *row_sums;

static int take_rows(void) {
  row_cb = take(width + 32);
  row_cr = take(width + 32);
  row_sums = take(2 * (width + 32));
  row_rgb = take(3 * (width + 16));
  return row_cb && row_cr && row_sums && row_rgb;
}

/* Image row `y` as 8-bit pixels (`ncomp` channels): a row of the luma plane for grey, else converted into row_rgb. */
static const u8 *image_row(int y) {
  const Component *luma = &comp[0];
  const u8 *l = luma->plane + (long)y * luma->bw * 8;
  if (ncomp == 1) return l;
  rgb_row(l, chroma_row(&comp[1], y, row_cb, row_sums), chroma_row(&comp[2], y, row_cr, row_sums), row_rgb);
  return row_rgb;
}

/* ------------------------------------------------------------------ API */

/*
 * Decodes the JPEG of `len` bytes at `src` up to its planes, using memory
 * from `heap` on. Returns 0 (then call `pixels` or `select_nearest`) or a
 * negative status: the file is for libjpeg to decode.
 */
EXPORT("decode")
int decode(const u8 *src, int len, uintptr_t heap) {
  pos = src;
  end = src + len;
  heap_top = heap;
  saw_jfif = 0;
  adobe_transform = -1;
  restart_interval = 0;
  width = height = ncomp = 0;
  for (int i = 0; i < 4; i++) {
    quant_defined[i] = 0;
    huff[0][i].defined = huff[1][i].defined = 0;
  }
  int status = read_headers();
  if (status) return status;
  if (ncomp == 3 && !is_ycbcr()) return UNSUPPORTED;
  status = decode_scan();
  if (status) return status;
  return take_rows() ? OK : NO_MEMORY;
}

/* The decoded image's 8-bit pixels, `channels()` interleaved per pixel, row after row; 0 when memory runs out. */
EXPORT("pixels")
uintptr_t pixels(void) {
  u8 *out = take((u32)width * height * ncomp);
  if (!out) return 0;
  for (int y = 0; y < height; y++) __builtin_memcpy(out + (long)y * width * ncomp, image_row(y), (unsigned long)width * ncomp);
  return (uintptr_t)out;
}

/*
 * Picks pixels of the decoded image as NEAREST resizing does: output pixel
 * (y, x) is source pixel (rows[y], cols[x]), 0 where either is negative,
 * written as float32 (`channels()` per pixel) at `out`, which has room for
 * one float past the end. Only the rows picked are converted.
 */
EXPORT("select_nearest")
void select_nearest(const i32 *rows, int nrows, const i32 *cols, int ncols, float *out) {
  const int ch = ncomp;
  int have = -1;
  const u8 *row = 0;
  for (int y = 0; y < nrows; y++, out += ncols * ch) {
    int r = rows[y];
    if (r < 0) {
      for (int i = 0; i < ncols * ch; i++) out[i] = 0;
      continue;
    }
    if (r != have) {
      row = image_row(r);
      have = r;
    }
    if (ch == 1) {
      for (int x = 0; x < ncols; x++) out[x] = cols[x] < 0 ? 0.0f : (float)row[cols[x]];
      continue;
    }
    for (int x = 0; x < ncols; x++) {
      int c = cols[x];
      v128_t px = c < 0 ? wasm_i32x4_splat(0) : wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(row + 3 * c)));
      wasm_v128_store(out + 3 * x, wasm_f32x4_convert_i32x4(px)); /* the fourth float is overwritten by the next pixel */
    }
  }
}

/* `n` bytes of memory the caller may use until the next decode (for select_nearest's tables and output); 0 when memory runs out. */
EXPORT("scratch") uintptr_t scratch(u32 n) { return (uintptr_t)take(n); }

EXPORT("width") int image_width(void) { return width; }
EXPORT("height") int image_height(void) { return height; }
EXPORT("channels") int channels(void) { return ncomp; }
