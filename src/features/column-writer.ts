/**
 * Feature columns compiled into generated functions, one per column: `o[at + p] = compute(x, k)`, each
 * with the column's own compute function at its own call site.
 *
 * Why: called through one shared loop (`col.def.compute(x, col.k)`), the call site sees every column's
 * function (megamorphic), V8 inlines none of them, and each double they return is boxed on the heap
 * first: at 300 candidates and ~25 user-item columns, 7,500 boxes and ~110 KB of garbage a request, which
 * the server's rank threads paid in collector time. Here each call site sees one function, V8 inlines it
 * and stores the double straight into the row (measured: 111 -> 29 KB allocated a ranked request; one
 * column per function allocated least, as more let V8 stop inlining). The values are the same calls on
 * the same input (bit-identical; test/features proves it).
 */
import type { FeatureColumn, FeatureInput } from './registry.js';

/** Writes the values of its column(s) for the input's current row into o[at + position]. */
export type ColumnWriter = (x: FeatureInput, o: Float64Array, at: number) => void;

/** One writer for `columns`, writing column j of the list to o[at + positions[j]]. */
export function compileColumnWriter(
  columns: readonly FeatureColumn[],
  positions: ArrayLike<number>,
): ColumnWriter {
  const writers: ColumnWriter[] = columns.map((c, j) => {
    // a function of its own (new Function, not a closure of one literal, which would share V8's feedback)
    const make = new Function(
      'compute',
      // named after the column, so that a profile shows which column costs what
      `return function write_${c.name.replace(/\W/g, '_')}(x, o, at) { o[at + ${positions[j]!}] = compute(x, ${c.k}); };`,
    ) as (compute: FeatureColumn['def']['compute']) => ColumnWriter;
    return make(c.def.compute);
  });
  return (x, o, at) => {
    for (let j = 0; j < writers.length; j++) writers[j]!(x, o, at);
  };
}
