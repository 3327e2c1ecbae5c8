/**
 * LambdaRank for NDCG, as LightGBM's LambdarankNDCG (src/objective/rank_objective.hpp; Burges, "From
 * RankNet to LambdaRank to LambdaMART", 2010). Per query, documents are sorted by current score; every pair
 * with different labels where at least one is within the first lambdarank_truncation_level ranks gets
 * lambda = -sigmoid * |dNDCG| * sigma(-sigmoid * ds) (sigma from LightGBM's 2^20-entry table), with |dNDCG|
 * divided by (0.01 + |ds|) when lambdarank_norm is set, and hessian sigmoid^2 * |dNDCG| * p(1-p); with
 * norm, the query's lambdas and hessians are scaled by log2(1 + S) / S where S is the sum of |lambda|.
 */
import { discount } from '../../../core/ndcg.js';
import { checkRankLabels, maxDcgAtK, sortByScoreDesc } from '../metric/dcg.js';
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
  /** Per query, its documents' last rank order (local indices), reused as the next sort's start. */
  private readonly order: Int32Array;
  private readonly sortTmp: Int32Array;
  private readonly sortedLabel: Int32Array;
  private readonly sortedScore: Float64Array;
  private readonly sortedGain: Float64Array;
  private readonly discounts: Float64Array;
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
    this.order = new Int32Array(labels.length);
    for (let q = 0; q < nq; q++)
      for (let i = bounds[q]!; i < bounds[q + 1]!; i++) this.order[i] = i - bounds[q]!;
    this.sortTmp = new Int32Array(maxCnt);
    this.sortedLabel = new Int32Array(maxCnt);
    this.sortedScore = new Float64Array(maxCnt);
    this.sortedGain = new Float64Array(maxCnt);
    this.discounts = new Float64Array(maxCnt);
    for (let k = 0; k < maxCnt; k++) this.discounts[k] = discount(k);
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

  /**
   * The query's documents by score descending, ties by position (std::stable_sort's order). Scores move
   * little between iterations, so the previous order is re-sorted by insertion (a handful of moves); when
   * that turns out to need many moves, a merge sort starts afresh. Both give the one order that sorts by
   * (score descending, position ascending).
   */
  private rankOrder(score: Float64Array, begin: number, cnt: number): Int32Array {
    const idx = this.order.subarray(begin, begin + cnt);
    const limit = 8 * cnt;
    let moves = 0;
    for (let k = 1; k < cnt; k++) {
      const v = idx[k]!;
      const sv = score[begin + v]!;
      let j = k - 1;
      for (; j >= 0; j--) {
        const u = idx[j]!;
        const su = score[begin + u]!;
        if (su > sv || (su === sv && u < v)) break;
        idx[j + 1] = u;
      }
      idx[j + 1] = v;
      moves += k - 1 - j;
      if (moves > limit) {
        sortByScoreDesc(score, begin, cnt, this.sorted, this.sortTmp);
        idx.set(this.sorted.subarray(0, cnt));
        break;
      }
    }
    return idx;
  }

  /**
   * Gradients of the rows of query q (GetGradientsForOneQuery). Works on the documents in score order
   * (labels, scores, gains and lambdas indexed by rank) and scatters back at the end; the float32
   * accumulation order per document is LightGBM's.
   */
  queryGradients(q: number, score: Float64Array, gh: Float64Array): void {
    const begin = this.bounds[q]!;
    const cnt = this.bounds[q + 1]! - begin;
    if (cnt === 0) return;
    const invMax = this.inverseMaxDcg[q]!;
    const lam = this.lambdas;
    const hes = this.hessians;
    const sl = this.sortedLabel;
    const ss = this.sortedScore;
    const sg = this.sortedGain;
    const disc = this.discounts;
    const table = this.table;
    const minIn = this.minInput;
    const maxIn = this.maxInput;
    const factor = this.idxFactor;
    const sig = this.sigmoid;
    const sig2 = sig * sig;
    const lastBin = SIGMOID_BINS - 1;
    const idx = this.rankOrder(score, begin, cnt);
    for (let k = 0; k < cnt; k++) {
      const r = begin + idx[k]!;
      const y = this.labels[r]!;
      sl[k] = y;
      ss[k] = score[r]!;
      sg[k] = this.gain[y]!;
      lam[k] = 0;
      hes[k] = 0;
    }
    const normByDistance = this.norm && ss[0]! !== ss[cnt - 1]!;
    const c001 = Math.fround(0.01);
    let sumLambdas = 0;
    const top = Math.min(cnt - 1, this.truncation);
    for (let i = 0; i < top; i++) {
      const li = sl[i]!;
      const si = ss[i]!;
      const gi = sg[i]!;
      const di = disc[i]!;
      // Document i's sums stay in registers, rounded to float32 at each step as LightGBM's score_t are
      // (the same values, without a store and reload per pair).
      let lamI = lam[i]!;
      let hesI = hes[i]!;
      for (let j = i + 1; j < cnt; j++) {
        const lj = sl[j]!;
        if (li === lj) continue;
        const iHigh = li > lj;
        let deltaScore: number;
        let dcgGap: number;
        if (iHigh) {
          deltaScore = si - ss[j]!;
          dcgGap = gi - sg[j]!;
        } else {
          deltaScore = ss[j]! - si;
          dcgGap = sg[j]! - gi;
        }
        // |discount(i) - discount(j)| with i < j
        let dNdcg = dcgGap * (di - disc[j]!) * invMax;
        if (normByDistance) dNdcg /= c001 + Math.abs(deltaScore);
        let p: number;
        if (deltaScore <= minIn) p = table[0]!;
        else if (deltaScore >= maxIn) p = table[lastBin]!;
        else p = table[((deltaScore - minIn) * factor) | 0]!;
        const pHess = p * (1 - p) * (sig2 * dNdcg);
        const pLambda = p * (-sig * dNdcg);
        const fl = Math.fround(pLambda);
        const fh = Math.fround(pHess);
        // lambdas[low] -= p_lambda; lambdas[high] += p_lambda; both hessians += p_hessian
        if (iHigh) {
          lamI = Math.fround(lamI + fl);
          lam[j] -= fl;
        } else {
          lamI = Math.fround(lamI - fl);
          lam[j] += fl;
        }
        hesI = Math.fround(hesI + fh);
        hes[j] += fh;
        sumLambdas -= 2 * pLambda;
      }
      lam[i] = lamI;
      hes[i] = hesI;
    }
    if (this.norm && sumLambdas > 0) {
      const nf = Math.log2(1 + sumLambdas) / sumLambdas;
      for (let k = 0; k < cnt; k++) {
        const r = 2 * (begin + idx[k]!);
        gh[r] = Math.fround(lam[k]! * nf);
        gh[r + 1] = Math.fround(hes[k]! * nf);
      }
    } else {
      for (let k = 0; k < cnt; k++) {
        const r = 2 * (begin + idx[k]!);
        gh[r] = lam[k]!;
        gh[r + 1] = hes[k]!;
      }
    }
  }
}
