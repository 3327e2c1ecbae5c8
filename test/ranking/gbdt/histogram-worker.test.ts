/**
 * The histogram worker's request protocol (treelearner/histogram-worker.ts, driven by SerialTreeLearner with
 * num_threads=2): a request is a new generation in control word 0; the worker takes each generation once.
 *
 * The tests play the tree learner's side with an exact interleaving, no timing involved: the request is
 * published before the worker has started (so the worker takes it without being woken), and the notify
 * that goes with it is delivered only after the worker has reported the request done and gone back to
 * sleep. That is what happens when the main thread is descheduled between its Atomics.store and its
 * Atomics.notify while the worker is still awake from the previous request; a worker that took the late
 * wake-up as a request rebuilt the histograms the main thread was already reading (a 2-thread model that
 * differs from the 1-thread one, with nonsense split gains).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import {
  buildHistograms,
  gatherGradients,
  HistogramScratch,
} from '../../../src/ranking/gbdt/treelearner/histogram.js';
import type { HistogramWorkerData } from '../../../src/ranking/gbdt/treelearner/histogram-worker.js';
import { until, wakeOnce } from './worker-sync.js';

const workerUrl = new URL('../../../src/ranking/gbdt/treelearner/histogram-worker.js', import.meta.url);

test('histogram worker: a late notify (no new generation) does not make it redo a request it already reported done', async () => {
  // 3 features (8-bit, 8 and 5 bins; 16-bit, 300 bins), 5000 rows, 2 histogram slots.
  const n = 5000;
  const numBins = [8, 5, 300];
  const binOffsets = Int32Array.from([0, 8, 13, 313]);
  const bins = numBins.map((nb, f) => {
    const wide = nb > 256;
    const col = wide
      ? new Uint16Array(new SharedArrayBuffer(2 * n))
      : new Uint8Array(new SharedArrayBuffer(n));
    for (let r = 0; r < n; r++) col[r] = (r * (7 + 2 * f) + ((r >> 3) % 5)) % nb;
    return col;
  });
  const totalBins = binOffsets[3]!;
  const hists = [0, 1].map(() => new Float64Array(new SharedArrayBuffer(16 * totalBins)));
  const indices = new Int32Array(new SharedArrayBuffer(4 * n));
  const ordered = new Float64Array(new SharedArrayBuffer(16 * n));
  const gh = new Float64Array(new SharedArrayBuffer(16 * n));
  for (let r = 0; r < n; r++) {
    indices[r] = (r * 37) % n;
    gh[2 * r] = Math.sin(r) * 0.37;
    gh[2 * r + 1] = 0.25 + (r % 7) / 11;
  }
  const ctl = new Int32Array(new SharedArrayBuffer(4 * (8 + numBins.length)));
  const data: HistogramWorkerData = {
    bins: bins.map((b) => ({ buffer: b.buffer as SharedArrayBuffer, wide: b instanceof Uint16Array })),
    binOffsets,
    hists: hists.map((h) => h.buffer as SharedArrayBuffer),
    indices: indices.buffer as SharedArrayBuffer,
    ordered: ordered.buffer as SharedArrayBuffer,
    gh: gh.buffer as SharedArrayBuffer,
    control: ctl.buffer as SharedArrayBuffer,
  };
  const feats = Int32Array.from([0, 1, 2]);
  /** What one thread builds for the request (slot contents of features 0..2). */
  const expected = (rows: Int32Array | null, begin: number, end: number) => {
    const h = new Float64Array(2 * totalBins);
    buildHistograms(feats, 3, bins, binOffsets, rows, begin, end, gh, ordered, h, new HistogramScratch());
    return h;
  };
  const request = (gen: number, slot: number, rows: Int32Array | null, begin: number, end: number) => {
    ctl[3] = slot;
    ctl[4] = begin;
    ctl[5] = end;
    ctl[6] = rows === null ? 1 : 0;
    ctl[7] = 3;
    ctl.set(feats, 8);
    Atomics.store(ctl, 0, gen);
  };

  // Request 1 (all rows, slot 0) is published before the worker exists, and not notified.
  request(1, 0, null, 0, n);
  const worker = new Worker(workerUrl, { workerData: data });
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`histogram worker exited early (code ${code})`)));
  });
  failed.catch(() => {});
  try {
    await until(ctl, 1, 1, failed);
    assert.deepEqual(hists[0], expected(null, 0, n), 'request 1 as one thread builds it');

    // The main thread now owns slot 0 (here: marks it), and the notify of request 1 arrives late.
    hists[0]!.fill(-1);
    Atomics.store(ctl, 1, 0);
    await wakeOnce(ctl, 0, failed);
    // Once the worker is asleep again it has finished whatever that wake-up made it do.
    await wakeOnce(ctl, 0, failed);
    assert.equal(Atomics.load(ctl, 1), 0, 'the worker reported request 1 done a second time');
    assert.ok(
      hists[0]!.every((v) => v === -1),
      'the worker wrote into the histogram slot after it had reported the request done',
    );

    // The next real request (a leaf's rows 1000..3500, ordered gradients, slot 1) is served normally.
    gatherGradients(gh, indices, 1000, 3500, ordered);
    request(2, 1, indices, 1000, 3500);
    Atomics.notify(ctl, 0);
    await until(ctl, 1, 2, failed);
    assert.deepEqual(hists[1], expected(indices, 1000, 3500), 'request 2 as one thread builds it');
    assert.ok(
      hists[0]!.every((v) => v === -1),
      'request 2 went to its own slot',
    );
  } finally {
    Atomics.store(ctl, 2, 1);
    Atomics.store(ctl, 0, Atomics.load(ctl, 0) + 1);
    Atomics.notify(ctl, 0);
    await worker.terminate();
  }
});
