/**
 * Leaf-wise tree growth, as LightGBM's SerialTreeLearner (src/treelearner/serial_tree_learner.cpp):
 * repeatedly split the leaf with the largest gain until num_leaves (or max_depth, or no positive gain);
 * for the two children of a split, build the histogram of the smaller one from its rows and get the
 * larger one by subtracting it from the parent's (LightGBM's histogram subtraction trick). A feature
 * that could not split a leaf is not tried on its children (is_splittable).
 */
import { Worker } from 'node:worker_threads';
import type { BinnedDataset } from '../io/dataset.js';
import {
  DECISION_CATEGORICAL_MASK,
  DECISION_DEFAULT_LEFT_MASK,
  MISSING_NAN,
  MISSING_ZERO,
  type Tree,
} from '../model.js';
import { DataPartition } from './data-partition.js';
import {
  buildHistograms,
  fixHistogram,
  gatherGradients,
  HistogramScratch,
  subtractHistogram,
} from './histogram.js';
import type { HistogramWorkerData } from './histogram-worker.js';
import {
  type FeatureMeta,
  findBestThresholdCategorical,
  findBestThresholdNumerical,
  type SplitConfig,
  SplitInfo,
} from './split.js';

export interface LearnerConfig extends SplitConfig {
  numLeaves: number;
  maxDepth: number;
  /** 2: a worker thread builds half of each histogram (needs shared bins and gradients). */
  numThreads?: number;
}

/** Below this many (row, feature) histogram updates a leaf is built on one thread: waking the worker costs more. */
const PARALLEL_MIN_WORK = 400_000;

/** A trained tree plus what is needed to route binned rows through it (validation scores, out-of-bag). */
export interface BinnedTree {
  tree: Tree;
  /** Inner feature of each internal node. */
  splitInner: Int32Array;
  thresholdBin: Int32Array;
  /** Categorical nodes: 1 for the bins that go left (null for numerical nodes). */
  catLeft: (Uint8Array | null)[];
}

export class SerialTreeLearner {
  readonly partition: DataPartition;
  private readonly metas: FeatureMeta[];
  private readonly hists: Float64Array[];
  /** Per histogram slot, per inner feature: could the feature split the leaf that slot belongs to. */
  private readonly splittable: Uint8Array[];
  /** Histogram slot of each leaf. */
  private readonly slotOf: Int32Array;
  private readonly ordered: Float64Array;
  private readonly best: SplitInfo[];
  private readonly cand = new SplitInfo();
  private readonly leafSumG: Float64Array;
  private readonly leafSumH: Float64Array;
  private readonly leafDepth: Int32Array;
  private readonly featList: Int32Array;
  private readonly scratch = new HistogramScratch();

  private worker: Worker | null = null;
  private ctl: Int32Array | null = null;
  private gen = 0;

  constructor(
    private readonly ds: BinnedDataset,
    private readonly cfg: LearnerConfig,
    /** The gradient buffer train() will be given, when a worker thread shares it (a SharedArrayBuffer view). */
    sharedGh?: Float64Array,
  ) {
    const L = cfg.numLeaves;
    const parallel = (cfg.numThreads ?? 1) >= 2 && ds.shared && sharedGh !== undefined;
    const f64 = (len: number) =>
      new Float64Array(parallel ? new SharedArrayBuffer(8 * len) : new ArrayBuffer(8 * len));
    this.partition = new DataPartition(ds.numRows, L, parallel);
    this.metas = [];
    for (let f = 0; f < ds.numFeatures; f++) {
      const m = ds.mappers[ds.realFeature[f]!]!;
      this.metas.push({
        numBin: m.numBin,
        offset: m.mostFreqBin === 0 ? 1 : 0,
        mostFreqBin: m.mostFreqBin,
        missingType: m.missingType,
        defaultBin: m.defaultBin,
        categorical: m.categorical,
      });
    }
    this.hists = [];
    this.splittable = [];
    for (let i = 0; i < L; i++) {
      this.hists.push(f64(ds.totalBins * 2));
      this.splittable.push(new Uint8Array(ds.numFeatures));
    }
    this.slotOf = new Int32Array(L);
    this.ordered = f64(ds.numRows * 2);
    this.best = Array.from({ length: L }, () => new SplitInfo());
    this.leafSumG = new Float64Array(L);
    this.leafSumH = new Float64Array(L);
    this.leafDepth = new Int32Array(L);
    this.featList = new Int32Array(ds.numFeatures);
    if (parallel) this.startWorker(sharedGh);
  }

  /**
   * Grows one tree on gradients/hessians `gh` (interleaved, one pair per row) over the rows in `bag`
   * (all rows when null), using the inner features flagged in `featureUsed`. Leaf values are raw
   * (before shrinkage).
   */
  train(gh: Float64Array, bag: Int32Array | null, bagCount: number, featureUsed: Uint8Array): BinnedTree {
    const ds = this.ds;
    const cfg = this.cfg;
    const L = cfg.numLeaves;
    const part = this.partition;
    const n = bag === null ? ds.numRows : bagCount;
    part.init(ds.numRows, bag, bagCount);
    for (let i = 0; i < L; i++) {
      this.slotOf[i] = i;
      this.best[i]!.reset();
    }
    this.leafDepth.fill(0);
    const bt = newTree(L);
    const t = bt.tree;

    // Root sums (LeafSplits::Init).
    let sg = 0;
    let sh = 0;
    if (bag === null) {
      for (let i = 0; i < n; i++) {
        sg += gh[2 * i]!;
        sh += gh[2 * i + 1]!;
      }
    } else {
      for (let i = 0; i < n; i++) {
        sg += gh[2 * bag[i]!]!;
        sh += gh[2 * bag[i]! + 1]!;
      }
    }
    this.leafSumG[0] = sg;
    this.leafSumH[0] = sh;
    const leafParent = new Int32Array(L).fill(-1);

    let leftLeaf = 0;
    let rightLeaf = -1;
    let smaller = 0;
    let larger = -1;
    let numLeaves = 1;
    for (let s = 0; s < L - 1; s++) {
      if (this.beforeFindBestSplit(leftLeaf, rightLeaf)) {
        const useSubtract = rightLeaf >= 0;
        this.findBestSplits(
          gh,
          bag === null && smaller === 0 && larger < 0,
          smaller,
          larger,
          useSubtract,
          featureUsed,
        );
      }
      let bestLeaf = 0;
      for (let i = 1; i < numLeaves; i++) if (this.best[i]!.betterThan(this.best[bestLeaf]!)) bestLeaf = i;
      const info = this.best[bestLeaf]!;
      if (!(info.gain > 0)) break;

      // Split (SerialTreeLearner::SplitInner + Tree::Split).
      const f = info.feature;
      const meta = this.metas[f]!;
      const mapper = ds.mappers[ds.realFeature[f]!]!;
      const newLeaf = numLeaves;
      const node = numLeaves - 1;
      let leftCnt: number;
      if (info.catBins === null) {
        const missingBin = meta.missingType === MISSING_ZERO ? meta.defaultBin : meta.numBin - 1;
        leftCnt = part.splitNumerical(
          bestLeaf,
          newLeaf,
          ds.bins[f]!,
          info.threshold,
          info.defaultLeft,
          meta.missingType,
          missingBin,
        );
        bt.thresholdBin[node] = info.threshold;
        t.threshold[node] = mapper.binToValue(info.threshold);
        t.decisionType[node] = (info.defaultLeft ? DECISION_DEFAULT_LEFT_MASK : 0) | (meta.missingType << 2);
      } else {
        const left = new Uint8Array(meta.numBin);
        const cats: number[] = [];
        for (const b of info.catBins) {
          left[b] = 1;
          cats.push(mapper.bin2Category[b]!);
        }
        bt.catLeft[node] = left;
        leftCnt = part.splitCategorical(bestLeaf, newLeaf, ds.bins[f]!, left);
        t.threshold[node] = t.numCat;
        bt.thresholdBin[node] = t.numCat;
        t.numCat++;
        appendBitset(bt, cats);
        t.decisionType[node] = DECISION_CATEGORICAL_MASK | (meta.missingType << 2);
      }
      const rightCnt = part.leafCount[newLeaf]!;
      const parent = leafParent[bestLeaf]!;
      if (parent >= 0) {
        if (t.leftChild[parent] === ~bestLeaf) t.leftChild[parent] = node;
        else t.rightChild[parent] = node;
      }
      bt.splitInner[node] = f;
      t.splitFeature[node] = ds.realFeature[f]!;
      t.splitGain[node] = Math.fround(info.gain + cfg.minGainToSplit);
      t.leftChild[node] = ~bestLeaf;
      t.rightChild[node] = ~newLeaf;
      leafParent[bestLeaf] = node;
      leafParent[newLeaf] = node;
      t.internalWeight[node] = t.leafWeight[bestLeaf]!;
      t.internalValue[node] = t.leafValue[bestLeaf]!;
      t.internalCount[node] = leftCnt + rightCnt;
      t.leafValue[bestLeaf] = Number.isNaN(info.leftOutput) ? 0 : info.leftOutput;
      t.leafWeight[bestLeaf] = info.leftSumHessian;
      t.leafCount[bestLeaf] = leftCnt;
      t.leafValue[newLeaf] = Number.isNaN(info.rightOutput) ? 0 : info.rightOutput;
      t.leafWeight[newLeaf] = info.rightSumHessian;
      t.leafCount[newLeaf] = rightCnt;
      this.leafDepth[newLeaf] = this.leafDepth[bestLeaf]! + 1;
      this.leafDepth[bestLeaf]!++;
      this.leafSumG[bestLeaf] = info.leftSumGradient;
      this.leafSumH[bestLeaf] = info.leftSumHessian;
      this.leafSumG[newLeaf] = info.rightSumGradient;
      this.leafSumH[newLeaf] = info.rightSumHessian;
      numLeaves++;
      leftLeaf = bestLeaf;
      rightLeaf = newLeaf;
      if (leftCnt < rightCnt) {
        smaller = bestLeaf;
        larger = newLeaf;
      } else {
        smaller = newLeaf;
        larger = bestLeaf;
      }
    }
    t.numLeaves = numLeaves;
    if (numLeaves === 1) t.leafCount[0] = n;
    return trimTree(bt);
  }

  private startWorker(gh: Float64Array): void {
    const ds = this.ds;
    const control = new SharedArrayBuffer(4 * (8 + ds.numFeatures));
    this.ctl = new Int32Array(control);
    const data: HistogramWorkerData = {
      bins: ds.bins.map((b) => ({ buffer: b.buffer as SharedArrayBuffer, wide: b instanceof Uint16Array })),
      binOffsets: ds.binOffsets,
      hists: this.hists.map((h) => h.buffer as SharedArrayBuffer),
      indices: this.partition.indices.buffer as SharedArrayBuffer,
      ordered: this.ordered.buffer as SharedArrayBuffer,
      gh: gh.buffer as SharedArrayBuffer,
      control,
    };
    this.worker = new Worker(new URL('./histogram-worker.js', import.meta.url), { workerData: data });
    this.worker.unref();
  }

  /** Stops the worker thread, if any. */
  close(): void {
    if (!this.worker || !this.ctl) return;
    Atomics.store(this.ctl, 2, 1);
    Atomics.store(this.ctl, 0, ++this.gen);
    Atomics.notify(this.ctl, 0);
    void this.worker.terminate();
    this.worker = null;
  }

  /**
   * Histograms of feats[0..nf) for one leaf: with a worker, it takes the second half of the features
   * (in groups of four) while this thread builds the first half.
   */
  private histograms(
    feats: Int32Array,
    nf: number,
    rows: Int32Array | null,
    begin: number,
    end: number,
    gh: Float64Array,
    slot: number,
  ): void {
    const ds = this.ds;
    const hist = this.hists[slot]!;
    const ctl = this.ctl;
    if (ctl === null || (end - begin) * nf < PARALLEL_MIN_WORK) {
      buildHistograms(
        feats,
        nf,
        ds.bins,
        ds.binOffsets,
        rows,
        begin,
        end,
        gh,
        this.ordered,
        hist,
        this.scratch,
      );
      return;
    }
    const mine = Math.min(nf, Math.round(nf / 16) * 8);
    ctl[3] = slot;
    ctl[4] = begin;
    ctl[5] = end;
    ctl[6] = rows === null ? 1 : 0;
    ctl[7] = nf - mine;
    ctl.set(feats.subarray(mine, nf), 8);
    const gen = ++this.gen;
    Atomics.store(ctl, 0, gen);
    Atomics.notify(ctl, 0);
    buildHistograms(
      feats,
      mine,
      ds.bins,
      ds.binOffsets,
      rows,
      begin,
      end,
      gh,
      this.ordered,
      hist,
      this.scratch,
    );
    while (Atomics.load(ctl, 1) !== gen) Atomics.wait(ctl, 1, Atomics.load(ctl, 1), 1000);
  }

  /** Depth and size checks, and histogram slots for the two new leaves (BeforeFindBestSplit). */
  private beforeFindBestSplit(leftLeaf: number, rightLeaf: number): boolean {
    const cfg = this.cfg;
    const part = this.partition;
    if (cfg.maxDepth > 0 && this.leafDepth[leftLeaf]! >= cfg.maxDepth) {
      this.best[leftLeaf]!.reset();
      if (rightLeaf >= 0) this.best[rightLeaf]!.reset();
      return false;
    }
    const nl = part.leafCount[leftLeaf]!;
    const nr = rightLeaf >= 0 ? part.leafCount[rightLeaf]! : 0;
    if (nr < cfg.minDataInLeaf * 2 && nl < cfg.minDataInLeaf * 2) {
      this.best[leftLeaf]!.reset();
      if (rightLeaf >= 0) this.best[rightLeaf]!.reset();
      return false;
    }
    if (rightLeaf >= 0 && nl < nr) {
      // The parent's histogram (slot of leftLeaf) goes to the larger right leaf; left gets a fresh slot.
      const parentSlot = this.slotOf[leftLeaf]!;
      this.slotOf[leftLeaf] = this.slotOf[rightLeaf]!;
      this.slotOf[rightLeaf] = parentSlot;
    }
    return true;
  }

  /** Histograms for the smaller leaf (and larger by subtraction), then each leaf's best split. */
  private findBestSplits(
    gh: Float64Array,
    rootAllRows: boolean,
    smaller: number,
    larger: number,
    useSubtract: boolean,
    featureUsed: Uint8Array,
  ): void {
    const ds = this.ds;
    const part = this.partition;
    const F = ds.numFeatures;
    const sSlot = this.slotOf[smaller]!;
    const sHist = this.hists[sSlot]!;
    const sSplittable = this.splittable[sSlot]!;
    const lSlot = larger >= 0 ? this.slotOf[larger]! : -1;
    const lHist = lSlot >= 0 ? this.hists[lSlot]! : null;
    const lSplittable = lSlot >= 0 ? this.splittable[lSlot]! : null;
    const begin = part.leafBegin[smaller]!;
    const cnt = part.leafCount[smaller]!;
    const used = new Uint8Array(F);
    for (let f = 0; f < F; f++) {
      if (!featureUsed[f]) continue;
      if (useSubtract && !lSplittable![f]) {
        sSplittable[f] = 0;
        continue;
      }
      used[f] = 1;
    }
    if (!rootAllRows) gatherGradients(gh, part.indices, begin, begin + cnt, this.ordered);
    const offs = ds.binOffsets;
    const feats = this.featList;
    let nf = 0;
    for (let f = 0; f < F; f++) if (used[f]) feats[nf++] = f;
    if (rootAllRows) this.histograms(feats, nf, null, 0, cnt, gh, sSlot);
    else this.histograms(feats, nf, part.indices, begin, begin + cnt, gh, sSlot);
    for (let k = 0; k < nf; k++) {
      const f = feats[k]!;
      const nb = this.metas[f]!.numBin;
      const mfb = this.metas[f]!.mostFreqBin;
      if (mfb > 0) fixHistogram(sHist, offs[f]!, nb, mfb, this.leafSumG[smaller]!, this.leafSumH[smaller]!);
      if (useSubtract) subtractHistogram(lHist!, sHist, offs[f]!, offs[f]! + nb);
    }
    this.findLeafSplits(smaller, sHist, sSplittable, used);
    if (larger >= 0 && useSubtract) this.findLeafSplits(larger, lHist!, lSplittable!, used);
  }

  private findLeafSplits(leaf: number, hist: Float64Array, splittable: Uint8Array, used: Uint8Array): void {
    const cfg = this.cfg;
    const offs = this.ds.binOffsets;
    const best = this.best[leaf]!;
    best.reset();
    const sg = this.leafSumG[leaf]!;
    const sh = this.leafSumH[leaf]!;
    const n = this.partition.leafCount[leaf]!;
    const cand = this.cand;
    for (let f = 0; f < used.length; f++) {
      if (!used[f]) continue;
      const meta = this.metas[f]!;
      const ok = meta.categorical
        ? findBestThresholdCategorical(hist, offs[f]!, meta, sg, sh, n, cfg, cand)
        : findBestThresholdNumerical(hist, offs[f]!, meta, sg, sh, n, cfg, cand);
      splittable[f] = ok ? 1 : 0;
      cand.feature = f;
      if (cand.betterThan(best)) best.copyFrom(cand);
    }
  }
}

function newTree(L: number): BinnedTree {
  const nodes = Math.max(L - 1, 0);
  return {
    tree: {
      numLeaves: 1,
      numCat: 0,
      splitFeature: new Int32Array(nodes),
      splitGain: new Float64Array(nodes),
      threshold: new Float64Array(nodes),
      decisionType: new Uint8Array(nodes),
      leftChild: new Int32Array(nodes),
      rightChild: new Int32Array(nodes),
      internalValue: new Float64Array(nodes),
      internalWeight: new Float64Array(nodes),
      internalCount: new Int32Array(nodes),
      leafValue: new Float64Array(L),
      leafWeight: new Float64Array(L),
      leafCount: new Int32Array(L),
      catBoundaries: new Int32Array([0]),
      catThreshold: new Uint32Array(0),
      shrinkage: 1,
    },
    splitInner: new Int32Array(nodes),
    thresholdBin: new Int32Array(nodes),
    catLeft: new Array<Uint8Array | null>(nodes).fill(null),
  };
}

/** Appends the bitset of `cats` (LightGBM's ConstructBitset) as the next categorical threshold. */
function appendBitset(bt: BinnedTree, cats: number[]): void {
  const t = bt.tree;
  const words = Math.trunc(Math.max(...cats) / 32) + 1;
  const bits = new Uint32Array(words);
  for (const c of cats) bits[c >>> 5]! |= 1 << (c & 31);
  const th = new Uint32Array(t.catThreshold.length + words);
  th.set(t.catThreshold);
  th.set(bits, t.catThreshold.length);
  t.catThreshold = th;
  const cb = new Int32Array(t.catBoundaries.length + 1);
  cb.set(t.catBoundaries);
  cb[t.catBoundaries.length] = th.length;
  t.catBoundaries = cb;
}

/** Cuts the per-node / per-leaf arrays to the tree's size. */
function trimTree(bt: BinnedTree): BinnedTree {
  const t = bt.tree;
  const nl = t.numLeaves;
  const nn = nl - 1;
  return {
    tree: {
      ...t,
      splitFeature: t.splitFeature.slice(0, nn),
      splitGain: t.splitGain.slice(0, nn),
      threshold: t.threshold.slice(0, nn),
      decisionType: t.decisionType.slice(0, nn),
      leftChild: t.leftChild.slice(0, nn),
      rightChild: t.rightChild.slice(0, nn),
      internalValue: t.internalValue.slice(0, nn),
      internalWeight: t.internalWeight.slice(0, nn),
      internalCount: t.internalCount.slice(0, nn),
      leafValue: t.leafValue.slice(0, nl),
      leafWeight: t.leafWeight.slice(0, nl),
      leafCount: t.leafCount.slice(0, nl),
    },
    splitInner: bt.splitInner.slice(0, nn),
    thresholdBin: bt.thresholdBin.slice(0, nn),
    catLeft: bt.catLeft.slice(0, nn),
  };
}

/** The leaf a binned row falls in (LightGBM's Tree::GetLeafByMap / DecisionInner). */
export function binnedLeaf(bt: BinnedTree, ds: BinnedDataset, row: number, missingBins: Int32Array): number {
  const t = bt.tree;
  if (t.numLeaves <= 1) return 0;
  let node = 0;
  while (node >= 0) {
    const f = bt.splitInner[node]!;
    const b = ds.bins[f]![row]!;
    const cl = bt.catLeft[node];
    let left: boolean;
    if (cl) left = cl[b] === 1;
    else {
      const dt = t.decisionType[node]!;
      const mt = (dt >> 2) & 3;
      if ((mt === MISSING_NAN || mt === MISSING_ZERO) && b === missingBins[f]) {
        left = (dt & DECISION_DEFAULT_LEFT_MASK) !== 0;
      } else left = b <= bt.thresholdBin[node]!;
    }
    node = left ? t.leftChild[node]! : t.rightChild[node]!;
  }
  return ~node;
}

/** Per inner feature, the bin that means "missing" for its missing type (-1 when none). */
export function missingBinsOf(ds: BinnedDataset): Int32Array {
  const out = new Int32Array(ds.numFeatures).fill(-1);
  for (let f = 0; f < ds.numFeatures; f++) {
    const m = ds.mappers[ds.realFeature[f]!]!;
    if (m.missingType === MISSING_NAN) out[f] = m.numBin - 1;
    else if (m.missingType === MISSING_ZERO) out[f] = m.defaultBin;
  }
  return out;
}
