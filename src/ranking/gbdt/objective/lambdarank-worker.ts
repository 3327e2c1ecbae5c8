/**
 * Worker thread for ParallelLambdarank: computes the lambdarank gradients of a range of queries into shared
 * memory each time the main thread bumps the generation counter (Atomics wait/notify), then reports done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { nextRequest } from '../../../core/threads.js';
import { LambdarankObjective } from './lambdarank.js';

export interface LambdarankWorkerData {
  labels: Float32Array;
  bounds: Int32Array;
  labelGain: number[];
  sigmoid: number;
  truncation: number;
  norm: boolean;
  queryBegin: number;
  queryEnd: number;
  score: SharedArrayBuffer;
  gh: SharedArrayBuffer;
  /** [0]: generation requested, [1]: generation done, [2]: stop flag. */
  control: SharedArrayBuffer;
}

const d = workerData as LambdarankWorkerData;
const obj = new LambdarankObjective(d.labels, d.bounds, d.labelGain, d.sigmoid, d.truncation, d.norm);
const score = new Float64Array(d.score);
const gh = new Float64Array(d.gh);
const ctl = new Int32Array(d.control);
let gen = 0;
parentPort?.postMessage('ready');
for (;;) {
  // Only a new generation is a request: a notify can arrive after its request was taken and done.
  gen = nextRequest(ctl, 0, gen);
  if (Atomics.load(ctl, 2) !== 0) break;
  for (let q = d.queryBegin; q < d.queryEnd; q++) obj.queryGradients(q, score, gh);
  Atomics.store(ctl, 1, gen);
  Atomics.notify(ctl, 1);
}
