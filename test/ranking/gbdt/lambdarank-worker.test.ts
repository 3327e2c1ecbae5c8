/**
 * The lambdarank worker's request protocol (objective/lambdarank-worker.ts, driven by ParallelLambdarank
 * with num_threads=2) under the interleaving of ./histogram-worker.test.ts: the request is published before
 * the worker starts and its notify is delivered after the worker has reported it done and sleeps. A worker
 * that took that wake-up as a request recomputed its queries' gradients into the shared buffer while the
 * main thread was already reading them (and, once the scores move, from half-updated scores).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { LambdarankObjective } from '../../../src/ranking/gbdt/objective/lambdarank.js';
import type { LambdarankWorkerData } from '../../../src/ranking/gbdt/objective/lambdarank-worker.js';
import { until, wakeOnce } from './worker-sync.js';

const workerUrl = new URL('../../../src/ranking/gbdt/objective/lambdarank-worker.js', import.meta.url);

test('lambdarank worker: a late notify (no new generation) does not make it redo a request it already reported done', async () => {
  const nq = 40;
  const sizes = Array.from({ length: nq }, (_, q) => 3 + ((q * 7) % 18));
  const bounds = new Int32Array(nq + 1);
  for (let q = 0; q < nq; q++) bounds[q + 1] = bounds[q]! + sizes[q]!;
  const n = bounds[nq]!;
  const labels = Float32Array.from({ length: n }, (_, i) => (i * 5 + (i >> 2)) % 5);
  const labelGain = [0, 1, 3, 7, 15];
  const score = new Float64Array(new SharedArrayBuffer(8 * n));
  for (let i = 0; i < n; i++) score[i] = Math.sin(i * 1.7) * 0.8;
  const gh = new Float64Array(new SharedArrayBuffer(16 * n));
  const ctl = new Int32Array(new SharedArrayBuffer(12));
  const mid = 20;
  const data: LambdarankWorkerData = {
    labels,
    bounds,
    labelGain,
    sigmoid: 1,
    truncation: 10,
    norm: true,
    queryBegin: mid,
    queryEnd: nq,
    score: score.buffer as SharedArrayBuffer,
    gh: gh.buffer as SharedArrayBuffer,
    control: ctl.buffer as SharedArrayBuffer,
  };
  const expected = new Float64Array(2 * n);
  const one = new LambdarankObjective(labels, bounds, labelGain, 1, 10, true);
  for (let q = mid; q < nq; q++) one.queryGradients(q, score, expected);
  const workerRows = gh.subarray(2 * bounds[mid]!);

  // Request 1 is published before the worker exists, and not notified.
  Atomics.store(ctl, 0, 1);
  const worker = new Worker(workerUrl, { workerData: data });
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`lambdarank worker exited early (code ${code})`)));
  });
  failed.catch(() => {});
  try {
    await until(ctl, 1, 1, failed);
    assert.deepEqual(gh, expected, 'request 1 as one thread computes it');

    // The main thread now owns the gradients (here: marks them), and the notify of request 1 arrives late.
    workerRows.fill(-1);
    Atomics.store(ctl, 1, 0);
    await wakeOnce(ctl, 0, failed);
    // Once the worker is asleep again it has finished whatever that wake-up made it do.
    await wakeOnce(ctl, 0, failed);
    assert.equal(Atomics.load(ctl, 1), 0, 'the worker reported request 1 done a second time');
    assert.ok(
      workerRows.every((v) => v === -1),
      'the worker wrote gradients after it had reported the request done',
    );

    // The next real request is served normally.
    Atomics.store(ctl, 0, 2);
    Atomics.notify(ctl, 0);
    await until(ctl, 1, 2, failed);
    assert.deepEqual(gh, expected, 'request 2 as one thread computes it');
  } finally {
    Atomics.store(ctl, 2, 1);
    Atomics.store(ctl, 0, Atomics.load(ctl, 0) + 1);
    Atomics.notify(ctl, 0);
    await worker.terminate();
  }
});
