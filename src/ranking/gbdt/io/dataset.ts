/**
 * The binned training set, as LightGBM's Dataset (src/io/dataset.cpp, dataset_loader.cpp): one BinMapper
 * per feature found from a sample of rows (bin_construct_sample_cnt), then every value replaced by its bin,
 * stored column-major, one Uint8Array per feature (Uint16Array when a feature has more than 256 bins).
 * Features that cannot be split (a single bin, or too few rows on any side) are left out, as LightGBM does.
 */
import { InputError } from '../../../errors.js';
import { K_ZERO_THRESHOLD } from '../meta.js';
import type { TrainParams } from '../params.js';
import { LgbRandom } from '../random.js';
import { BinMapper } from './bin-mapper.js';

/** Dense input data: what the data reader produces and the trainer consumes. */
export interface DenseData {
  numRows: number;
  numFeatures: number;
  /** Feature values, NaN for missing; row-major (values[r * numFeatures + f]) unless layout is 'column'. */
  values: Float64Array;
  layout?: 'row' | 'column';
  labels: Float32Array;
  /** Query sizes for ranking, in row order, summing to numRows. */
  groups?: Int32Array;
  featureNames?: string[];
  /** Categorical feature indices (the data reader's categorical_feature); absent: none. */
  categoricalFeatures?: number[];
}

export type BinColumn = Uint8Array | Uint16Array;

/** The values column-major (values[f * numRows + r]): the data's own array when it is already. */
function columnMajor(d: DenseData): Float64Array {
  if (d.layout === 'column') return d.values;
  const v = d.values;
  const n = d.numRows;
  const m = d.numFeatures;
  const out = new Float64Array(n * m);
  // Transposed in blocks of rows so that reads and writes both stay in cache.
  const B = 64;
  for (let r0 = 0; r0 < n; r0 += B) {
    const r1 = Math.min(n, r0 + B);
    for (let f = 0; f < m; f++) {
      const o = f * n;
      for (let r = r0, k = r0 * m + f; r < r1; r++, k += m) out[o + r] = v[k]!;
    }
  }
  return out;
}

/** Query boundaries from group sizes: boundaries[q]..boundaries[q+1] are the rows of query q. */
export function queryBoundaries(groups: Int32Array, numRows: number, what = 'data'): Int32Array {
  const b = new Int32Array(groups.length + 1);
  for (let q = 0; q < groups.length; q++) {
    if (groups[q]! < 0) throw new InputError(`query ${q} has a negative size`, what);
    b[q + 1] = b[q]! + groups[q]!;
  }
  if (b[groups.length] !== numRows)
    throw new InputError(`query sizes sum to ${b[groups.length]} but there are ${numRows} rows`, what);
  return b;
}

export class BinnedDataset {
  readonly numRows: number;
  /** Raw feature count (model's max_feature_idx + 1). */
  readonly numTotalFeatures: number;
  /** One mapper per raw feature (trivial ones included, for feature_infos). */
  readonly mappers: BinMapper[];
  /** Raw index of each used (inner) feature. */
  readonly realFeature: Int32Array;
  /** Bins of each inner feature, one entry per row. */
  readonly bins: BinColumn[];
  /** Where each inner feature's bins start in a histogram; totalBins at the end. */
  readonly binOffsets: Int32Array;
  readonly totalBins: number;
  readonly labels: Float32Array;
  readonly queryBoundaries?: Int32Array;
  readonly featureNames: string[];

  /** Whether the bin columns are views of SharedArrayBuffers (for worker threads). */
  readonly shared: boolean;

  private constructor(
    data: DenseData,
    mappers: BinMapper[],
    what: string,
    shared: boolean,
    columns: Float64Array = columnMajor(data),
  ) {
    this.shared = shared;
    this.numRows = data.numRows;
    this.numTotalFeatures = data.numFeatures;
    this.mappers = mappers;
    this.labels = data.labels;
    if (data.labels.length !== data.numRows)
      throw new InputError(`${data.labels.length} labels for ${data.numRows} rows`, what);
    if (data.values.length !== data.numRows * data.numFeatures)
      throw new InputError(`${data.values.length} values for ${data.numRows} x ${data.numFeatures}`, what);
    if (data.groups) this.queryBoundaries = queryBoundaries(data.groups, data.numRows, what);
    this.featureNames =
      data.featureNames ?? Array.from({ length: data.numFeatures }, (_, i) => `Column_${i}`);
    const used: number[] = [];
    for (let f = 0; f < mappers.length; f++) if (!mappers[f]!.trivial) used.push(f);
    this.realFeature = Int32Array.from(used);
    this.binOffsets = new Int32Array(used.length + 1);
    for (let i = 0; i < used.length; i++)
      this.binOffsets[i + 1] = this.binOffsets[i]! + mappers[used[i]!]!.numBin;
    this.totalBins = this.binOffsets[used.length]!;
    const n = data.numRows;
    this.bins = used.map((f) => {
      const m = mappers[f]!;
      const wide = m.numBin > 256;
      const bytes = wide ? 2 * n : n;
      const mem = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
      const col: BinColumn = wide ? new Uint16Array(mem) : new Uint8Array(mem);
      m.binAll(columns.subarray(f * n, (f + 1) * n), col);
      return col;
    });
  }

  get numFeatures(): number {
    return this.realFeature.length;
  }

  /**
   * Bins the training data: finds every feature's bins from a row sample, then bins all rows. With `shared`
   * the bins live in SharedArrayBuffers (num_threads >= 2 shares them with a worker thread).
   */
  static fromDense(
    data: DenseData,
    p: TrainParams,
    what = 'training data',
    shared = p.numThreads >= 2,
  ): BinnedDataset {
    const cats = new Set(data.categoricalFeatures);
    for (const c of cats)
      if (!Number.isInteger(c) || c < 0 || c >= data.numFeatures)
        throw new InputError(
          `categorical feature index ${c} is out of range 0..${data.numFeatures - 1}`,
          what,
        );
    const n = data.numRows;
    // Rows to sample for the bin boundaries (all of them up to bin_construct_sample_cnt).
    let sample: Int32Array | null = null;
    if (n > p.binConstructSampleCnt) {
      const seeds = derivedSeeds(p.seed);
      sample = Int32Array.from(new LgbRandom(seeds.data).sample(n, p.binConstructSampleCnt));
    }
    const sampleCnt = sample ? sample.length : n;
    const filterCnt = Math.trunc((p.minDataInLeaf * sampleCnt) / n);
    const buf = new Float64Array(sampleCnt);
    const columns = columnMajor(data);
    const mappers: BinMapper[] = [];
    for (let f = 0; f < data.numFeatures; f++) {
      const col = columns.subarray(f * n, (f + 1) * n);
      let k = 0;
      if (sample) {
        for (let i = 0; i < sampleCnt; i++) {
          const v = col[sample[i]!]!;
          if (Math.abs(v) > K_ZERO_THRESHOLD || Number.isNaN(v)) buf[k++] = v;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const v = col[i]!;
          if (Math.abs(v) > K_ZERO_THRESHOLD || Number.isNaN(v)) buf[k++] = v;
        }
      }
      mappers.push(
        BinMapper.find(buf.slice(0, k), sampleCnt, {
          maxBin: p.maxBin,
          minDataInBin: p.minDataInBin,
          minSplitData: filterCnt,
          preFilter: true,
          categorical: cats.has(f),
          useMissing: p.useMissing,
          zeroAsMissing: p.zeroAsMissing,
        }),
      );
    }
    return new BinnedDataset(data, mappers, what, shared, columns);
  }

  /** Bins another data set (validation) with this training set's bins. */
  binLike(data: DenseData, what = 'validation data'): BinnedDataset {
    if (data.numFeatures !== this.numTotalFeatures)
      throw new InputError(
        `has ${data.numFeatures} features but the training data has ${this.numTotalFeatures}`,
        what,
      );
    return new BinnedDataset(data, this.mappers, what, false);
  }
}

/** LightGBM's seeds derived from `seed` (config.cpp): data, bagging, feature_fraction. Defaults when 0. */
export function derivedSeeds(seed: number): { data: number; bagging: number; featureFraction: number } {
  if (seed === 0) return { data: 1, bagging: 3, featureFraction: 2 };
  const r = new LgbRandom(seed);
  const max = 32767;
  const data = r.nextShort(0, max);
  const bagging = r.nextShort(0, max);
  r.nextShort(0, max); // drop_seed
  const featureFraction = r.nextShort(0, max);
  return { data, bagging, featureFraction };
}
