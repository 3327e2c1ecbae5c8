/**
 * The second thread of a parallel SPD inversion (./dense-parallel.ts): applies each pivot block's update
 * to its share of rows. Protocol on the shared Int32Array `ctrl`: [0] generation (bumped per block),
 * [1] first pivot k0 (-1 = exit), [2] block size, [3] first row, [4] end row, [5] last generation done,
 * [6] 1 once the worker runs.
 */
import { workerData } from 'node:worker_threads';
import { updateRows } from './dense.js';
import { nextRequest } from './threads.js';

export interface DenseWorkerData {
  ctrl: Int32Array;
  a: Float64Array;
  n: number;
  u: Float64Array;
  d: Float64Array;
}

const w = workerData as DenseWorkerData;
let seen = 0;
Atomics.store(w.ctrl, 6, 1);
Atomics.notify(w.ctrl, 6);
for (;;) {
  // each generation once (see nextRequest: a late notify is no new request)
  seen = nextRequest(w.ctrl, 0, seen);
  const k0 = w.ctrl[1]!;
  if (k0 < 0) break;
  updateRows(w.a, w.n, k0, w.ctrl[2]!, { u: w.u, d: w.d }, w.ctrl[3]!, w.ctrl[4]!);
  Atomics.store(w.ctrl, 5, seen);
  Atomics.notify(w.ctrl, 5);
}
