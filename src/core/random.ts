/**
 * Seeded randomness for all of reco (simulator, splits, model initialisation, benchmarks): one small
 * well-known generator and the samplers built on it. (The GBDT keeps LightGBM's own generator, for parity.)
 *
 * - Generator: sfc32 (Chris Doty-Humphrey's "Small Fast Counting" generator, from PractRand; 128-bit
 *   state, passes PractRand and BigCrush), seeded through splitmix32 (a 32-bit variant of Steele, Lea and
 *   Flood's SplitMix, "Fast splittable pseudorandom number generators", OOPSLA 2014) so that nearby seeds
 *   give unrelated streams.
 * - Normal: Marsaglia's polar method (Marsaglia and Bray 1964).
 * - Gamma: Marsaglia and Tsang, "A simple method for generating gamma variables", ACM TOMS 2000.
 * - Discrete distributions: Vose's alias method ("A linear algorithm for generating random numbers with a
 *   given distribution", IEEE TSE 1991), O(1) per draw.
 *
 * Everything here is deterministic for a seed; no Math.random.
 */

/** splitmix32 step: returns [nextState, output]. */
function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return [state, (z ^ (z >>> 15)) >>> 0];
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal = 0;
  private hasSpare = false;

  /** `seed` is any integer (or a string, hashed); `stream` picks an independent sub-stream. */
  constructor(seed: number | string, stream = 0) {
    let s = typeof seed === 'string' ? hashString(seed) : seed >>> 0;
    s = (s ^ Math.imul(stream + 1, 0x85ebca6b)) | 0;
    let out: number;
    [s, out] = splitmix32(s);
    this.a = out;
    [s, out] = splitmix32(s);
    this.b = out;
    [s, out] = splitmix32(s);
    this.c = out;
    [s, out] = splitmix32(s);
    this.d = out;
    for (let k = 0; k < 12; k++) this.nextUint32(); // warm up, as the reference does
  }

  /** sfc32: a uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in (0, 1): safe for logarithms. */
  floatOpen(): number {
    return (this.nextUint32() + 0.5) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  bernoulli(p: number): boolean {
    return this.float() < p;
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareNormal;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.float() - 1;
      v = 2 * this.float() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    this.hasSpare = true;
    return u * f;
  }

  logNormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  exponential(rate = 1): number {
    return -Math.log(this.floatOpen()) / rate;
  }

  /** Gamma(shape, 1) by Marsaglia and Tsang (with the shape < 1 boost). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * this.floatOpen() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.floatOpen();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Poisson by inversion (small means) or a rounded normal (large means). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const l = Math.exp(-mean);
    let k = 0;
    let p = this.float();
    while (p > l) {
      k++;
      p *= this.float();
    }
    return k;
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<A extends { length: number; [k: number]: number }>(a: A): A {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }
}

/** FNV-1a 32-bit hash of a string (seeds given as text). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * At most `max` of `values`, drawn at random (seeded, on its own stream) and sorted ascending; `values`
 * itself when it has no more than `max`.
 */
export function sampleSorted(values: Int32Array, max: number, seed: number, stream: number): Int32Array {
  if (values.length <= max) return values;
  const shuffled = values.slice();
  new Rng(seed, stream).shuffle(shuffled);
  return shuffled.subarray(0, max).sort();
}

/** Vose's alias table over non-negative weights: O(n) to build, O(1) per draw. */
export class AliasTable {
  readonly size: number;
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;
  /** Optional mapping from table slot to an outer index (e.g. the items of one genre). */
  private readonly outer: Int32Array | undefined;

  constructor(weights: ArrayLike<number>, outer?: Int32Array) {
    const n = weights.length;
    this.size = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    this.outer = outer;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += weights[i]!;
    if (n === 0 || !(sum > 0)) {
      for (let i = 0; i < n; i++) {
        this.prob[i] = 1;
        this.alias[i] = i;
      }
      return;
    }
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i]! * n) / sum;
      if (scaled[i]! < 1) small[ns++] = i;
      else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns]!;
      const l = large[--nl]!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      if (scaled[l]! < 1) small[ns++] = l;
      else large[nl++] = l;
    }
    while (nl > 0) {
      const l = large[--nl]!;
      this.prob[l] = 1;
      this.alias[l] = l;
    }
    while (ns > 0) {
      const s = small[--ns]!;
      this.prob[s] = 1;
      this.alias[s] = s;
    }
  }

  /** One draw: a slot index (or the outer index when a mapping was given). */
  sample(rng: Rng): number {
    const u = rng.float() * this.size;
    const k = Math.floor(u);
    const slot = u - k < this.prob[k]! ? k : this.alias[k]!;
    return this.outer ? this.outer[slot]! : slot;
  }
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}
