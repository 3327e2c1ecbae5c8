/**
 * LightGBM parameters for the supported subset: `key=value` pairs as LightGBM's command line takes them
 * (src/io/config.cpp Config::Str2Map / KV2Map, include/LightGBM/config.h for names, aliases and defaults),
 * an optional `config=FILE` with one pair per line (`#` starts a comment), and the typed `TrainParams` the
 * trainer consumes. Parameters given on the command line win over the config file, as in LightGBM.
 * Anything unknown or unsupported is a UsageError naming the parameter: never silently ignored.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors.js';

export type Objective = 'binary' | 'regression' | 'lambdarank';

/** Metric names after alias resolution (LightGBM's canonical names). */
export const METRIC_NAMES = [
  'ndcg',
  'map',
  'auc',
  'binary_logloss',
  'binary_error',
  'l2',
  'rmse',
  'l1',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/**
 * Training parameters, named like LightGBM's (camelCase), defaults equal to LightGBM 4's.
 * The trainer must honour every field (a value it cannot honour should be refused, not ignored).
 */
export interface TrainParams {
  objective: Objective;
  /** num_iterations: boosting rounds (trees per class). */
  numIterations: number;
  learningRate: number;
  numLeaves: number;
  /** <= 0 means no limit. */
  maxDepth: number;
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  lambdaL1: number;
  lambdaL2: number;
  minGainToSplit: number;
  featureFraction: number;
  baggingFraction: number;
  baggingFreq: number;
  /** 0 disables early stopping. */
  earlyStoppingRound: number;
  /** LightGBM's `seed` (0 when not given, as in config.h). */
  seed: number;
  maxBin: number;
  minDataInBin: number;
  binConstructSampleCnt: number;
  useMissing: boolean;
  zeroAsMissing: boolean;
  boostFromAverage: boolean;
  /** Gain of label l for NDCG and lambdarank: labelGain[l]. Default 2^l - 1 for l = 0..30. */
  labelGain: number[];
  lambdarankTruncationLevel: number;
  lambdarankNorm: boolean;
  /** Positions for NDCG@k / MAP@k. */
  evalAt: number[];
  /** Canonical metric names; empty means the objective's default (see `metricsFor`). */
  metric: MetricName[];
  /** Feature indices (0-based, label not counted) that are categorical; resolved from names by the data reader. */
  categoricalFeature: number[];
  /** Parameter of the sigmoid for binary: p = 1 / (1 + exp(-sigmoid * score)). */
  sigmoid: number;
  /** 0 means the library default. */
  numThreads: number;
  deterministic: boolean;
  /** < 0 fatal only, 0 errors/warnings, 1 info, > 1 debug. */
  verbosity: number;
  maxCatToOnehot: number;
  catSmooth: number;
  catL2: number;
  maxCatThreshold: number;
  maxCatGroup: number;
  minDataPerGroup: number;
  /** Whether training metrics are printed too (is_provide_training_metric). */
  isProvideTrainingMetric: boolean;
  /** Print metrics every metricFreq iterations. */
  metricFreq: number;
  /** Early stopping looks only at the first metric. */
  firstMetricOnly: boolean;
}

export function defaultLabelGain(): number[] {
  const g: number[] = [];
  for (let i = 0; i < 31; i++) g.push(2 ** i - 1);
  return g;
}

export function defaultTrainParams(): TrainParams {
  return {
    objective: 'regression',
    numIterations: 100,
    learningRate: 0.1,
    numLeaves: 31,
    maxDepth: -1,
    minDataInLeaf: 20,
    minSumHessianInLeaf: 1e-3,
    lambdaL1: 0,
    lambdaL2: 0,
    minGainToSplit: 0,
    featureFraction: 1,
    baggingFraction: 1,
    baggingFreq: 0,
    earlyStoppingRound: 0,
    seed: 0,
    maxBin: 255,
    minDataInBin: 3,
    binConstructSampleCnt: 200000,
    useMissing: true,
    zeroAsMissing: false,
    boostFromAverage: true,
    labelGain: defaultLabelGain(),
    lambdarankTruncationLevel: 30,
    lambdarankNorm: true,
    evalAt: [1, 2, 3, 4, 5],
    metric: [],
    categoricalFeature: [],
    sigmoid: 1,
    numThreads: 0,
    deterministic: false,
    verbosity: 1,
    maxCatToOnehot: 4,
    catSmooth: 10,
    catL2: 10,
    maxCatThreshold: 32,
    maxCatGroup: 64,
    minDataPerGroup: 100,
    isProvideTrainingMetric: false,
    metricFreq: 1,
    firstMetricOnly: false,
  };
}

/** The metrics to report: the given ones, or the objective's default as LightGBM picks it. */
export function metricsFor(p: Pick<TrainParams, 'metric' | 'objective'>): MetricName[] {
  if (p.metric.length > 0) return p.metric;
  if (p.objective === 'binary') return ['binary_logloss'];
  if (p.objective === 'lambdarank') return ['ndcg'];
  return ['l2'];
}

export type Task = 'train' | 'predict';

/** Input/output parameters of the command line (not used by the trainer itself). */
export interface IoParams {
  task: Task;
  /** Training data (task=train) or data to predict (task=predict). */
  data?: string;
  validData: string[];
  outputModel: string;
  inputModel?: string;
  outputResult: string;
  predictRawScore: boolean;
  predictContrib: boolean;
  /** Number of iterations used in prediction; <= 0 means all. */
  numIterationPredict: number;
  header: boolean;
  /** Raw LightGBM spec: an index, or `name:col`. Empty: the first column. */
  labelColumn: string;
  /** Raw spec: comma-separated indices, or `name:a,b`. */
  ignoreColumn: string;
  /** Raw spec of categorical features: comma-separated indices (label not counted), or `name:a,b`. */
  categoricalFeature: string;
  /** The config file named by config=FILE, if any. */
  config?: string;
}

export function defaultIoParams(): IoParams {
  return {
    task: 'train',
    validData: [],
    outputModel: 'LightGBM_model.txt',
    outputResult: 'LightGBM_predict_result.txt',
    predictRawScore: false,
    predictContrib: false,
    numIterationPredict: -1,
    header: false,
    labelColumn: '',
    ignoreColumn: '',
    categoricalFeature: '',
  };
}

export interface ParsedParams {
  train: TrainParams;
  io: IoParams;
  /** Canonical name -> raw value, for every parameter given (for logging and writing the model's parameters). */
  given: Map<string, string>;
}

type Target = { train: TrainParams; io: IoParams };
interface ParamSpec {
  name: string;
  aliases: string[];
  set(t: Target, value: string, name: string): void;
}

function parseNumber(name: string, value: string, opts: { int?: boolean; min?: number; max?: number } = {}) {
  const v = value.trim();
  const n = v === '' ? Number.NaN : Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`parameter ${name}: "${value}" is not a number`);
  if (opts.int && !Number.isInteger(n))
    throw new UsageError(`parameter ${name}: "${value}" is not an integer`);
  if (opts.min !== undefined && n < opts.min)
    throw new UsageError(`parameter ${name}: ${value} is below the minimum ${opts.min}`);
  if (opts.max !== undefined && n > opts.max)
    throw new UsageError(`parameter ${name}: ${value} is above the maximum ${opts.max}`);
  return n;
}

/** LightGBM's bool parsing: true/+ and false/- (case-insensitive). */
function parseBool(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '+') return true;
  if (v === 'false' || v === '-') return false;
  throw new UsageError(`parameter ${name}: "${value}" is not a boolean (true or false)`);
}

function parseList(name: string, value: string, opts: { int?: boolean; min?: number } = {}): number[] {
  const v = value.trim();
  if (v === '') return [];
  return v.split(',').map((s) => parseNumber(name, s, opts));
}

const OBJECTIVE_ALIASES: Record<string, Objective> = {
  binary: 'binary',
  lambdarank: 'lambdarank',
  regression: 'regression',
  regression_l2: 'regression',
  l2: 'regression',
  mean_squared_error: 'regression',
  mse: 'regression',
  l2_root: 'regression',
  root_mean_squared_error: 'regression',
  rmse: 'regression',
};

const METRIC_ALIASES: Record<string, MetricName> = {
  ndcg: 'ndcg',
  lambdarank: 'ndcg',
  rank_xendcg: 'ndcg',
  xendcg: 'ndcg',
  xe_ndcg: 'ndcg',
  xe_ndcg_mart: 'ndcg',
  xendcg_mart: 'ndcg',
  map: 'map',
  mean_average_precision: 'map',
  auc: 'auc',
  binary_logloss: 'binary_logloss',
  binary: 'binary_logloss',
  binary_error: 'binary_error',
  l2: 'l2',
  mean_squared_error: 'l2',
  mse: 'l2',
  regression_l2: 'l2',
  regression: 'l2',
  rmse: 'rmse',
  l2_root: 'rmse',
  root_mean_squared_error: 'rmse',
  l1: 'l1',
  mean_absolute_error: 'l1',
  mae: 'l1',
  regression_l1: 'l1',
};

function num<K extends keyof TrainParams>(
  key: K,
  opts: { int?: boolean; min?: number; max?: number } = {},
): ParamSpec['set'] {
  return (t, v, name) => {
    (t.train as unknown as Record<string, unknown>)[key] = parseNumber(name, v, opts);
  };
}
function bool<K extends keyof TrainParams>(key: K): ParamSpec['set'] {
  return (t, v, name) => {
    (t.train as unknown as Record<string, unknown>)[key] = parseBool(name, v);
  };
}

/** The supported parameters, with the aliases LightGBM 4 accepts for each (config.h). */
const SPECS: ParamSpec[] = [
  // Core / IO (command line).
  { name: 'config', aliases: ['config_file'], set: (t, v) => (t.io.config = v) },
  {
    name: 'task',
    aliases: ['task_type'],
    set: (t, v, name) => {
      const x = v.trim().toLowerCase();
      if (x === 'train' || x === 'training') t.io.task = 'train';
      else if (x === 'predict' || x === 'prediction' || x === 'test') t.io.task = 'predict';
      else throw new UsageError(`parameter ${name}: task "${v}" is not supported (train or predict)`);
    },
  },
  {
    name: 'data',
    aliases: ['train', 'train_data', 'train_data_file', 'data_filename'],
    set: (t, v) => (t.io.data = v),
  },
  {
    name: 'valid',
    aliases: ['test', 'valid_data', 'valid_data_file', 'test_data', 'test_data_file', 'valid_filenames'],
    set: (t, v) => (t.io.validData = v.split(',').filter((s) => s.length > 0)),
  },
  { name: 'output_model', aliases: ['model_output', 'model_out'], set: (t, v) => (t.io.outputModel = v) },
  { name: 'input_model', aliases: ['model_input', 'model_in'], set: (t, v) => (t.io.inputModel = v) },
  {
    name: 'output_result',
    aliases: [
      'predict_result',
      'prediction_result',
      'predict_name',
      'prediction_name',
      'pred_name',
      'name_pred',
    ],
    set: (t, v) => (t.io.outputResult = v),
  },
  {
    name: 'predict_raw_score',
    aliases: ['is_predict_raw_score', 'predict_rawscore', 'raw_score'],
    set: (t, v, n) => (t.io.predictRawScore = parseBool(n, v)),
  },
  {
    name: 'predict_contrib',
    aliases: ['is_predict_contrib', 'contrib'],
    set: (t, v, n) => (t.io.predictContrib = parseBool(n, v)),
  },
  {
    name: 'num_iteration_predict',
    aliases: [],
    set: (t, v, n) => (t.io.numIterationPredict = parseNumber(n, v, { int: true })),
  },
  { name: 'header', aliases: ['has_header'], set: (t, v, n) => (t.io.header = parseBool(n, v)) },
  { name: 'label_column', aliases: ['label'], set: (t, v) => (t.io.labelColumn = v.trim()) },
  {
    name: 'ignore_column',
    aliases: ['ignore_feature', 'blacklist'],
    set: (t, v) => (t.io.ignoreColumn = v.trim()),
  },
  {
    name: 'categorical_feature',
    aliases: ['cat_feature', 'categorical_column', 'cat_column', 'categorical_features'],
    set: (t, v) => (t.io.categoricalFeature = v.trim()),
  },
  {
    name: 'boosting',
    aliases: ['boosting_type', 'boost'],
    set: (_t, v, n) => {
      if (v.trim() !== 'gbdt' && v.trim() !== 'gbrt')
        throw new UsageError(`parameter ${n}: boosting "${v}" is not supported (only gbdt)`);
    },
  },
  {
    name: 'tree_learner',
    aliases: ['tree', 'tree_type', 'tree_learner_type'],
    set: (_t, v, n) => {
      if (v.trim() !== 'serial')
        throw new UsageError(`parameter ${n}: tree_learner "${v}" is not supported (serial)`);
    },
  },
  {
    name: 'device_type',
    aliases: ['device'],
    set: (_t, v, n) => {
      if (v.trim() !== 'cpu')
        throw new UsageError(`parameter ${n}: device_type "${v}" is not supported (cpu)`);
    },
  },
  // Objective and metrics.
  {
    name: 'objective',
    aliases: ['objective_type', 'app', 'application', 'loss'],
    set: (t, v, n) => {
      const o = OBJECTIVE_ALIASES[v.trim().toLowerCase()];
      if (!o)
        throw new UsageError(
          `parameter ${n}: objective "${v}" is not supported (binary, regression, lambdarank)`,
        );
      t.train.objective = o;
    },
  },
  {
    name: 'metric',
    aliases: ['metrics', 'metric_types'],
    set: (t, v, n) => {
      const out: MetricName[] = [];
      for (const raw of v.split(',')) {
        const m = raw.trim().toLowerCase();
        if (m === '' || m === 'none' || m === 'null' || m === 'na' || m === 'custom') continue;
        const c = METRIC_ALIASES[m];
        if (!c)
          throw new UsageError(
            `parameter ${n}: metric "${raw}" is not supported (${METRIC_NAMES.join(', ')})`,
          );
        if (!out.includes(c)) out.push(c);
      }
      t.train.metric = out;
    },
  },
  {
    name: 'eval_at',
    aliases: ['ndcg_eval_at', 'ndcg_at', 'map_eval_at', 'map_at'],
    set: (t, v, n) => (t.train.evalAt = parseList(n, v, { int: true, min: 1 })),
  },
  {
    name: 'label_gain',
    aliases: [],
    set: (t, v, n) => (t.train.labelGain = parseList(n, v)),
  },
  {
    name: 'lambdarank_truncation_level',
    aliases: [],
    set: num('lambdarankTruncationLevel', { int: true, min: 1 }),
  },
  { name: 'lambdarank_norm', aliases: [], set: bool('lambdarankNorm') },
  { name: 'sigmoid', aliases: [], set: num('sigmoid', { min: Number.MIN_VALUE }) },
  { name: 'boost_from_average', aliases: [], set: bool('boostFromAverage') },
  {
    name: 'is_provide_training_metric',
    aliases: ['training_metric', 'is_training_metric', 'train_metric'],
    set: bool('isProvideTrainingMetric'),
  },
  { name: 'metric_freq', aliases: ['output_freq'], set: num('metricFreq', { int: true, min: 1 }) },
  { name: 'first_metric_only', aliases: [], set: bool('firstMetricOnly') },
  // Learning control.
  {
    name: 'num_iterations',
    aliases: [
      'num_iteration',
      'n_iter',
      'num_tree',
      'num_trees',
      'num_round',
      'num_rounds',
      'nrounds',
      'num_boost_round',
      'n_estimators',
      'max_iter',
    ],
    set: num('numIterations', { int: true, min: 0 }),
  },
  {
    name: 'learning_rate',
    aliases: ['shrinkage_rate', 'eta'],
    set: num('learningRate', { min: Number.MIN_VALUE }),
  },
  {
    name: 'num_leaves',
    aliases: ['num_leaf', 'max_leaves', 'max_leaf', 'max_leaf_nodes'],
    set: num('numLeaves', { int: true, min: 2, max: 131072 }),
  },
  { name: 'max_depth', aliases: [], set: num('maxDepth', { int: true }) },
  {
    name: 'min_data_in_leaf',
    aliases: ['min_data_per_leaf', 'min_data', 'min_child_samples', 'min_samples_leaf'],
    set: num('minDataInLeaf', { int: true, min: 0 }),
  },
  {
    name: 'min_sum_hessian_in_leaf',
    aliases: ['min_sum_hessian_per_leaf', 'min_sum_hessian', 'min_hessian', 'min_child_weight'],
    set: num('minSumHessianInLeaf', { min: 0 }),
  },
  { name: 'lambda_l1', aliases: ['reg_alpha', 'l1_regularization'], set: num('lambdaL1', { min: 0 }) },
  {
    name: 'lambda_l2',
    aliases: ['reg_lambda', 'lambda', 'l2_regularization'],
    set: num('lambdaL2', { min: 0 }),
  },
  { name: 'min_gain_to_split', aliases: ['min_split_gain'], set: num('minGainToSplit', { min: 0 }) },
  {
    name: 'feature_fraction',
    aliases: ['sub_feature', 'colsample_bytree'],
    set: num('featureFraction', { min: Number.MIN_VALUE, max: 1 }),
  },
  {
    name: 'bagging_fraction',
    aliases: ['sub_row', 'subsample', 'bagging'],
    set: num('baggingFraction', { min: Number.MIN_VALUE, max: 1 }),
  },
  { name: 'bagging_freq', aliases: ['subsample_freq'], set: num('baggingFreq', { int: true, min: 0 }) },
  {
    name: 'early_stopping_round',
    aliases: ['early_stopping_rounds', 'early_stopping', 'n_iter_no_change'],
    set: num('earlyStoppingRound', { int: true, min: 0 }),
  },
  { name: 'seed', aliases: ['random_seed', 'random_state'], set: num('seed', { int: true }) },
  { name: 'max_bin', aliases: ['max_bins'], set: num('maxBin', { int: true, min: 2 }) },
  { name: 'min_data_in_bin', aliases: [], set: num('minDataInBin', { int: true, min: 1 }) },
  {
    name: 'bin_construct_sample_cnt',
    aliases: ['subsample_for_bin'],
    set: num('binConstructSampleCnt', { int: true, min: 1 }),
  },
  { name: 'use_missing', aliases: [], set: bool('useMissing') },
  { name: 'zero_as_missing', aliases: [], set: bool('zeroAsMissing') },
  { name: 'max_cat_to_onehot', aliases: [], set: num('maxCatToOnehot', { int: true, min: 1 }) },
  { name: 'cat_smooth', aliases: [], set: num('catSmooth', { min: 0 }) },
  { name: 'cat_l2', aliases: [], set: num('catL2', { min: 0 }) },
  { name: 'max_cat_threshold', aliases: [], set: num('maxCatThreshold', { int: true, min: 1 }) },
  { name: 'max_cat_group', aliases: [], set: num('maxCatGroup', { int: true, min: 1 }) },
  { name: 'min_data_per_group', aliases: [], set: num('minDataPerGroup', { int: true, min: 1 }) },
  {
    name: 'num_threads',
    aliases: ['num_thread', 'nthread', 'nthreads', 'n_jobs'],
    set: num('numThreads', { int: true }),
  },
  { name: 'deterministic', aliases: [], set: bool('deterministic') },
  { name: 'verbosity', aliases: ['verbose'], set: num('verbosity', { int: true }) },
  // Performance-only switches with no effect on results; accepted so LightGBM command lines run unchanged.
  { name: 'force_col_wise', aliases: [], set: (_t, v, n) => void parseBool(n, v) },
  { name: 'force_row_wise', aliases: [], set: (_t, v, n) => void parseBool(n, v) },
];

const BY_NAME = new Map<string, ParamSpec>();
for (const s of SPECS) {
  BY_NAME.set(s.name, s);
  for (const a of s.aliases) BY_NAME.set(a, s);
}

/** Canonical LightGBM name of a parameter or alias, or undefined when it is not supported. */
export function canonicalParamName(key: string): string | undefined {
  return BY_NAME.get(key.trim())?.name;
}

/** Splits `key=value` (LightGBM trims both sides; a missing `=` is an error). */
function splitPair(pair: string, where: string): [string, string] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new UsageError(`${where}: "${pair}" is not key=value`);
  return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
}

/** Reads a LightGBM config file: one key=value per line, `#` comments, blank lines ignored. */
export function readConfigFile(path: string): Array<[string, string, string]> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`config file ${path}: ${(e as Error).message}`);
  }
  const out: Array<[string, string, string]> = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i]!.indexOf('#');
    const line = (hash >= 0 ? lines[i]!.slice(0, hash) : lines[i]!).trim();
    if (line === '') continue;
    const [k, v] = splitPair(line, `${path}, line ${i + 1}`);
    out.push([k, v, `${path}, line ${i + 1}`]);
  }
  return out;
}

/**
 * Parses LightGBM-style `key=value` arguments (and the config file they name). Raises UsageError for an
 * unknown parameter, a bad value, or one parameter given twice with different values on the command line.
 */
export function parseParams(args: readonly string[]): ParsedParams {
  const pairs: Array<[string, string, string]> = args.map((a) => {
    const [k, v] = splitPair(a, 'argument');
    return [k, v, 'command line'];
  });
  const given = new Map<string, string>();
  const origin = new Map<string, string>();
  const accept = (list: Array<[string, string, string]>) => {
    for (const [k, v, where] of list) {
      const spec = BY_NAME.get(k);
      if (!spec) throw new UsageError(`unknown or unsupported parameter "${k}" (${where})`);
      const prev = given.get(spec.name);
      if (prev !== undefined) {
        // Command line wins over the config file (LightGBM keeps the first value it saw).
        if (origin.get(spec.name) === where.split(',')[0] && prev !== v)
          throw new UsageError(
            `parameter ${spec.name} given twice with different values ("${prev}", "${v}")`,
          );
        continue;
      }
      given.set(spec.name, v);
      origin.set(spec.name, where.split(',')[0]!);
    }
  };
  accept(pairs);
  const configPath = given.get('config');
  if (configPath) accept(readConfigFile(configPath).filter(([k]) => canonicalParamName(k) !== 'config'));

  const t: Target = { train: defaultTrainParams(), io: defaultIoParams() };
  for (const [name, v] of given) BY_NAME.get(name)!.set(t, v, name);
  return { train: t.train, io: t.io, given };
}

/** TrainParams from a plain `key=value` map (library use); same validation as the command line. */
export function trainParamsFrom(kv: Record<string, string | number | boolean>): TrainParams {
  return parseParams(Object.entries(kv).map(([k, v]) => `${k}=${String(v)}`)).train;
}

/**
 * The training parameters as LightGBM `key=value` pairs (canonical names), for running the LightGBM
 * program and for a model's `parameters:` block. `seed` is left out when 0 (LightGBM's "not set": its
 * bagging/feature/data seeds then keep their own defaults).
 */
export function lightgbmParamPairs(p: TrainParams): Array<[string, string]> {
  const b = (x: boolean) => (x ? 'true' : 'false');
  const pairs: Array<[string, string]> = [
    ['objective', p.objective],
    ['num_iterations', String(p.numIterations)],
    ['learning_rate', String(p.learningRate)],
    ['num_leaves', String(p.numLeaves)],
    ['max_depth', String(p.maxDepth)],
    ['min_data_in_leaf', String(p.minDataInLeaf)],
    ['min_sum_hessian_in_leaf', String(p.minSumHessianInLeaf)],
    ['lambda_l1', String(p.lambdaL1)],
    ['lambda_l2', String(p.lambdaL2)],
    ['min_gain_to_split', String(p.minGainToSplit)],
    ['feature_fraction', String(p.featureFraction)],
    ['bagging_fraction', String(p.baggingFraction)],
    ['bagging_freq', String(p.baggingFreq)],
    ['early_stopping_round', String(p.earlyStoppingRound)],
    ['max_bin', String(p.maxBin)],
    ['min_data_in_bin', String(p.minDataInBin)],
    ['bin_construct_sample_cnt', String(p.binConstructSampleCnt)],
    ['use_missing', b(p.useMissing)],
    ['zero_as_missing', b(p.zeroAsMissing)],
    ['boost_from_average', b(p.boostFromAverage)],
    ['label_gain', p.labelGain.join(',')],
    ['lambdarank_truncation_level', String(p.lambdarankTruncationLevel)],
    ['lambdarank_norm', b(p.lambdarankNorm)],
    ['eval_at', p.evalAt.join(',')],
    ['metric', metricsFor(p).join(',')],
    ['sigmoid', String(p.sigmoid)],
    ['num_threads', String(p.numThreads)],
    ['deterministic', b(p.deterministic)],
    ['verbosity', String(p.verbosity)],
    ['max_cat_to_onehot', String(p.maxCatToOnehot)],
    ['cat_smooth', String(p.catSmooth)],
    ['cat_l2', String(p.catL2)],
    ['max_cat_threshold', String(p.maxCatThreshold)],
    ['max_cat_group', String(p.maxCatGroup)],
    ['min_data_per_group', String(p.minDataPerGroup)],
    ['is_provide_training_metric', b(p.isProvideTrainingMetric)],
    ['metric_freq', String(p.metricFreq)],
    ['first_metric_only', b(p.firstMetricOnly)],
  ];
  if (p.seed !== 0) pairs.push(['seed', String(p.seed)]);
  if (p.categoricalFeature.length > 0) pairs.push(['categorical_feature', p.categoricalFeature.join(',')]);
  return pairs;
}

/** A model's `parameters:` block for these parameters, in LightGBM's `[key: value]` form. */
export function parametersBlock(p: TrainParams, extra: Array<[string, string]> = []): string {
  return [['boosting', 'gbdt'] as [string, string], ...extra, ...lightgbmParamPairs(p)]
    .map(([k, v]) => `[${k}: ${v}]\n`)
    .join('');
}
