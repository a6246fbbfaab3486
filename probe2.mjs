const h = 224, w = 224, ch = 3, size = h*w*ch;
const src = new Float32Array(size * 8).map((_, i) => i % 255), dst = new Float32Array(size);
const t12 = 12*Math.PI/180, m00 = Math.cos(t12), m01 = -Math.sin(t12), m10 = Math.sin(t12), m11 = Math.cos(t12), o0 = 10, o1 = -12;
function warpA(sd, base, dd) {
  const rowStride = w*3;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const out = (r * w + c) * 3;
      let cr = r * m00 + c * m01 + o0, cc = r * m10 + c * m11 + o1;
      if (cr < 0) cr = 0; else if (cr > h - 1) cr = h - 1;
      if (cc < 0) cc = 0; else if (cc > w - 1) cc = w - 1;
      let fr = Math.floor(cr), fc = Math.floor(cc);
      const tr = cr - fr, tc = cc - fc;
      const r0 = base + fr * rowStride, r1 = fr + 1 < h ? r0 + rowStride : r0;
      const c0 = fc * 3, c1 = fc + 1 < w ? c0 + 3 : c0;
      const w00 = (1 - tr) * (1 - tc), w01 = (1 - tr) * tc, w10 = tr * (1 - tc), w11 = tr * tc;
      const p00 = r0 + c0, p01 = r0 + c1, p10 = r1 + c0, p11 = r1 + c1;
      dd[out] = sd[p00] * w00 + sd[p01] * w01 + sd[p10] * w10 + sd[p11] * w11;
      dd[out+1] = sd[p00+1] * w00 + sd[p01+1] * w01 + sd[p10+1] * w10 + sd[p11+1] * w11;
      dd[out+2] = sd[p00+2] * w00 + sd[p01+2] * w01 + sd[p10+2] * w10 + sd[p11+2] * w11;
    }
  }
}
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now(); let n = 0;
  while (performance.now() - t < 1500) { warpA(src, (n % 8) * size, dst); n++; }
  console.log('A', (n / ((performance.now() - t) / 1000)).toFixed(0), 'img/s', ((performance.now() - t) * 1e6 / n / (h*w)).toFixed(1), 'ns/pixel');
}
