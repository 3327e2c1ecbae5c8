/**
 * The second thread of an ALS fit (./als.ts): solves its share of rows in place in shared memory.
 * Protocol on the shared Int32Array `ctrl`: [0] generation (bumped by the main thread per job),
 * [1] side (0 = users, 1 = items, -1 = exit), [2] start row, [3] end row, [4] last generation done,
 * [5] 1 once the worker runs.
 */
import { workerData } from 'node:worker_threads';
import { nextRequest } from '../core/threads.js';
import { type SideArrays, type SolveSettings, scratch, solveRows } from './als-solve.js';

export interface AlsWorkerData {
  ctrl: Int32Array;
  sides: [SideArrays, SideArrays];
  /** Factors written per side: users (side 0), items (side 1). */
  outs: [Float32Array, Float32Array];
  /** The other side's factors as doubles, and G = other^T other + reg I, filled by the main thread per job. */
  other: Float64Array;
  G: Float64Array;
  settings: SolveSettings;
}

const d = workerData as AlsWorkerData;
const s = scratch(d.settings.k);
let seen = 0;
Atomics.store(d.ctrl, 5, 1);
Atomics.notify(d.ctrl, 5);
for (;;) {
  // each generation once (see nextRequest: a late notify is no new request)
  seen = nextRequest(d.ctrl, 0, seen);
  const side = d.ctrl[1]!;
  if (side < 0) break;
  solveRows(d.sides[side]!, d.ctrl[2]!, d.ctrl[3]!, d.G, d.other, d.outs[side]!, d.settings, s);
  Atomics.store(d.ctrl, 4, seen);
  Atomics.notify(d.ctrl, 4);
}
