/**
 * All eigenvalues and eigenvectors of a real symmetric matrix, in float64:
 * Householder reduction to tridiagonal form, then the implicit QL algorithm
 * with shifts (the classic EISPACK tred2/tql2 scheme). O(d^3); meant for
 * small d (a few hundred). Eigenvalues come out in ascending order.
 */

/** `a` is d x d, row-major, symmetric; it is overwritten with the eigenvectors (as columns). */
export function symmetricEigen(a: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const v = a;
  const e = new Float64Array(d);
  const diag = new Float64Array(d);
  tridiagonalize(v, d, diag, e);
  diagonalize(v, d, diag, e);
  return { values: diag, vectors: v };
}

const at = (i: number, j: number, d: number) => i * d + j;

function tridiagonalize(v: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = v[at(n - 1, j, n)]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = v[at(i - 1, j, n)]!;
        v[at(i, j, n)] = 0;
        v[at(j, i, n)] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[at(j, i, n)] = f;
        g = e[j]! + v[at(j, j, n)]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[at(k, j, n)]! * d[k]!;
          e[k]! += v[at(k, j, n)]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) v[at(k, j, n)]! -= f * e[k]! + g * d[k]!;
        d[j] = v[at(i - 1, j, n)]!;
        v[at(i, j, n)] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    v[at(n - 1, i, n)] = v[at(i, i, n)]!;
    v[at(i, i, n)] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[at(k, i + 1, n)]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[at(k, i + 1, n)]! * v[at(k, j, n)]!;
        for (let k = 0; k <= i; k++) v[at(k, j, n)]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[at(k, i + 1, n)] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[at(n - 1, j, n)]!;
    v[at(n - 1, j, n)] = 0;
  }
  v[at(n - 1, n - 1, n)] = 1;
  e[0] = 0;
}

function diagonalize(v: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      do {
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m]!;
        let c = 1, c2 = c, c3 = c;
        const el1 = e[l + 1]!;
        let s = 0, s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          for (let k = 0; k < n; k++) {
            h = v[at(k, i + 1, n)]!;
            v[at(k, i + 1, n)] = s * v[at(k, i, n)]! + c * h;
            v[at(k, i, n)] = c * v[at(k, i, n)]! - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l]! += f;
    e[l] = 0;
  }
  // Sort ascending, moving eigenvector columns along.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i]!;
    for (let j = i + 1; j < n; j++) if (d[j]! < p) { k = j; p = d[j]!; }
    if (k !== i) {
      d[k] = d[i]!;
      d[i] = p;
      for (let j = 0; j < n; j++) {
        const t = v[at(j, i, n)]!;
        v[at(j, i, n)] = v[at(j, k, n)]!;
        v[at(j, k, n)] = t;
      }
    }
  }
}
