/**
 * LightGBM's small linear congruential generator (include/LightGBM/utils/random.h), reproduced so that
 * bagging and feature sampling draw the same sequences as LightGBM for the same seeds.
 */
export class LgbRandom {
  private x: number;

  constructor(seed: number) {
    this.x = seed >>> 0;
  }

  private next(): number {
    // x = 214013 * x + 2531011 (mod 2^32), in exact integer arithmetic.
    this.x = (Math.imul(214013, this.x) + 2531011) >>> 0;
    return this.x;
  }

  /** Integer in [0, 32768). */
  randInt16(): number {
    return (this.next() >>> 16) & 0x7fff;
  }

  /** Integer in [0, 2^31). */
  randInt32(): number {
    return this.next() & 0x7fffffff;
  }

  /** Integer in [lower, upper), int16 range. */
  nextShort(lower: number, upper: number): number {
    return (this.randInt16() % (upper - lower)) + lower;
  }

  /** Integer in [lower, upper). */
  nextInt(lower: number, upper: number): number {
    return (this.randInt32() % (upper - lower)) + lower;
  }

  /** Float in [0, 1), as LightGBM's float: RandInt16 / 32768. */
  nextFloat(): number {
    return Math.fround(this.randInt16() / 32768);
  }

  /** K ordered samples from 0..N-1, as LightGBM's Random::Sample. */
  sample(n: number, k: number): number[] {
    const ret: number[] = [];
    if (k > n || k <= 0) return ret;
    if (k === n) {
      for (let i = 0; i < n; i++) ret.push(i);
    } else if (k > 1 && k > n / Math.log2(k)) {
      for (let i = 0; i < n; i++) {
        const prob = (k - ret.length) / (n - i);
        if (this.nextFloat() < prob) ret.push(i);
      }
    } else {
      const set = new Set<number>();
      for (let r = n - k; r < n; r++) {
        const v = this.nextInt(0, r + 1);
        if (set.has(v)) set.add(r);
        else set.add(v);
      }
      ret.push(...[...set].sort((a, b) => a - b));
    }
    return ret;
  }
}
