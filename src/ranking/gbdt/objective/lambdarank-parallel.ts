/**
 * LambdaRank gradients on two threads: queries are independent, so a worker thread takes the later
 * queries (split so that both halves have about the same number of document pairs) and writes into the
 * same shared score/gradient buffers; the main thread does the first half and waits for the worker with
 * Atomics. Results are identical to the single-threaded objective.
 */
import { Worker } from 'node:worker_threads';
import { LambdarankObjective } from './lambdarank.js';
import type { LambdarankWorkerData } from './lambdarank-worker.js';
import type { Objective } from './objective.js';

export class ParallelLambdarank implements Objective {
  readonly modelString = 'lambdarank';
  private readonly main: LambdarankObjective;
  private readonly worker: Worker;
  private readonly ctl: Int32Array;
  private readonly mid: number;
  private gen = 0;
  private ready: Promise<void>;

  /** `score` and `gh` must be views of SharedArrayBuffers; they are the ones getGradients receives. */
  constructor(
    labels: Float32Array,
    bounds: Int32Array,
    labelGain: number[],
    sigmoid: number,
    truncation: number,
    norm: boolean,
    score: Float64Array,
    gh: Float64Array,
  ) {
    this.main = new LambdarankObjective(labels, bounds, labelGain, sigmoid, truncation, norm);
    const nq = bounds.length - 1;
    // Balance the pair work: about cnt * min(cnt, truncation) per query.
    let total = 0;
    const work = new Float64Array(nq);
    for (let q = 0; q < nq; q++) {
      const c = bounds[q + 1]! - bounds[q]!;
      work[q] = c * Math.min(c, truncation) + c;
      total += work[q]!;
    }
    let acc = 0;
    let mid = 0;
    while (mid < nq && acc + work[mid]! <= total / 2) acc += work[mid++]!;
    this.mid = mid;
    const control = new SharedArrayBuffer(12);
    this.ctl = new Int32Array(control);
    const data: LambdarankWorkerData = {
      labels,
      bounds,
      labelGain,
      sigmoid,
      truncation,
      norm,
      queryBegin: mid,
      queryEnd: nq,
      score: score.buffer as SharedArrayBuffer,
      gh: gh.buffer as SharedArrayBuffer,
      control,
    };
    this.worker = new Worker(new URL('./lambdarank-worker.js', import.meta.url), { workerData: data });
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', () => resolve());
      this.worker.once('error', reject);
    });
  }

  /** Resolves once the worker has built its tables. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  boostFromScore(): number {
    return 0;
  }

  getGradients(score: Float64Array, gh: Float64Array): void {
    this.gen++;
    Atomics.store(this.ctl, 0, this.gen);
    Atomics.notify(this.ctl, 0);
    for (let q = 0; q < this.mid; q++) this.main.queryGradients(q, score, gh);
    while (Atomics.load(this.ctl, 1) !== this.gen) Atomics.wait(this.ctl, 1, Atomics.load(this.ctl, 1), 1000);
  }

  /** Stops the worker. */
  close(): void {
    Atomics.store(this.ctl, 2, 1);
    Atomics.store(this.ctl, 0, this.gen + 1);
    Atomics.notify(this.ctl, 0);
    void this.worker.terminate();
  }
}
