/**
 * MT19937 seeded like NumPy's legacy `np.random.seed(int)`. With the draw
 * algorithms of `RandomGenerator` it reproduces NumPy's RandomState stream,
 * which is what Keras's ImageDataGenerator draws from.
 */
import { RandomGenerator, checkSeed } from './random.js';

const N = 624;
const M = 397;

export class MT19937 extends RandomGenerator {
  private readonly mt = new Uint32Array(N);
  private index = N;

  constructor(seed: number) {
    super();
    let s = checkSeed(seed) >>> 0;
    for (let i = 0; i < N; i++) {
      this.mt[i] = s;
      // s = 1812433253 * (s ^ (s >>> 30)) + i + 1, modulo 2^32
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % N]! & 0x7fffffff);
      let v = mt[(i + M) % N]! ^ (y >>> 1);
      if (y & 1) v ^= 0x9908b0df;
      mt[i] = v;
    }
    this.index = 0;
  }

  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}
