/** Columns for `n` events (./store.ts EventColumns), zeroed, to be filled by a store's read. */
import type { EventColumns } from './store.js';

export function eventColumns(n: number): EventColumns {
  return {
    user: new Int32Array(n),
    item: new Int32Array(n),
    type: new Uint8Array(n),
    value: new Float32Array(n),
    timestamp: new Float64Array(n),
    length: n,
  };
}
