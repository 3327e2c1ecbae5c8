/**
 * The blocked sweep inversion of ./dense.ts on two threads: per pivot block, this thread prepares the
 * block, then both threads apply its update to their rows of the upper triangle (split so each gets half
 * the entries), then this thread finishes the block. `a` must live in a SharedArrayBuffer
 * (`sharedFloat64`). Synchronised with Atomics; the call stays synchronous.
 */
import { Worker } from 'node:worker_threads';
import { RecoError } from '../errors.js';
import { finishBlock, negateAndMirror, prepareBlock, updateRows } from './dense.js';
import type { DenseWorkerData } from './dense-worker.js';
import { WORKER_START_MS, waitReady } from './threads.js';

export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * 8));
}

/** The row r where rows [0, r) of an upper triangle hold half its entries. */
export function triangleSplit(n: number): number {
  const half = (n * (n + 1)) / 4;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += n - i;
    if (sum >= half) return i + 1;
  }
  return n;
}

export function invertSpdInPlaceParallel(a: Float64Array, n: number, block = 8): void {
  if (!(a.buffer instanceof SharedArrayBuffer))
    throw new RecoError('invertSpdInPlaceParallel: a must be shared');
  const ctx = { u: sharedFloat64(block * n), d: sharedFloat64(block) };
  const ctrl = new Int32Array(new SharedArrayBuffer(7 * 4));
  const data: DenseWorkerData = { ctrl, a, n, u: ctx.u, d: ctx.d };
  const worker = new Worker(new URL('./dense-worker.js', import.meta.url), { workerData: data });
  worker.unref();
  // A worker that does not start in time leaves all rows to this thread.
  const split = waitReady(ctrl, 6, WORKER_START_MS) ? triangleSplit(n) : n;
  let gen = 0;
  try {
    for (let k0 = 0; k0 < n; k0 += block) {
      const kb = Math.min(block, n - k0);
      prepareBlock(a, n, k0, kb, ctx);
      if (split === n) {
        updateRows(a, n, k0, kb, ctx, 0, n);
        finishBlock(a, n, k0, kb, ctx);
        continue;
      }
      ctrl[1] = k0;
      ctrl[2] = kb;
      ctrl[3] = split;
      ctrl[4] = n;
      Atomics.store(ctrl, 0, ++gen);
      Atomics.notify(ctrl, 0);
      updateRows(a, n, k0, kb, ctx, 0, split);
      for (;;) {
        const done = Atomics.load(ctrl, 5);
        if (done === gen) break;
        if (Atomics.wait(ctrl, 5, done, 120_000) === 'timed-out')
          throw new RecoError('ease: the worker thread did not answer within 2 minutes (set threads = 1)');
      }
      finishBlock(a, n, k0, kb, ctx);
    }
  } finally {
    ctrl[1] = -1;
    Atomics.store(ctrl, 0, ++gen);
    Atomics.notify(ctrl, 0);
    void worker.terminate();
  }
  negateAndMirror(a, n, 0, n);
}
