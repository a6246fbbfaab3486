/*
 * Float64 linear algebra for ZCA whitening, compiled to WebAssembly with SIMD
 * (build.sh). Freestanding: no libc, no allocator; the caller hands in every
 * buffer. Row-major matrices with explicit leading dimensions throughout.
 *
 *   gram_add     S += (X - shift)^T (X - shift) for a tile of float32 rows:
 *                exactly in integers for integer-valued pixels
 *                (i32x4.dot_i16x8_s), otherwise in float64.
 *   sym_eigen    all eigenpairs of a symmetric matrix: blocked Householder
 *                tridiagonalization, divide and conquer on the tridiagonal
 *                (rank-one merges with deflation, secular equation, Gu and
 *                Eisenstat's recomputed z), blocked back-transformation.
 *   zca_matrix   W = U diag(sqrt(n) / (sqrt(lambda) + eps)) U^T over the top
 *                min(n, d) eigenpairs, written as float32.
 *   sgemm        C = A B in float32 with B packed once (applying W).
 *
 * Two threads: a second instance on the same shared memory runs worker_loop()
 * and takes half of every large matrix product (see par_gemm and gram_add).
 */
#include <wasm_simd128.h>

typedef unsigned long size_t;
#define EXPORT(name) __attribute__((export_name(name)))

static const double EPS = 2.220446049250313e-16;
static inline double dabs(double x) { return __builtin_fabs(x); }
static inline double dsqrt(double x) { return __builtin_sqrt(x); }
static inline double dmax(double a, double b) { return a > b ? a : b; }
static inline double dhypot(double a, double b) {
  a = dabs(a); b = dabs(b);
  double hi = dmax(a, b), lo = a > b ? b : a;
  if (hi == 0) return 0;
  double r = lo / hi;
  return hi * dsqrt(1 + r * r);
}
static inline double dsign(double magnitude, double sign) { return __builtin_copysign(magnitude, sign); }

/* ------------------------------------------------------------------ threads */

enum { JOB_QUIT = 1, JOB_GEMM = 2, JOB_GRAM = 3, JOB_SYMV = 4, JOB_SGEMM = 5, JOB_SYR2K = 6 };

/* Spins this many polls before blocking: jobs come back to back during tridiagonalization. */
#define SPINS (1 << 21)

typedef struct {
  int seq, done, kind;
  /* gemm */
  int m, n, k, lda, ldb, ldc, ta, tb, overwrite;
  const double *a, *b;
  double *c;
  double alpha;
  /* symv; syr2k (the trailing update: sa is the matrix, sv the panel buffer, sm the first row, sn the order) */
  const double *sa, *sv;
  double *sy[2];
  int sn, sm;
  /* gram */
  const void *packed;
  double *g;
  int d, rows, integer, split;
  /* sgemm */
  const float *fa, *fb;
  float *fc;
  int fm, fn, fk;
  /* per-thread packing buffers */
  double *work[2];
} Job;

static Job job;
static int threads = 1;
/* Set by the second thread once it serves jobs; sgemm runs alone until then. */
static int worker_ready;

static void run_job(int self);
static void symv_half(int self);
static void syr2k_half(int self);

EXPORT("set_threads") void set_threads(int n, double *work0, double *work1) {
  threads = n;
  job.work[0] = work0;
  job.work[1] = work1;
}

/*
 * The second thread: waits for a job, runs its half, reports, until JOB_QUIT.
 * Jobs are numbered 1, 2, ... on a fresh memory and the worker starts from 0,
 * not from the number it happens to read: the calling thread may post its
 * first job before the worker gets here, and that job must not be missed.
 */
EXPORT("worker_loop") void worker_loop(void) {
  int seen = 0;
  __atomic_store_n(&worker_ready, 1, __ATOMIC_SEQ_CST);
  for (;;) {
    for (int spin = 0; spin < SPINS && __atomic_load_n(&job.seq, __ATOMIC_SEQ_CST) == seen; spin++) {}
    while (__atomic_load_n(&job.seq, __ATOMIC_SEQ_CST) == seen) __builtin_wasm_memory_atomic_wait32(&job.seq, seen, -1);
    seen = __atomic_load_n(&job.seq, __ATOMIC_SEQ_CST);
    if (job.kind == JOB_QUIT) return;
    run_job(1);
    __atomic_store_n(&job.done, seen, __ATOMIC_SEQ_CST);
    __builtin_wasm_memory_atomic_notify(&job.done, 1);
  }
}

static int start_job(int kind) {
  job.kind = kind;
  int seq = __atomic_add_fetch(&job.seq, 1, __ATOMIC_SEQ_CST);
  __builtin_wasm_memory_atomic_notify(&job.seq, 1);
  return seq;
}

static void finish_job(int seq) {
  int done;
  for (int spin = 0; spin < SPINS && __atomic_load_n(&job.done, __ATOMIC_SEQ_CST) != seq; spin++) {}
  while ((done = __atomic_load_n(&job.done, __ATOMIC_SEQ_CST)) != seq) __builtin_wasm_memory_atomic_wait32(&job.done, done, -1);
}

EXPORT("stop_worker") void stop_worker(void) {
  start_job(JOB_QUIT);
  threads = 1;
}

/* --------------------------------------------------------------------- gemm */

/* C (m x n) = or += alpha * op(A) (m x k) * op(B) (k x n); op transposes when ta / tb. */
#define MR 4
#define NR 4
#define KC 256
#define MC 128
#define NC 2048

static void pack_a(int mc, int kc, const double *a, int lda, int ta, double *out) {
  for (int i0 = 0; i0 < mc; i0 += MR) {
    int rows = mc - i0 < MR ? mc - i0 : MR;
    for (int p = 0; p < kc; p++) {
      for (int r = 0; r < MR; r++) {
        out[p * MR + r] = r < rows ? (ta ? a[(size_t)p * lda + i0 + r] : a[(size_t)(i0 + r) * lda + p]) : 0;
      }
    }
    out += kc * MR;
  }
}

static void pack_b(int kc, int nc, const double *b, int ldb, int tb, double *out) {
  for (int j0 = 0; j0 < nc; j0 += NR) {
    int cols = nc - j0 < NR ? nc - j0 : NR;
    for (int p = 0; p < kc; p++) {
      for (int c = 0; c < NR; c++) {
        out[p * NR + c] = c < cols ? (tb ? b[(size_t)(j0 + c) * ldb + p] : b[(size_t)p * ldb + j0 + c]) : 0;
      }
    }
    out += kc * NR;
  }
}

static void micro_kernel(int kc, const double *ap, const double *bp, double *c, int ldc, int rows, int cols, double alpha, int overwrite) {
  v128_t acc[MR][NR / 2];
#pragma clang loop unroll(full)
  for (int r = 0; r < MR; r++)
#pragma clang loop unroll(full)
    for (int q = 0; q < NR / 2; q++) acc[r][q] = wasm_f64x2_splat(0);
  for (int p = 0; p < kc; p++) {
    v128_t bv[NR / 2];
#pragma clang loop unroll(full)
    for (int q = 0; q < NR / 2; q++) bv[q] = wasm_v128_load(bp + 2 * q);
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++) {
      v128_t a = wasm_v128_load64_splat(ap + r);
#pragma clang loop unroll(full)
      for (int q = 0; q < NR / 2; q++) acc[r][q] = wasm_f64x2_add(acc[r][q], wasm_f64x2_mul(a, bv[q]));
    }
    ap += MR;
    bp += NR;
  }
  v128_t al = wasm_f64x2_splat(alpha);
  for (int r = 0; r < rows; r++) {
    double *row = c + (size_t)r * ldc;
    if (cols == NR) {
#pragma clang loop unroll(full)
      for (int q = 0; q < NR / 2; q++) {
        v128_t v = wasm_f64x2_mul(al, acc[r][q]);
        if (!overwrite) v = wasm_f64x2_add(v, wasm_v128_load(row + 2 * q));
        wasm_v128_store(row + 2 * q, v);
      }
    } else {
      double v[NR];
#pragma clang loop unroll(full)
      for (int q = 0; q < NR / 2; q++) { v128_t t = wasm_f64x2_mul(al, acc[r][q]); v[2 * q] = wasm_f64x2_extract_lane(t, 0); v[2 * q + 1] = wasm_f64x2_extract_lane(t, 1); }
      for (int j = 0; j < cols; j++) row[j] = v[j] + (overwrite ? 0 : row[j]);
    }
  }
}

static void gemm_serial(int m, int n, int k, double alpha, const double *a, int lda, int ta, const double *b, int ldb, int tb,
                        double *c, int ldc, int overwrite, double *work) {
  double *ap = work, *bp = work + MC * KC;
  if (k == 0) {
    if (overwrite) for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[(size_t)i * ldc + j] = 0;
    return;
  }
  for (int jc = 0; jc < n; jc += NC) {
    int nc = n - jc < NC ? n - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      int kc = k - pc < KC ? k - pc : KC;
      pack_b(kc, nc, tb ? b + (size_t)jc * ldb + pc : b + (size_t)pc * ldb + jc, ldb, tb, bp);
      int first = overwrite && pc == 0;
      for (int ic = 0; ic < m; ic += MC) {
        int mc = m - ic < MC ? m - ic : MC;
        pack_a(mc, kc, ta ? a + (size_t)pc * lda + ic : a + (size_t)ic * lda + pc, lda, ta, ap);
        for (int jr = 0; jr < nc; jr += NR) {
          for (int ir = 0; ir < mc; ir += MR) {
            micro_kernel(kc, ap + ir * kc, bp + jr * kc, c + (size_t)(ic + ir) * ldc + jc + jr, ldc,
                         mc - ir < MR ? mc - ir : MR, nc - jr < NR ? nc - jr : NR, alpha, first);
          }
        }
      }
    }
  }
}

static void gemm_half(int self) {
  int split = job.split;
  int lo = self == 0 ? 0 : split, hi = self == 0 ? split : job.n;
  if (hi <= lo) return;
  const double *b = job.tb ? job.b + (size_t)lo * job.ldb : job.b + lo;
  gemm_serial(job.m, hi - lo, job.k, job.alpha, job.a, job.lda, job.ta, b, job.ldb, job.tb, job.c + lo, job.ldc, job.overwrite, job.work[self]);
}

/* gemm_serial split over the columns of C between the two threads when it is worth it. */
static void gemm(int m, int n, int k, double alpha, const double *a, int lda, int ta, const double *b, int ldb, int tb,
                 double *c, int ldc, int overwrite) {
  if (threads < 2 || (double)m * n * k < 4e6 || n < 2 * NR) {
    gemm_serial(m, n, k, alpha, a, lda, ta, b, ldb, tb, c, ldc, overwrite, job.work[0]);
    return;
  }
  job.m = m; job.n = n; job.k = k; job.alpha = alpha; job.a = a; job.lda = lda; job.ta = ta;
  job.b = b; job.ldb = ldb; job.tb = tb; job.c = c; job.ldc = ldc; job.overwrite = overwrite;
  job.split = (n / 2 + NR - 1) / NR * NR;
  int seq = start_job(JOB_GEMM);
  gemm_half(0);
  finish_job(seq);
}

/* --------------------------------------------------------------------- gram */

/*
 * S += Y^T Y for a tile of rows of Y = X - shift (X float32, shift float64
 * per feature), only the lower triangle (and diagonal tiles) of S. Two
 * layouts, both in panels of 8 features:
 *
 *   integer  every value of the tile is an integer and |x - shift| <= 2047
 *            (8- to 11-bit pixels, shift integral): pairs of rows as int16
 *            pairs, multiplied and added exactly by i32x4.dot_i16x8_s into
 *            int32 (a tile of <= 256 rows cannot overflow: 256 * 2047^2 <
 *            2^31), then added into S exactly.
 *   float64  anything else: y = x - shift in float64, products and sums in
 *            float64.
 */

#define GRAM_INT_LIMIT 2047

/*
 * Packs the tile as int16 row pairs (panel q, pair p: 8 int32 words, feature
 * f's word holding rows 2p and 2p+1) and adds each feature's values into
 * sums. Returns 0, having changed nothing, if a value does not qualify.
 */
EXPORT("gram_pack_int") int gram_pack_int(const float *x, int rows, int d, const double *shift, int *packed, double *sums) {
  for (int t = 0; t < rows; t++) {
    const float *row = x + (size_t)t * d;
    for (int f = 0; f < d; f++) {
      double v = (double)row[f] - shift[f];
      if (!(dabs(v) <= GRAM_INT_LIMIT) || (double)(int)v != v) return 0;
    }
  }
  int panels = (d + 7) / 8, pairs = (rows + 1) / 2;
  for (int q = 0; q < panels; q++) {
    short *out = (short *)(packed + (size_t)q * pairs * 8);
    int f0 = q * 8, width = d - f0 < 8 ? d - f0 : 8;
    for (int t = 0; t < 2 * pairs; t++) {
      for (int f = 0; f < 8; f++) {
        int v = t < rows && f < width ? (int)((double)x[(size_t)t * d + f0 + f] - shift[f0 + f]) : 0;
        out[(t / 2) * 16 + f * 2 + t % 2] = (short)v;
      }
    }
    for (int f = 0; f < width; f++) {
      int sum = 0;
      for (int t = 0; t < rows; t++) sum += out[(t / 2) * 16 + f * 2 + t % 2];
      sums[f0 + f] += sum;
    }
  }
  return 1;
}

/* Packs the tile as float64 (panel q: rows x 8 doubles) and adds each feature's values into sums. */
EXPORT("gram_pack_f64") void gram_pack_f64(const float *x, int rows, int d, const double *shift, double *packed, double *sums) {
  int panels = (d + 7) / 8;
  for (int q = 0; q < panels; q++) {
    double *out = packed + (size_t)q * rows * 8;
    int f0 = q * 8, width = d - f0 < 8 ? d - f0 : 8;
    for (int t = 0; t < rows; t++) {
      const float *src = x + (size_t)t * d + f0;
      for (int f = 0; f < 8; f++) out[t * 8 + f] = f < width ? (double)src[f] - shift[f0 + f] : 0;
    }
    for (int f = 0; f < width; f++) {
      double sum = 0;
      for (int t = 0; t < rows; t++) sum += out[t * 8 + f];
      sums[f0 + f] += sum;
    }
  }
}

/* Adds a 4 x 8 block of float64 lanes (acc[r][h] holds columns 2h, 2h+1 of row r) into g at (i0, j0). */
static void add_block(v128_t acc[4][4], int d, int i0, int j0, double *g) {
  for (int r = 0; r < 4 && i0 + r < d; r++) {
    double *row = g + (size_t)(i0 + r) * d + j0;
    if (j0 + 8 <= d) {
      for (int h = 0; h < 4; h++) wasm_v128_store(row + 2 * h, wasm_f64x2_add(wasm_v128_load(row + 2 * h), acc[r][h]));
    } else {
      double v[8];
      for (int h = 0; h < 4; h++) wasm_v128_store(v + 2 * h, acc[r][h]);
      for (int j = 0; j < d - j0; j++) row[j] += v[j];
    }
  }
}

/* Rows i0..i0+3 by columns j0..j0+7 of the integer tile's Y^T Y, added into g. */
static void gram_block_int(const int *packed, int pairs, int d, int i0, int j0, double *g) {
  const int *a = packed + (size_t)(i0 / 8) * pairs * 8 + (i0 % 8);
  const int *b = packed + (size_t)(j0 / 8) * pairs * 8;
  v128_t c00 = wasm_i32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < pairs; p++) {
    v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    v128_t s;
    s = wasm_v128_load32_splat(a + 0); c00 = wasm_i32x4_add(c00, wasm_i32x4_dot_i16x8(s, b0)); c01 = wasm_i32x4_add(c01, wasm_i32x4_dot_i16x8(s, b1));
    s = wasm_v128_load32_splat(a + 1); c10 = wasm_i32x4_add(c10, wasm_i32x4_dot_i16x8(s, b0)); c11 = wasm_i32x4_add(c11, wasm_i32x4_dot_i16x8(s, b1));
    s = wasm_v128_load32_splat(a + 2); c20 = wasm_i32x4_add(c20, wasm_i32x4_dot_i16x8(s, b0)); c21 = wasm_i32x4_add(c21, wasm_i32x4_dot_i16x8(s, b1));
    s = wasm_v128_load32_splat(a + 3); c30 = wasm_i32x4_add(c30, wasm_i32x4_dot_i16x8(s, b0)); c31 = wasm_i32x4_add(c31, wasm_i32x4_dot_i16x8(s, b1));
    a += 8;
    b += 8;
  }
  v128_t in[4][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}};
  v128_t acc[4][4];
  for (int r = 0; r < 4; r++) {
    for (int h = 0; h < 2; h++) {
      acc[r][2 * h] = wasm_f64x2_convert_low_i32x4(in[r][h]);
      acc[r][2 * h + 1] = wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(in[r][h], in[r][h], 2, 3, 0, 1));
    }
  }
  add_block(acc, d, i0, j0, g);
}

/* Rows i0..i0+3 by columns j0..j0+7 of the float64 tile's Y^T Y, added into g (two 4 x 4 halves). */
static void gram_block_f64(const double *packed, int rows, int d, int i0, int j0, double *g) {
  v128_t acc[4][4];
  for (int half = 0; half < 2; half++) {
    const double *a = packed + (size_t)(i0 / 8) * rows * 8 + (i0 % 8);
    const double *b = packed + (size_t)(j0 / 8) * rows * 8 + 4 * half;
    v128_t c00 = wasm_f64x2_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    for (int t = 0; t < rows; t++) {
      v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 2);
      v128_t s;
      s = wasm_v128_load64_splat(a + 0); c00 = wasm_f64x2_add(c00, wasm_f64x2_mul(s, b0)); c01 = wasm_f64x2_add(c01, wasm_f64x2_mul(s, b1));
      s = wasm_v128_load64_splat(a + 1); c10 = wasm_f64x2_add(c10, wasm_f64x2_mul(s, b0)); c11 = wasm_f64x2_add(c11, wasm_f64x2_mul(s, b1));
      s = wasm_v128_load64_splat(a + 2); c20 = wasm_f64x2_add(c20, wasm_f64x2_mul(s, b0)); c21 = wasm_f64x2_add(c21, wasm_f64x2_mul(s, b1));
      s = wasm_v128_load64_splat(a + 3); c30 = wasm_f64x2_add(c30, wasm_f64x2_mul(s, b0)); c31 = wasm_f64x2_add(c31, wasm_f64x2_mul(s, b1));
      a += 8;
      b += 8;
    }
    acc[0][2 * half] = c00; acc[0][2 * half + 1] = c01;
    acc[1][2 * half] = c10; acc[1][2 * half + 1] = c11;
    acc[2][2 * half] = c20; acc[2][2 * half + 1] = c21;
    acc[3][2 * half] = c30; acc[3][2 * half + 1] = c31;
  }
  add_block(acc, d, i0, j0, g);
}

/* Packed bytes of the column panels one sweep over the rows reuses from the L2 cache. */
#define GRAM_L2_BYTES (256 * 1024)

/*
 * Row blocks [i_lo, i_hi) (multiples of 4) of the lower triangle, diagonal
 * blocks included, a chunk of column panels at a time so that the chunk stays
 * in the L2 cache while every row block passes over it.
 */
static void gram_rows(int i_lo, int i_hi) {
  int d = job.d, pairs = (job.rows + 1) / 2;
  int panel_bytes = job.integer ? pairs * 32 : job.rows * 64;
  int chunk = GRAM_L2_BYTES / panel_bytes * 8;
  if (chunk < 8) chunk = 8;
  for (int jc = 0; jc < i_hi && jc < d; jc += chunk) {
    for (int i0 = i_lo > jc ? i_lo : jc; i0 < i_hi; i0 += 4) {
      for (int j0 = jc; j0 < jc + chunk && j0 <= i0 + 3 && j0 < d; j0 += 8) {
        if (job.integer) gram_block_int(job.packed, pairs, d, i0, j0, job.g);
        else gram_block_f64(job.packed, job.rows, d, i0, j0, job.g);
      }
    }
  }
}

static void gram_half(int self) {
  int d4 = (job.d + 3) / 4 * 4;
  if (self == 0) gram_rows(0, job.split); else gram_rows(job.split, d4);
}

/*
 * g (d x d, float64) += the lower triangle (and diagonal blocks) of Y^T Y for
 * a tile of rows <= 256 packed by gram_pack_int (integer = 1) or
 * gram_pack_f64 (integer = 0). The upper triangle is left as is.
 */
EXPORT("gram_add") void gram_add(const void *packed, int integer, int rows, int d, double *g) {
  job.packed = packed; job.integer = integer; job.rows = rows; job.d = d; job.g = g;
  int d4 = (d + 3) / 4 * 4;
  if (threads < 2) {
    gram_rows(0, d4);
    return;
  }
  /* The lower triangle's work grows with the row: split where it halves. */
  job.split = (int)(d4 * 0.70710678) / 4 * 4;
  int seq = start_job(JOB_GRAM);
  gram_half(0);
  finish_job(seq);
}

/* ------------------------------------------------------- float32 products */

/*
 * C = A B in float32 for applying the ZCA matrix: A (m x k, row-major) times
 * B (k x n) packed once by sgemm_pack_b into panels of 8 columns (panel p:
 * k rows of 8 floats, zero past n). Blocks of 4 rows x 8 columns accumulate
 * over SGEMM_KC values of k in registers (f32x4), then add into C; every
 * element of C is summed in the same order whichever thread computes it.
 */
#define SGEMM_KC 1024
/* Rows of a register block. */
#define SG_MR 4

/* Floats sgemm_pack_b writes for a k x n matrix. */
EXPORT("sgemm_packed_floats") int sgemm_packed_floats(int k, int n) { return (n + 7) / 8 * 8 * k; }

EXPORT("sgemm_pack_b") void sgemm_pack_b(const float *b, int k, int n, float *packed) {
  for (int p = 0; p < (n + 7) / 8; p++) {
    int c0 = p * 8, width = n - c0 < 8 ? n - c0 : 8;
    float *out = packed + (size_t)p * k * 8;
    for (int r = 0; r < k; r++) {
      const float *src = b + (size_t)r * n + c0;
      for (int c = 0; c < 8; c++) out[r * 8 + c] = c < width ? src[c] : 0;
    }
  }
}

/* C rows i..i+rows-1 (rows <= 4), columns c0..c0+cols-1 (cols <= 8) = or += A's rows over k0..k0+kc-1 times the panel. */
static void sgemm_block(const float *a, int k, int rows, const float *panel, int kc, float *c, int n, int cols, int first) {
  const float *ar[SG_MR];
#pragma clang loop unroll(full)
  for (int r = 0; r < SG_MR; r++) ar[r] = a + (size_t)(r < rows ? r : 0) * k;
  v128_t acc[SG_MR][2];
#pragma clang loop unroll(full)
  for (int r = 0; r < SG_MR; r++) acc[r][0] = acc[r][1] = wasm_f32x4_splat(0);
  for (int t = 0; t < kc; t++) {
    v128_t b0 = wasm_v128_load(panel), b1 = wasm_v128_load(panel + 4);
#pragma clang loop unroll(full)
    for (int r = 0; r < SG_MR; r++) {
      v128_t s = wasm_v128_load32_splat(ar[r] + t);
      acc[r][0] = wasm_f32x4_add(acc[r][0], wasm_f32x4_mul(s, b0));
      acc[r][1] = wasm_f32x4_add(acc[r][1], wasm_f32x4_mul(s, b1));
    }
    panel += 8;
  }
  for (int r = 0; r < rows; r++) {
    float *row = c + (size_t)r * n;
    if (cols == 8) {
#pragma clang loop unroll(full)
      for (int h = 0; h < 2; h++) {
        v128_t v = first ? acc[r][h] : wasm_f32x4_add(wasm_v128_load(row + 4 * h), acc[r][h]);
        wasm_v128_store(row + 4 * h, v);
      }
    } else {
      float v[8];
      wasm_v128_store(v, acc[r][0]);
      wasm_v128_store(v + 4, acc[r][1]);
      for (int j = 0; j < cols; j++) row[j] = first ? v[j] : row[j] + v[j];
    }
  }
}

/* Column panels [p_lo, p_hi) of C. */
static void sgemm_panels(int p_lo, int p_hi) {
  int m = job.fm, n = job.fn, k = job.fk;
  for (int k0 = 0; k0 < k; k0 += SGEMM_KC) {
    int kc = k - k0 < SGEMM_KC ? k - k0 : SGEMM_KC;
    for (int p = p_lo; p < p_hi; p++) {
      const float *panel = job.fb + ((size_t)p * k + k0) * 8;
      int c0 = p * 8, cols = n - c0 < 8 ? n - c0 : 8;
      for (int i = 0; i < m; i += SG_MR) {
        sgemm_block(job.fa + (size_t)i * k + k0, k, m - i < SG_MR ? m - i : SG_MR, panel, kc, job.fc + (size_t)i * n + c0, n, cols, k0 == 0);
      }
    }
  }
}

static void sgemm_half(int self) {
  if (self == 0) sgemm_panels(0, job.split); else sgemm_panels(job.split, (job.fn + 7) / 8);
}

/* c (m x n) = a (m x k) times the packed b, split by column panels between the threads. */
EXPORT("sgemm") void sgemm(const float *a, int m, int k, const float *packed, int n, float *c) {
  job.fa = a; job.fm = m; job.fk = k; job.fb = packed; job.fn = n; job.fc = c;
  int panels = (n + 7) / 8;
  if (threads < 2 || !__atomic_load_n(&worker_ready, __ATOMIC_SEQ_CST) || (double)m * n * k < 1e6) {
    sgemm_panels(0, panels);
    return;
  }
  job.split = panels / 2;
  int seq = start_job(JOB_SGEMM);
  sgemm_half(0);
  finish_job(seq);
}

static void run_job(int self) {
  if (job.kind == JOB_GEMM) gemm_half(self);
  else if (job.kind == JOB_GRAM) gram_half(self);
  else if (job.kind == JOB_SYMV) symv_half(self);
  else if (job.kind == JOB_SYR2K) syr2k_half(self);
  else if (job.kind == JOB_SGEMM) sgemm_half(self);
}

/* ---------------------------------------------------- tridiagonalization */

#define NB 32
/* Row r of the panel buffer: v_r (NB), w_r (NB), v_r again, so that [V W] and [W V] are both row slices. */
#define LD (3 * NB)

static double dot(const double *x, const double *y, int len) {
  v128_t acc = wasm_f64x2_splat(0);
  int q = 0;
  for (; q + 2 <= len; q += 2) acc = wasm_f64x2_add(acc, wasm_f64x2_mul(wasm_v128_load(x + q), wasm_v128_load(y + q)));
  double sum = wasm_f64x2_extract_lane(acc, 0) + wasm_f64x2_extract_lane(acc, 1);
  return q < len ? sum + x[q] * y[q] : sum;
}

/* y += alpha x */
static void axpy(double alpha, const double *x, double *y, int len) {
  v128_t a = wasm_f64x2_splat(alpha);
  int q = 0;
  for (; q + 2 <= len; q += 2) wasm_v128_store(y + q, wasm_f64x2_add(wasm_v128_load(y + q), wasm_f64x2_mul(a, wasm_v128_load(x + q))));
  if (q < len) y[q] += alpha * x[q];
}

/*
 * y_self = A x for rows [lo, hi) of the m x m symmetric A stored as its upper
 * triangle (row r holds columns r..m-1, leading dimension lda). Row r adds its
 * dot product into y[r] and its transpose part into y[r+1..m). Four rows at a
 * time share each load of x and y, so the loop is bound by arithmetic, not by
 * loads and stores.
 */
static void symv_upper_rows(const double *a, int lda, int m, const double *x, double *y, int lo, int hi) {
  for (int r = 0; r < m; r++) y[r] = 0;
  int r = lo;
  for (; r + 4 <= hi; r += 4) {
    const double *a0 = a + (size_t)r * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
    double x0 = x[r], x1 = x[r + 1], x2 = x[r + 2], x3 = x[r + 3];
    /* The 4 x 4 diagonal block. */
    double s0 = a0[r] * x0 + a0[r + 1] * x1 + a0[r + 2] * x2 + a0[r + 3] * x3;
    double s1 = a0[r + 1] * x0 + a1[r + 1] * x1 + a1[r + 2] * x2 + a1[r + 3] * x3;
    double s2 = a0[r + 2] * x0 + a1[r + 2] * x1 + a2[r + 2] * x2 + a2[r + 3] * x3;
    double s3 = a0[r + 3] * x0 + a1[r + 3] * x1 + a2[r + 3] * x2 + a3[r + 3] * x3;
    v128_t k0 = wasm_f64x2_splat(x0), k1 = wasm_f64x2_splat(x1), k2 = wasm_f64x2_splat(x2), k3 = wasm_f64x2_splat(x3);
    v128_t c0 = wasm_f64x2_splat(0), c1 = c0, c2 = c0, c3 = c0;
    int c = r + 4;
    for (; c + 2 <= m; c += 2) {
      v128_t xc = wasm_v128_load(x + c);
      v128_t v0 = wasm_v128_load(a0 + c), v1 = wasm_v128_load(a1 + c), v2 = wasm_v128_load(a2 + c), v3 = wasm_v128_load(a3 + c);
      c0 = wasm_f64x2_add(c0, wasm_f64x2_mul(v0, xc));
      c1 = wasm_f64x2_add(c1, wasm_f64x2_mul(v1, xc));
      c2 = wasm_f64x2_add(c2, wasm_f64x2_mul(v2, xc));
      c3 = wasm_f64x2_add(c3, wasm_f64x2_mul(v3, xc));
      v128_t t = wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(v0, k0), wasm_f64x2_mul(v1, k1)),
                                wasm_f64x2_add(wasm_f64x2_mul(v2, k2), wasm_f64x2_mul(v3, k3)));
      wasm_v128_store(y + c, wasm_f64x2_add(wasm_v128_load(y + c), t));
    }
    if (c < m) {
      s0 += a0[c] * x[c]; s1 += a1[c] * x[c]; s2 += a2[c] * x[c]; s3 += a3[c] * x[c];
      y[c] += a0[c] * x0 + a1[c] * x1 + a2[c] * x2 + a3[c] * x3;
    }
    y[r] += s0 + wasm_f64x2_extract_lane(c0, 0) + wasm_f64x2_extract_lane(c0, 1);
    y[r + 1] += s1 + wasm_f64x2_extract_lane(c1, 0) + wasm_f64x2_extract_lane(c1, 1);
    y[r + 2] += s2 + wasm_f64x2_extract_lane(c2, 0) + wasm_f64x2_extract_lane(c2, 1);
    y[r + 3] += s3 + wasm_f64x2_extract_lane(c3, 0) + wasm_f64x2_extract_lane(c3, 1);
  }
  for (; r < hi; r++) {
    const double *ar = a + (size_t)r * lda;
    double xr = x[r], sum = ar[r] * xr;
    for (int c = r + 1; c < m; c++) { sum += ar[c] * x[c]; y[c] += ar[c] * xr; }
    y[r] += sum;
  }
}

static void symv_half(int self) {
  int m = job.sm, split = job.split;
  symv_upper_rows(job.sa, job.sn, m, job.sv, job.sy[self], self == 0 ? 0 : split, self == 0 ? split : m);
}

/* y = A x (upper storage as above), split between the threads; y1: m doubles of scratch. */
static void symv_upper(const double *a, int lda, int m, const double *x, double *y, double *y1) {
  if (threads < 2 || m < 256) {
    symv_upper_rows(a, lda, m, x, y, 0, m);
    return;
  }
  job.sa = a; job.sn = lda; job.sm = m; job.sv = x; job.sy[0] = y; job.sy[1] = y1;
  /* Row r costs m - r: the first m (1 - 1/sqrt 2) rows are half the work. */
  job.split = (int)(m * 0.29289321881);
  int seq = start_job(JOB_SYMV);
  symv_half(0);
  finish_job(seq);
  for (int r = 0; r < m; r++) y[r] += y1[r];
}

#define SYR2K_ROWS 64

/* Block rows [lo, hi) (in SYR2K_ROWS from t0) of the update below, on this thread's packing buffer. */
static void syr2k_rows(double *a, int n, int t0, const double *vw, int lo, int hi, double *work) {
  for (int b = lo; b < hi; b++) {
    int i0 = t0 + b * SYR2K_ROWS, rows = n - i0 < SYR2K_ROWS ? n - i0 : SYR2K_ROWS;
    gemm_serial(rows, n - i0, 2 * NB, -1, vw + (size_t)i0 * LD, LD, 0, vw + (size_t)i0 * LD + NB, LD, 1,
                a + (size_t)i0 * n + i0, n, 0, work);
  }
}

static void syr2k_half(int self) {
  int blocks = (job.sn - job.sm + SYR2K_ROWS - 1) / SYR2K_ROWS;
  syr2k_rows((double *)job.sa, job.sn, job.sm, job.sv, self == 0 ? 0 : job.split, self == 0 ? job.split : blocks, job.work[self]);
}

/*
 * The upper triangle of rows and columns t0.. of a (n x n) -= V W^T + W V^T
 * = [V W] [W V]^T, one product of depth 2 NB per block row of SYR2K_ROWS,
 * the block rows split between the threads so that each has half the work.
 */
static void syr2k_upper(double *a, int n, int t0, const double *vw) {
  int m = n - t0, blocks = (m + SYR2K_ROWS - 1) / SYR2K_ROWS;
  if (threads < 2 || m < 256) {
    syr2k_rows(a, n, t0, vw, 0, blocks, job.work[0]);
    return;
  }
  /* Block row b costs about m - b SYR2K_ROWS: the first m (1 - 1/sqrt 2) rows are half. */
  job.sa = a; job.sn = n; job.sm = t0; job.sv = vw;
  job.split = (int)(m * 0.29289321881 / SYR2K_ROWS + 0.5);
  int seq = start_job(JOB_SYR2K);
  syr2k_half(0);
  finish_job(seq);
}

/*
 * Reduces symmetric a (n x n; only the upper triangle is read) to tridiagonal
 * form T = Q^T A Q, Q = H_0 ... H_{n-2}, H_j = I - tau_j v_j v_j^T. On return
 * diag and off hold T; row j of a holds v_j in columns j+1..n-1 (v_j[j+1] = 1).
 * Blocked: within a panel of NB columns the trailing matrix is
 * A - V W^T - W V^T, applied to the upper triangle of the rest once per panel
 * as matrix products (syr2k_upper). vw: n LD doubles; y: 2 n doubles.
 */
static void tridiagonalize(double *a, int n, double *diag, double *off, double *tau, double *vw, double *y) {
  double *v = vw, *w = vw + NB, *y1 = y + n;
  for (int s = 0; s < n; s += NB) {
    int nb = n - s < NB ? n - s : NB;
    /* Rows s.. of the panel buffer start at zero (rows above s are not read in this panel). */
    for (size_t q = (size_t)s * LD; q < (size_t)n * LD; q++) vw[q] = 0;
    for (int i = 0; i < nb; i++) {
      int j = s + i;
      double *row = a + (size_t)j * n;
      /* Row j of the panel-updated matrix, from the diagonal on. */
      const double *vj0 = v + (size_t)j * LD, *wj0 = w + (size_t)j * LD;
      if (i > 0) {
        for (int r = j; r < n; r++) row[r] -= dot(v + (size_t)r * LD, wj0, i) + dot(w + (size_t)r * LD, vj0, i);
      }
      diag[j] = row[j];
      if (j == n - 1) { tau[j] = 0; break; }
      /* Householder vector for row[j+1..n). */
      double alpha = row[j + 1], sigma = dsqrt(dot(row + j + 2, row + j + 2, n - j - 2));
      /* Squares that overflow or underflow: the slow, safe norm. */
      if (!(sigma < 1e150 && sigma > 1e-150)) {
        sigma = 0;
        for (int r = j + 2; r < n; r++) sigma = dhypot(sigma, row[r]);
      }
      double t = 0, beta = alpha;
      if (sigma != 0) {
        beta = -dsign(dhypot(alpha, sigma), alpha);
        t = (beta - alpha) / beta;
        double scale = 1 / (alpha - beta);
        for (int r = j + 2; r < n; r++) row[r] *= scale;
      }
      row[j + 1] = 1;
      off[j] = beta;
      tau[j] = t;
      int m = n - j - 1;
      const double *vj = row + j + 1;
      for (int r = 0; r < m; r++) { double *vr = vw + (size_t)(j + 1 + r) * LD + i; vr[0] = vr[2 * NB] = vj[r]; }
      if (t == 0) continue;
      /* y = (A - V W^T - W V^T) v on rows j+1..n. */
      symv_upper(a + (size_t)(j + 1) * n + j + 1, n, m, vj, y, y1);
      if (i > 0) {
        double wv[NB], vv[NB];
        for (int q = 0; q < i; q++) { wv[q] = 0; vv[q] = 0; }
        for (int r = 0; r < m; r++) {
          axpy(vj[r], w + (size_t)(j + 1 + r) * LD, wv, i);
          axpy(vj[r], v + (size_t)(j + 1 + r) * LD, vv, i);
        }
        for (int r = 0; r < m; r++) y[r] -= dot(v + (size_t)(j + 1 + r) * LD, wv, i) + dot(w + (size_t)(j + 1 + r) * LD, vv, i);
      }
      /* w = tau y - (tau^2 / 2) (y . v) v */
      double yv = 0;
      for (int r = 0; r < m; r++) yv += y[r] * vj[r];
      double k = -0.5 * t * t * yv;
      for (int r = 0; r < m; r++) w[(size_t)(j + 1 + r) * LD + i] = t * y[r] + k * vj[r];
    }
    /* Upper triangle of the trailing matrix -= V W^T + W V^T, in block rows. */
    syr2k_upper(a, n, s + nb, vw);
  }
}

#define NBQ 128

/*
 * z (rows 1..n-1 of an n x cols matrix, ldz) = Q z with Q = H_0 ... H_{n-2}
 * from tridiagonalize, in blocks of NBQ reflectors, last block first:
 * H_j0 ... H_j1-1 = I - V T V^T with T upper triangular. V^T is rows j0..j1-1
 * of a from column j0+1 on, once the unused entries left of each leading 1
 * are zeroed. t, s: NBQ^2 doubles; m1, m2: NBQ * cols; tmp: NBQ.
 */
static void apply_q(double *a, int n, const double *tau, double *z, int cols, int ldz, double *t, double *s, double *m1, double *m2, double *tmp) {
  int count = n - 1;
  for (int j0 = ((count - 1) / NBQ) * NBQ; j0 >= 0; j0 -= NBQ) {
    int nb = count - j0 < NBQ ? count - j0 : NBQ;
    int rows = n - j0 - 1;
    double *vt = a + (size_t)j0 * n + j0 + 1;
    for (int q = 0; q < nb; q++) for (int c = 0; c < q; c++) vt[(size_t)q * n + c] = 0;
    gemm(nb, nb, rows, 1, vt, n, 0, vt, n, 1, s, NBQ, 1); /* s = V^T V */
    for (int q = 0; q < nb; q++) {
      double tq = tau[j0 + q];
      for (int p = 0; p < q; p++) tmp[p] = -tq * s[p * NBQ + q];
      for (int p = 0; p < q; p++) {
        double sum = 0;
        for (int r = p; r < q; r++) sum += t[p * NBQ + r] * tmp[r];
        t[p * NBQ + q] = sum;
      }
      t[q * NBQ + q] = tq;
      for (int p = q + 1; p < nb; p++) t[p * NBQ + q] = 0;
    }
    double *zs = z + (size_t)(j0 + 1) * ldz;
    gemm(nb, cols, rows, 1, vt, n, 0, zs, ldz, 0, m1, cols, 1);  /* m1 = V^T z */
    gemm(nb, cols, nb, 1, t, NBQ, 0, m1, cols, 0, m2, cols, 1);  /* m2 = T m1 */
    gemm(rows, cols, nb, -1, vt, n, 1, m2, cols, 0, zs, ldz, 0); /* z -= V m2 */
  }
}

/* -------------------------------------------- tridiagonal eigenproblem */

/*
 * Implicit QL with shifts for a small tridiagonal (d, e[i] = T[i][i+1]),
 * eigenvectors accumulated into zt (n x n, zt[i * n + k] = component k of
 * vector i, so each rotation runs over two contiguous rows).
 */
static void tridiagonal_ql(double *d, double *e, int n, double *zt) {
  e[n - 1] = 0;
  for (int l = 0; l < n; l++) {
    for (int iter = 0; iter < 60; iter++) {
      int m = l;
      for (; m < n - 1; m++) {
        if (dabs(e[m]) <= EPS * (dabs(d[m]) + dabs(d[m + 1]))) break;
      }
      if (m == l) break;
      double g = (d[l + 1] - d[l]) / (2 * e[l]);
      double r = dhypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + dsign(r, g));
      double s = 1, c = 1, p = 0;
      int i = m - 1;
      for (; i >= l; i--) {
        double f = s * e[i], b = c * e[i];
        r = dhypot(f, g);
        e[i + 1] = r;
        if (r == 0) {
          d[i + 1] -= p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        double *zi = zt + i * n, *zf = zi + n;
        for (int k = 0; k < n; k++) {
          double f = zf[k];
          zf[k] = s * zi[k] + c * f;
          zi[k] = c * zi[k] - s * f;
        }
      }
      if (r == 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  /* Ascending order. */
  for (int i = 0; i < n - 1; i++) {
    int k = i;
    for (int j = i + 1; j < n; j++) if (d[j] < d[k]) k = j;
    if (k == i) continue;
    double t = d[i]; d[i] = d[k]; d[k] = t;
    for (int r = 0; r < n; r++) { t = zt[i * n + r]; zt[i * n + r] = zt[k * n + r]; zt[k * n + r] = t; }
  }
}

/* Secular function g(tau) = 1 + rho sum z_j^2 / (delta_j - tau), split at pole i into psi (j <= i) and phi. */
static double secular(const double *delta, const double *z2, int k, double rho, int i, double tau, double *psi, double *dpsi, double *phi, double *dphi) {
  double s = 0, ds = 0, f = 0, df = 0;
  for (int j = 0; j <= i; j++) { double q = 1 / (delta[j] - tau); double t = z2[j] * q; s += t; ds += t * q; }
  for (int j = i + 1; j < k; j++) { double q = 1 / (delta[j] - tau); double t = z2[j] * q; f += t; df += t * q; }
  *psi = rho * s; *dpsi = rho * ds; *phi = rho * f; *dphi = rho * df;
  return 1 + *psi + *phi;
}

/*
 * Root i of 1 + rho sum z_j^2 / (d_j - lambda) (d ascending, rho > 0), as
 * lambda = d[*origin] + tau with the nearer pole as origin, so that every
 * d_j - lambda is later formed without cancellation. delta: k doubles scratch.
 */
static double secular_root(const double *d, const double *z2, int k, double rho, int i, int *origin, double *delta) {
  double znorm = 0;
  for (int j = 0; j < k; j++) znorm += z2[j];
  int org = i;
  double lo, hi;
  if (i < k - 1) {
    double gap = d[i + 1] - d[i];
    for (int j = 0; j < k; j++) delta[j] = d[j] - d[i];
    double psi, dpsi, phi, dphi;
    if (secular(delta, z2, k, rho, i, gap / 2, &psi, &dpsi, &phi, &dphi) >= 0) {
      lo = 0; hi = gap / 2;
    } else {
      org = i + 1;
      for (int j = 0; j < k; j++) delta[j] = d[j] - d[i + 1];
      lo = -gap / 2; hi = 0;
    }
  } else {
    for (int j = 0; j < k; j++) delta[j] = d[j] - d[i];
    lo = 0; hi = rho * znorm;
    double psi, dpsi, phi, dphi;
    /* hi is at or above the root; make sure, then keep the bracket. */
    while (secular(delta, z2, k, rho, i, hi, &psi, &dpsi, &phi, &dphi) < 0) hi *= 2;
  }
  *origin = org;
  double tau = (lo + hi) / 2;
  for (int iter = 0; iter < 200; iter++) {
    double psi, dpsi, phi, dphi;
    double g = secular(delta, z2, k, rho, i, tau, &psi, &dpsi, &phi, &dphi);
    if (g == 0) break;
    if (g < 0) lo = tau; else hi = tau;
    if (dabs(g) <= 8 * EPS * k * (1 + dabs(psi) + dabs(phi)) || hi - lo <= 2 * EPS * dmax(dabs(lo), dabs(hi))) break;
    /* Model psi by a + s1 / (delta_i - t) and phi by b + s2 / (delta_{i+1} - t), both matching value and slope. */
    double di = delta[i] - tau;
    double step;
    if (i < k - 1) {
      double di1 = delta[i + 1] - tau;
      double s1 = dpsi * di * di, s2 = dphi * di1 * di1;
      double c = g - s1 / di - s2 / di1;
      double b = c * (di + di1) + s1 + s2;
      double cq = di * di1 * g;
      double disc = b * b - 4 * c * cq;
      step = disc < 0 ? 0 : 2 * cq / (b + dsign(dsqrt(disc), b));
      if (disc < 0 || b == 0) step = hi - lo + 1; /* force a bisection */
    } else {
      double s1 = dpsi * di * di;
      double c = g - s1 / di;
      step = c == 0 ? hi - lo + 1 : di + s1 / c;
    }
    double next = tau + step;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (next == tau) break;
    tau = next;
  }
  return tau;
}

typedef struct {
  double *qg, *ug, *fresh; /* n*n each */
  double *vec;             /* 8 n doubles */
  int *idx;                /* 4 n ints */
} Merge;

/*
 * Eigenpairs of the n x n symmetric tridiagonal (d, e[i] = T[i][i+1]) into
 * z (row-major, ldz: column k is the eigenvector of d[k]), ascending.
 */
static void tridiagonal_dc(double *d, double *e, int n, double *z, int ldz, Merge *ws) {
  if (n <= 32) {
    double *zt = ws->qg; /* free until the merges */
    for (int r = 0; r < n * n; r++) zt[r] = r % (n + 1) == 0;
    tridiagonal_ql(d, e, n, zt);
    for (int r = 0; r < n; r++) for (int c = 0; c < n; c++) z[(size_t)r * ldz + c] = zt[c * n + r];
    return;
  }
  int m = n / 2;
  double beta = e[m - 1];
  double rho = dabs(beta), sgn = beta < 0 ? -1 : 1;
  d[m - 1] -= rho;
  d[m] -= rho;
  for (int r = 0; r < m; r++) for (int c = m; c < n; c++) z[(size_t)r * ldz + c] = 0;
  for (int r = m; r < n; r++) for (int c = 0; c < m; c++) z[(size_t)r * ldz + c] = 0;
  tridiagonal_dc(d, e, m, z, ldz, ws);
  tridiagonal_dc(d + m, e + m, n - m, z + (size_t)m * ldz + m, ldz, ws);

  /* T = Q (D + rho u u^T) Q^T with u = Q^T (e_{m-1} + sgn e_m) = z below, |u|^2 = 2. */
  double *zv = ws->vec, *dv = ws->vec + n, *z2 = ws->vec + 2 * n, *lam = ws->vec + 3 * n, *zh = ws->vec + 4 * n, *delta = ws->vec + 5 * n;
  double *taus = ws->vec + 6 * n, *dsort = ws->vec + 7 * n;
  int *order = ws->idx, *type = ws->idx + n, *keep = ws->idx + 2 * n, *org = ws->idx + 3 * n;
  const double r2 = 0.70710678118654752440;
  for (int c = 0; c < m; c++) zv[c] = z[(size_t)(m - 1) * ldz + c] * r2;
  for (int c = m; c < n; c++) zv[c] = sgn * z[(size_t)m * ldz + c] * r2;
  rho *= 2;
  /* Merge the two ascending halves into one order. */
  for (int p = 0, q = m, k = 0; k < n; k++) order[k] = q >= n || (p < m && d[p] <= d[q]) ? p++ : q++;
  for (int c = 0; c < n; c++) type[c] = c < m ? 1 : 3;
  double dmaxabs = 0;
  for (int c = 0; c < n; c++) dmaxabs = dmax(dmaxabs, dabs(d[c]));
  double tol = 8 * EPS * dmax(dmaxabs, rho);
  /* Deflation: tiny z components, then pairs of close d's rotated so one z vanishes. */
  /* Rotations of deflated pairs, recorded here and applied to z after the loop (lam and zh are free until the roots). */
  int kept = 0, prev = -1, rotations = 0;
  int *rot_col = (int *)dsort;
  double *rot_cs = lam, *rot_sn = zh;
  for (int p = 0; p < n; p++) {
    int c = order[p];
    if (rho * dabs(zv[c]) <= tol) { zv[c] = 0; continue; }
    if (prev >= 0) {
      double t = dhypot(zv[prev], zv[c]);
      double cs = zv[c] / t, sn = zv[prev] / t;
      if (dabs((d[c] - d[prev]) * cs * sn) <= tol) {
        rot_col[2 * rotations] = prev;
        rot_col[2 * rotations + 1] = c;
        rot_cs[rotations] = cs;
        rot_sn[rotations++] = sn;
        double dp = d[prev], dc = d[c];
        d[prev] = cs * cs * dp + sn * sn * dc;
        d[c] = sn * sn * dp + cs * cs * dc;
        zv[prev] = 0;
        zv[c] = t;
        type[c] = type[prev] = 2;
        kept--;
      }
    }
    keep[kept++] = c;
    prev = c;
  }
  /* The rotations on z's columns, applied a row at a time (rows are independent). */
  for (int r = 0; r < n && rotations > 0; r++) {
    double *zr = z + (size_t)r * ldz;
    for (int t = 0; t < rotations; t++) {
      int p = rot_col[2 * t], c = rot_col[2 * t + 1];
      double a = zr[p], b = zr[c];
      zr[p] = rot_cs[t] * a - rot_sn[t] * b;
      zr[c] = rot_sn[t] * a + rot_cs[t] * b;
    }
  }
  /* keep[] may list a column deflated after it was kept (zv == 0): drop those. */
  int k = 0;
  for (int p = 0; p < kept; p++) if (zv[keep[p]] != 0) keep[k++] = keep[p];
  if (k > 0) {
    for (int p = 0; p < k; p++) { dv[p] = d[keep[p]]; z2[p] = zv[keep[p]] * zv[keep[p]]; }
    for (int p = 0; p < k; p++) taus[p] = secular_root(dv, z2, k, rho, p, &org[p], delta);
    for (int p = 0; p < k; p++) lam[p] = dv[org[p]] + taus[p];
    /* Gu and Eisenstat: the z for which the computed roots are exact. */
    for (int j = 0; j < k; j++) {
      double prod = (dv[org[k - 1]] - dv[j] + taus[k - 1]) / rho;
      for (int i = 0; i < j; i++) prod *= (dv[org[i]] - dv[j] + taus[i]) / (dv[i] - dv[j]);
      for (int i = j; i < k - 1; i++) prod *= (dv[org[i]] - dv[j] + taus[i]) / (dv[i + 1] - dv[j]);
      zh[j] = dsign(dsqrt(prod > 0 ? prod : 0), zv[keep[j]]);
    }
    /* Columns grouped top-only, mixed, bottom-only; U's rows follow. */
    int grouped[3] = {0, 0, 0};
    for (int p = 0; p < k; p++) grouped[type[keep[p]] - 1]++;
    int k1 = grouped[0], k2 = grouped[1];
    int *perm = order; /* order[] is no longer needed */
    int fill[3] = {0, k1, k1 + k2};
    for (int p = 0; p < k; p++) perm[fill[type[keep[p]] - 1]++] = p;
    double *qg = ws->qg, *ug = ws->ug, *fresh = ws->fresh;
    for (int r = 0; r < n; r++) for (int s = 0; s < k; s++) qg[(size_t)r * k + s] = z[(size_t)r * ldz + keep[perm[s]]];
    for (int c = 0; c < k; c++) {
      double norm = 0;
      for (int j = 0; j < k; j++) {
        double u = zh[j] / (dv[j] - dv[org[c]] - taus[c]);
        delta[j] = u;
        norm += u * u;
      }
      norm = 1 / dsqrt(norm);
      for (int s = 0; s < k; s++) ug[(size_t)s * k + c] = delta[perm[s]] * norm;
    }
    gemm(m, k, k1 + k2, 1, qg, k, 0, ug, k, 0, fresh, k, 1);
    gemm(n - m, k, k - k1, 1, qg + (size_t)m * k + k1, k, 0, ug + (size_t)k1 * k, k, 0, fresh + (size_t)m * k, k, 1);
  }
  /* Deflated pairs keep their column; all pairs sorted ascending into z, a row at a time. */
  int nd = 0;
  for (int c = 0; c < n; c++) if (zv[c] == 0) { type[nd++] = c; }
  for (int s = 0; s < nd; s++) dsort[s] = d[type[s]];
  for (int s = 0; s < nd; s++) keep[s] = s;
  /* Sort deflated values (insertion; then merge with the ascending roots). */
  for (int s = 1; s < nd; s++) {
    int v = keep[s], q = s;
    while (q > 0 && dsort[keep[q - 1]] > dsort[v]) { keep[q] = keep[q - 1]; q--; }
    keep[q] = v;
  }
  /* source[c]: fresh column q as q, deflated value s as -1 - s. */
  int *source = org; /* org[] is no longer needed */
  for (int p = 0, q = 0, c = 0; c < n; c++) {
    if (q >= k || (p < nd && dsort[keep[p]] <= lam[q])) {
      int s = keep[p++];
      d[c] = dsort[s];
      source[c] = -1 - s;
    } else {
      d[c] = lam[q];
      source[c] = q++;
    }
  }
  double *held = delta; /* one row's deflated entries */
  for (int r = 0; r < n; r++) {
    double *zr = z + (size_t)r * ldz;
    const double *fr = ws->fresh + (size_t)r * k;
    for (int s = 0; s < nd; s++) held[s] = zr[type[s]];
    for (int c = 0; c < n; c++) zr[c] = source[c] < 0 ? held[-1 - source[c]] : fr[source[c]];
  }
}

/* ------------------------------------------------------------- exports */

/* Doubles of workspace sym_eigen needs for order n (besides a, values, vectors). */
EXPORT("eigen_work_doubles") double eigen_work_doubles(int n) {
  return 3.0 * n * n + 17.0 * n + 2.0 * NBQ * n + 2.0 * NBQ * NBQ + NBQ + 64;
}

/*
 * All eigenpairs of symmetric a (n x n, destroyed): values ascending,
 * vectors (n x n row-major, column k for values[k]).
 */
EXPORT("sym_eigen") void sym_eigen(double *a, int n, double *values, double *vectors, double *work) {
  double *off = work, *tau = off + n, *y = tau + n;
  double *rest = y + 2 * n;
  if (n == 1) { values[0] = a[0]; vectors[0] = 1; return; }
  tridiagonalize(a, n, values, off, tau, rest, y);
  off[n - 1] = 0;
  /* Scale T to unit size so the secular equation never overflows. */
  double scale = 0;
  for (int i = 0; i < n; i++) scale = dmax(scale, dmax(dabs(values[i]), dabs(off[i])));
  if (scale == 0) scale = 1;
  for (int i = 0; i < n; i++) { values[i] /= scale; off[i] /= scale; }
  Merge ws;
  ws.qg = rest;
  ws.ug = ws.qg + (size_t)n * n;
  ws.fresh = ws.ug + (size_t)n * n;
  ws.vec = ws.fresh + (size_t)n * n;
  ws.idx = (int *)(ws.vec + 8 * n);
  tridiagonal_dc(values, off, n, vectors, n, &ws);
  for (int i = 0; i < n; i++) values[i] *= scale;
  double *t = rest, *s = t + NBQ * NBQ, *m1 = s + NBQ * NBQ, *m2 = m1 + (size_t)NBQ * n, *tmp = m2 + (size_t)NBQ * n;
  apply_q(a, n, tau, vectors, n, n, t, s, m1, m2, tmp);
}

/*
 * Keras's ZCA matrix from the centred Gram matrix g (d x d, destroyed):
 * W = U diag(sqrt(samples) / (sqrt(max(lambda, 0)) + eps)) U^T over the top
 * min(samples, d) eigenpairs, into out (float32, d x d). values: d doubles,
 * vectors: d * d doubles.
 */
EXPORT("zca_matrix") void zca_matrix(double *g, int d, int samples, double eps, float *out, double *values, double *vectors, double *work) {
  sym_eigen(g, d, values, vectors, work);
  int keep = samples < d ? samples : d, first = d - keep;
  double root = dsqrt((double)samples);
  double *scaled = g; /* the eigenproblem is done with g */
  for (int i = 0; i < d; i++) {
    for (int c = first; c < d; c++) {
      double f = root / (dsqrt(values[c] > 0 ? values[c] : 0) + eps);
      scaled[(size_t)i * d + c] = vectors[(size_t)i * d + c] * f;
    }
  }
  double *w = work;
  /* Lower block rows of W = scaled U^T; the rest by symmetry. */
  for (int i0 = 0; i0 < d; i0 += 256) {
    int rows = d - i0 < 256 ? d - i0 : 256;
    gemm(rows, i0 + rows, keep, 1, scaled + (size_t)i0 * d + first, d, 0, vectors + first, d, 1, w + (size_t)i0 * d, d, 1);
  }
  for (int i = 0; i < d; i++) {
    for (int j = 0; j <= i; j++) {
      float v = (float)w[(size_t)i * d + j];
      out[(size_t)i * d + j] = v;
      out[(size_t)j * d + i] = v;
    }
  }
}
