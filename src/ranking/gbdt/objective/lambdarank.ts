/**
 * LambdaRank for NDCG, as LightGBM's LambdarankNDCG (src/objective/rank_objective.hpp; Burges, "From
 * RankNet to LambdaRank to LambdaMART", 2010). Per query, documents are sorted by current score; every pair
 * with different labels where at least one is within the first lambdarank_truncation_level ranks gets
 * lambda = -sigmoid * |dNDCG| * sigma(-sigmoid * ds) (sigma from LightGBM's 2^20-entry table), with |dNDCG|
 * divided by (0.01 + |ds|) when lambdarank_norm is set, and hessian sigmoid^2 * |dNDCG| * p(1-p); with
 * norm, the query's lambdas and hessians are scaled by log2(1 + S) / S where S is the sum of |lambda|.
 */
import { checkRankLabels, discount, maxDcgAtK } from '../metric/dcg.js';
import type { Objective } from './objective.js';

const SIGMOID_BINS = 1024 * 1024;

export class LambdarankObjective implements Objective {
  readonly modelString = 'lambdarank';
  private readonly inverseMaxDcg: Float64Array;
  private readonly table = new Float64Array(SIGMOID_BINS);
  private readonly minInput: number;
  private readonly maxInput: number;
  private readonly idxFactor: number;
  private readonly lambdas: Float32Array;
  private readonly hessians: Float32Array;
  private readonly sorted: Int32Array;
  private readonly gain: Float64Array;

  constructor(
    private readonly labels: Float32Array,
    private readonly bounds: Int32Array,
    labelGain: number[],
    private readonly sigmoid: number,
    private readonly truncation: number,
    private readonly norm: boolean,
  ) {
    checkRankLabels(labels, labelGain, 'training data');
    this.gain = Float64Array.from(labelGain);
    const nq = bounds.length - 1;
    this.inverseMaxDcg = new Float64Array(nq);
    let maxCnt = 0;
    for (let q = 0; q < nq; q++) {
      const m = maxDcgAtK(truncation, labels, bounds[q]!, bounds[q + 1]!, labelGain);
      this.inverseMaxDcg[q] = m > 0 ? 1 / m : m;
      maxCnt = Math.max(maxCnt, bounds[q + 1]! - bounds[q]!);
    }
    this.lambdas = new Float32Array(maxCnt);
    this.hessians = new Float32Array(maxCnt);
    this.sorted = new Int32Array(maxCnt);
    this.minInput = -50 / sigmoid / 2;
    this.maxInput = -this.minInput;
    this.idxFactor = SIGMOID_BINS / (this.maxInput - this.minInput);
    for (let i = 0; i < SIGMOID_BINS; i++) {
      const s = i / this.idxFactor + this.minInput;
      this.table[i] = 1 / (1 + Math.exp(s * sigmoid));
    }
  }

  boostFromScore(): number {
    return 0;
  }

  getGradients(score: Float64Array, gh: Float64Array): void {
    const nq = this.bounds.length - 1;
    for (let q = 0; q < nq; q++) this.queryGradients(q, score, gh);
  }

  /** Gradients of the rows of query q (GetGradientsForOneQuery). */
  queryGradients(q: number, score: Float64Array, gh: Float64Array): void {
    const begin = this.bounds[q]!;
    const cnt = this.bounds[q + 1]! - begin;
    if (cnt === 0) return;
    const invMax = this.inverseMaxDcg[q]!;
    const lam = this.lambdas;
    const hes = this.hessians;
    const labels = this.labels;
    const gain = this.gain;
    const table = this.table;
    const minIn = this.minInput;
    const maxIn = this.maxInput;
    const factor = this.idxFactor;
    const sig = this.sigmoid;
    lam.fill(0, 0, cnt);
    hes.fill(0, 0, cnt);
    // Stable sort by score descending.
    const idx = this.sorted.subarray(0, cnt);
    for (let i = 0; i < cnt; i++) idx[i] = i;
    idx.sort((a, b) => {
      const sa = score[begin + a]!;
      const sb = score[begin + b]!;
      return sa > sb ? -1 : sa < sb ? 1 : a - b;
    });
    const best = score[begin + idx[0]!]!;
    const worst = score[begin + idx[cnt - 1]!]!;
    const normByDistance = this.norm && best !== worst;
    const c001 = Math.fround(0.01);
    let sumLambdas = 0;
    const top = Math.min(cnt - 1, this.truncation);
    for (let i = 0; i < top; i++) {
      const di = idx[i]!;
      const li = labels[begin + di]!;
      const si = score[begin + di]!;
      const disci = discount(i);
      for (let j = i + 1; j < cnt; j++) {
        const dj = idx[j]!;
        const lj = labels[begin + dj]!;
        if (li === lj) continue;
        let high: number;
        let low: number;
        let highScore: number;
        let lowScore: number;
        let dcgGap: number;
        if (li > lj) {
          high = di;
          low = dj;
          highScore = si;
          lowScore = score[begin + dj]!;
          dcgGap = gain[li]! - gain[lj]!;
        } else {
          high = dj;
          low = di;
          highScore = score[begin + dj]!;
          lowScore = si;
          dcgGap = gain[lj]! - gain[li]!;
        }
        const deltaScore = highScore - lowScore;
        let dNdcg = dcgGap * Math.abs(disci - discount(j)) * invMax;
        if (normByDistance) dNdcg /= c001 + Math.abs(deltaScore);
        let p: number;
        if (deltaScore <= minIn) p = table[0]!;
        else if (deltaScore >= maxIn) p = table[SIGMOID_BINS - 1]!;
        else p = table[((deltaScore - minIn) * factor) | 0]!;
        let pHess = p * (1 - p);
        const pLambda = p * (-sig * dNdcg);
        pHess *= sig * sig * dNdcg;
        lam[low] -= Math.fround(pLambda);
        hes[low] += Math.fround(pHess);
        lam[high] += Math.fround(pLambda);
        hes[high] += Math.fround(pHess);
        sumLambdas -= 2 * pLambda;
      }
    }
    if (this.norm && sumLambdas > 0) {
      const nf = Math.log2(1 + sumLambdas) / sumLambdas;
      for (let i = 0; i < cnt; i++) {
        gh[2 * (begin + i)] = Math.fround(lam[i]! * nf);
        gh[2 * (begin + i) + 1] = Math.fround(hes[i]! * nf);
      }
    } else {
      for (let i = 0; i < cnt; i++) {
        gh[2 * (begin + i)] = lam[i]!;
        gh[2 * (begin + i) + 1] = hes[i]!;
      }
    }
  }
}
