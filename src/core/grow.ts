/**
 * Typed arrays that grow by doubling: `grown(a, n)` is `a` when it holds n entries already, else a copy
 * at least twice as long (at least 16), the new entries `fill`.
 */
export function grown<T extends Int32Array | Float32Array | Float64Array>(a: T, n: number, fill = 0): T {
  if (a.length >= n) return a;
  const Ctor = a.constructor as new (n: number) => T;
  const b = new Ctor(Math.max(n, a.length * 2, 16));
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}
