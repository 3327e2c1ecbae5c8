/**
 * Worker thread for two-thread histogram construction: on each request (Atomics generation counter) it
 * builds the histograms of the features it is given for one leaf, into the shared histogram slot, and
 * reports done. All arrays are views of SharedArrayBuffers owned by the main thread's tree learner.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { nextRequest } from '../../../core/threads.js';
import type { BinColumn } from '../io/dataset.js';
import { buildHistograms, HistogramScratch } from './histogram.js';

export interface HistogramWorkerData {
  bins: { buffer: SharedArrayBuffer; wide: boolean }[];
  binOffsets: Int32Array;
  hists: SharedArrayBuffer[];
  indices: SharedArrayBuffer;
  ordered: SharedArrayBuffer;
  gh: SharedArrayBuffer;
  /** [0] generation requested, [1] done, [2] stop, [3] slot, [4] begin, [5] end, [6] all rows, [7] count, [8..] features. */
  control: SharedArrayBuffer;
}

const d = workerData as HistogramWorkerData;
const bins: BinColumn[] = d.bins.map((b) => (b.wide ? new Uint16Array(b.buffer) : new Uint8Array(b.buffer)));
const hists = d.hists.map((h) => new Float64Array(h));
const indices = new Int32Array(d.indices);
const ordered = new Float64Array(d.ordered);
const gh = new Float64Array(d.gh);
const ctl = new Int32Array(d.control);
const feats = ctl.subarray(8);
const scratch = new HistogramScratch();
let gen = 0;
parentPort?.postMessage('ready');
for (;;) {
  // Only a new generation is a request: a notify can arrive after its request was taken and done.
  gen = nextRequest(ctl, 0, gen);
  if (Atomics.load(ctl, 2) !== 0) break;
  const rows = ctl[6] === 1 ? null : indices;
  buildHistograms(
    feats,
    ctl[7]!,
    bins,
    d.binOffsets,
    rows,
    ctl[4]!,
    ctl[5]!,
    gh,
    ordered,
    hists[ctl[3]!]!,
    scratch,
  );
  Atomics.store(ctl, 1, gen);
  Atomics.notify(ctl, 1);
}
