/**
 * The parameters reco's gradient boosting accepts, each declared once, as LightGBM declares its own in
 * include/LightGBM/config.h: the field (camelCase), LightGBM's name and aliases, the kind of value with its
 * checks, the default (LightGBM 4's), and what it does. Everything else is derived from this table: the
 * `TrainParams` and `IoParams` types, the defaults and the typed entry point (./params.ts), the `key=value`
 * and config-file parser (./config-parser.ts), a model's parameters block and the LightGBM program's
 * arguments (./config-writer.ts).
 *
 * The table's order is the order of a model's parameters block.
 */
import { bool, choice, choices, int, type Kind, numbers, paths, real, text } from './config-kinds.js';

/**
 * Which record a parameter fills: `train`, the trainer's (TrainParams: it honours every field); `io`, the
 * command line's files, task and data-reading options (IoParams); `compat`, none: a LightGBM parameter
 * accepted with the only value reco implements or with no effect on results, so that LightGBM command
 * lines run unchanged.
 */
export type Section = 'train' | 'io' | 'compat';

/** One parameter's declaration. */
export interface ParamDef<F extends string, S extends Section, T> {
  /** The field in its section's record (LightGBM's name in camelCase; `valid` is validData). */
  readonly field: F;
  readonly section: S;
  /** LightGBM's name. */
  readonly lightgbm: string;
  /** The other names LightGBM 4 accepts for it. */
  readonly aliases: readonly string[];
  /** Its values: type, check, text form. */
  readonly kind: Kind<T>;
  readonly default: T;
  /**
   * Whether a model's parameters block holds it: always, or only when it differs from its default (seed 0
   * and no categorical features mean "not set" to LightGBM, which is not given them either).
   */
  readonly model?: 'always' | 'unlessDefault';
  readonly doc: string;
}

/** What a declaration gives beside its field, name, kind and default. */
interface More {
  aliases?: readonly string[];
  model?: 'always' | 'unlessDefault';
  doc: string;
}

/** A declaration of `section`, its types inferred (the default must be a value of its kind). */
function declare<S extends Section>(section: S, model?: 'always') {
  return <F extends string, T>(
    field: F,
    lightgbm: string,
    kind: Kind<T>,
    dflt: NoInfer<T>,
    more: More,
  ): ParamDef<F, S, T> => ({
    field,
    section,
    lightgbm,
    aliases: more.aliases ?? [],
    kind,
    default: dflt,
    ...more,
    model: more.model ?? model,
  });
}

/** A training parameter: a field of TrainParams, in a model's parameters block (LightGBM writes them all). */
const train = declare('train', 'always');
/** A parameter of the command line: a field of IoParams. */
const io = declare('io');
/** A LightGBM parameter accepted with reco's only value, or without effect: no field. */
const compat = declare('compat');

/** The objectives reco trains. */
export const OBJECTIVES = ['binary', 'regression', 'lambdarank'] as const;
export type Objective = (typeof OBJECTIVES)[number];

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

/** label_gain's default: 2^l - 1 for labels l = 0..30. */
export function defaultLabelGain(): number[] {
  const g: number[] = [];
  for (let i = 0; i < 31; i++) g.push(2 ** i - 1);
  return g;
}

/** Every parameter, in the order of a model's parameters block (those written first). */
const PARAMS = [
  compat('boosting', 'boosting', choice(['gbdt'], { aliases: { gbdt: ['gbrt'] } }), 'gbdt', {
    aliases: ['boosting_type', 'boost'],
    model: 'always',
    doc: 'boosting type: gradient boosted decision trees (gbrt is another name)',
  }),
  io('data', 'data', text, '', {
    aliases: ['train', 'train_data', 'train_data_file', 'data_filename'],
    model: 'always',
    doc: 'the training data (task=train) or the data to predict (task=predict): libsvm, TSV or CSV',
  }),
  io('validData', 'valid', paths, [], {
    aliases: ['test', 'valid_data', 'valid_data_file', 'test_data', 'test_data_file', 'valid_filenames'],
    model: 'always',
    doc: 'validation data, comma-separated files: metrics each iteration, early stopping',
  }),
  train(
    'objective',
    'objective',
    choice(OBJECTIVES, {
      aliases: {
        regression: [
          'regression_l2',
          'l2',
          'mean_squared_error',
          'mse',
          'l2_root',
          'root_mean_squared_error',
          'rmse',
        ],
      },
      caseInsensitive: true,
    }),
    'regression',
    {
      aliases: ['objective_type', 'app', 'application', 'loss'],
      doc: 'the loss: binary (log loss), regression (L2), lambdarank (LambdaMART)',
    },
  ),
  train('numIterations', 'num_iterations', int({ min: 0 }), 100, {
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
    doc: 'boosting rounds (trees per class)',
  }),
  train('learningRate', 'learning_rate', real({ above: 0 }), 0.1, {
    aliases: ['shrinkage_rate', 'eta'],
    doc: 'shrinkage of each tree',
  }),
  train('numLeaves', 'num_leaves', int({ min: 2, max: 131072 }), 31, {
    aliases: ['num_leaf', 'max_leaves', 'max_leaf', 'max_leaf_nodes'],
    doc: 'leaves of a tree at most',
  }),
  train('maxDepth', 'max_depth', int(), -1, { doc: 'depth of a tree at most; <= 0 means no limit' }),
  train('minDataInLeaf', 'min_data_in_leaf', int({ min: 0 }), 20, {
    aliases: ['min_data_per_leaf', 'min_data', 'min_child_samples', 'min_samples_leaf'],
    doc: 'rows in a leaf at least',
  }),
  train('minSumHessianInLeaf', 'min_sum_hessian_in_leaf', real({ min: 0 }), 1e-3, {
    aliases: ['min_sum_hessian_per_leaf', 'min_sum_hessian', 'min_hessian', 'min_child_weight'],
    doc: 'sum of hessians in a leaf at least',
  }),
  train('lambdaL1', 'lambda_l1', real({ min: 0 }), 0, {
    aliases: ['reg_alpha', 'l1_regularization'],
    doc: 'L1 regularisation of leaf values',
  }),
  train('lambdaL2', 'lambda_l2', real({ min: 0 }), 0, {
    aliases: ['reg_lambda', 'lambda', 'l2_regularization'],
    doc: 'L2 regularisation of leaf values',
  }),
  train('minGainToSplit', 'min_gain_to_split', real({ min: 0 }), 0, {
    aliases: ['min_split_gain'],
    doc: 'gain a split needs at least',
  }),
  train('featureFraction', 'feature_fraction', real({ above: 0, max: 1 }), 1, {
    aliases: ['sub_feature', 'colsample_bytree'],
    doc: 'share of the features each tree may use (drawn per tree)',
  }),
  train('baggingFraction', 'bagging_fraction', real({ above: 0, max: 1 }), 1, {
    aliases: ['sub_row', 'subsample', 'bagging'],
    doc: 'share of the rows drawn for the trees (with bagging_freq > 0)',
  }),
  train('baggingFreq', 'bagging_freq', int({ min: 0 }), 0, {
    aliases: ['subsample_freq'],
    doc: 'rows drawn again every bagging_freq iterations; 0 disables bagging',
  }),
  train('earlyStoppingRound', 'early_stopping_round', int({ min: 0 }), 0, {
    aliases: ['early_stopping_rounds', 'early_stopping', 'n_iter_no_change'],
    doc: 'stop after this many rounds without a better validation metric; 0 disables early stopping',
  }),
  train('maxBin', 'max_bin', int({ min: 2 }), 255, {
    aliases: ['max_bins'],
    doc: 'bins of a feature at most',
  }),
  train('minDataInBin', 'min_data_in_bin', int({ min: 1 }), 3, { doc: 'rows in a bin at least' }),
  train('binConstructSampleCnt', 'bin_construct_sample_cnt', int({ min: 1 }), 200000, {
    aliases: ['subsample_for_bin'],
    doc: 'rows sampled to find the bins',
  }),
  train('useMissing', 'use_missing', bool, true, {
    doc: 'missing values (NaN) get their own treatment in splits; false: NaN counts as 0',
  }),
  train('zeroAsMissing', 'zero_as_missing', bool, false, { doc: 'zeros count as missing values' }),
  train('boostFromAverage', 'boost_from_average', bool, true, {
    doc: 'the first tree starts from the label average (binary, regression)',
  }),
  train('labelGain', 'label_gain', numbers(real()), defaultLabelGain(), {
    doc: 'gain of label l for lambdarank and NDCG: label_gain[l]',
  }),
  train('lambdarankTruncationLevel', 'lambdarank_truncation_level', int({ min: 1 }), 30, {
    doc: 'lambdarank: the top positions of a query whose pairs count',
  }),
  train('lambdarankNorm', 'lambdarank_norm', bool, true, {
    doc: "lambdarank: normalise each query's lambdas",
  }),
  train('evalAt', 'eval_at', numbers(int({ min: 1 })), [1, 2, 3, 4, 5], {
    aliases: ['ndcg_eval_at', 'ndcg_at', 'map_eval_at', 'map_at'],
    doc: 'positions k of NDCG@k and MAP@k',
  }),
  train(
    'metric',
    'metric',
    choices(METRIC_NAMES, {
      aliases: {
        ndcg: ['lambdarank', 'rank_xendcg', 'xendcg', 'xe_ndcg', 'xe_ndcg_mart', 'xendcg_mart'],
        map: ['mean_average_precision'],
        binary_logloss: ['binary'],
        l2: ['mean_squared_error', 'mse', 'regression_l2', 'regression'],
        rmse: ['l2_root', 'root_mean_squared_error'],
        l1: ['mean_absolute_error', 'mae', 'regression_l1'],
      },
      caseInsensitive: true,
      none: ['none', 'null', 'na', 'custom'],
    }),
    [],
    {
      aliases: ['metrics', 'metric_types'],
      doc: "the metrics to evaluate; none given: the objective's (metricsFor)",
    },
  ),
  train('sigmoid', 'sigmoid', real({ above: 0 }), 1, { doc: 'binary: p = 1 / (1 + exp(-sigmoid * score))' }),
  train('numThreads', 'num_threads', int(), 0, {
    aliases: ['num_thread', 'nthread', 'nthreads', 'n_jobs'],
    doc: 'threads (>= 2: worker threads share histograms and gradients); 0 means the library default',
  }),
  train('deterministic', 'deterministic', bool, false, {
    doc: 'the same results on every run (reco always has them)',
  }),
  train('verbosity', 'verbosity', int(), 1, {
    aliases: ['verbose'],
    doc: '< 0 fatal only, 0 errors and warnings, 1 info, > 1 debug',
  }),
  train('maxCatToOnehot', 'max_cat_to_onehot', int({ min: 1 }), 4, {
    doc: 'categorical features with at most this many categories split one category against the rest',
  }),
  train('catSmooth', 'cat_smooth', real({ min: 0 }), 10, {
    doc: 'categorical splits: smoothing of the category statistics (and the rows a category needs)',
  }),
  train('catL2', 'cat_l2', real({ min: 0 }), 10, { doc: 'categorical splits: L2 regularisation' }),
  train('maxCatThreshold', 'max_cat_threshold', int({ min: 1 }), 32, {
    doc: 'categorical splits: categories on one side at most',
  }),
  train('maxCatGroup', 'max_cat_group', int({ min: 1 }), 64, {
    doc: 'categorical features: groups of categories at most when binning',
  }),
  train('minDataPerGroup', 'min_data_per_group', int({ min: 1 }), 100, {
    doc: 'categorical splits: rows per category group at least',
  }),
  train('isProvideTrainingMetric', 'is_provide_training_metric', bool, false, {
    aliases: ['training_metric', 'is_training_metric', 'train_metric'],
    doc: 'evaluate the metrics on the training data too',
  }),
  train('metricFreq', 'metric_freq', int({ min: 1 }), 1, {
    aliases: ['output_freq'],
    doc: 'print the metrics every metric_freq iterations',
  }),
  train('firstMetricOnly', 'first_metric_only', bool, false, {
    doc: 'early stopping looks at the first metric only',
  }),
  train('seed', 'seed', int(), 0, {
    aliases: ['random_seed', 'random_state'],
    model: 'unlessDefault',
    doc: "seed of bagging and feature sampling; 0: not set (LightGBM's own seeds)",
  }),
  io('categoricalFeature', 'categorical_feature', text, '', {
    aliases: ['cat_feature', 'categorical_column', 'cat_column', 'categorical_features'],
    model: 'unlessDefault',
    doc: 'categorical features: comma-separated indices (the label not counted) or name:a,b; resolved by the data reader',
  }),
  io('config', 'config', text, '', {
    aliases: ['config_file'],
    doc: 'a file of key=value lines (# comments); the command line wins over it',
  }),
  io(
    'task',
    'task',
    choice(['train', 'predict'], {
      aliases: { train: ['training'], predict: ['prediction', 'test'] },
      caseInsensitive: true,
    }),
    'train',
    { aliases: ['task_type'], doc: 'train a model, or predict with one' },
  ),
  io('outputModel', 'output_model', text, 'LightGBM_model.txt', {
    aliases: ['model_output', 'model_out'],
    doc: 'task=train: the model file written',
  }),
  io('inputModel', 'input_model', text, '', {
    aliases: ['model_input', 'model_in'],
    doc: 'task=predict: the model file read',
  }),
  io('outputResult', 'output_result', text, 'LightGBM_predict_result.txt', {
    aliases: [
      'predict_result',
      'prediction_result',
      'predict_name',
      'prediction_name',
      'pred_name',
      'name_pred',
    ],
    doc: 'task=predict: the predictions file written',
  }),
  io('predictRawScore', 'predict_raw_score', bool, false, {
    aliases: ['is_predict_raw_score', 'predict_rawscore', 'raw_score'],
    doc: 'task=predict: raw scores (before the sigmoid)',
  }),
  io('predictContrib', 'predict_contrib', bool, false, {
    aliases: ['is_predict_contrib', 'contrib'],
    doc: 'task=predict: SHAP contributions of the features (and the expected value last)',
  }),
  io('numIterationPredict', 'num_iteration_predict', int(), -1, {
    doc: 'task=predict: iterations used; <= 0 means all',
  }),
  io('header', 'header', bool, false, {
    aliases: ['has_header'],
    doc: 'the data files (TSV, CSV) start with a line of column names',
  }),
  io('labelColumn', 'label_column', text, '', {
    aliases: ['label'],
    doc: 'the label column: an index or name:col; empty means the first column',
  }),
  io('ignoreColumn', 'ignore_column', text, '', {
    aliases: ['ignore_feature', 'blacklist'],
    doc: 'columns not used as features: comma-separated indices or name:a,b',
  }),
  compat('treeLearner', 'tree_learner', choice(['serial']), 'serial', {
    aliases: ['tree', 'tree_type', 'tree_learner_type'],
    doc: 'tree learner: serial only',
  }),
  compat('deviceType', 'device_type', choice(['cpu']), 'cpu', {
    aliases: ['device'],
    doc: 'device: cpu only',
  }),
  compat('forceColWise', 'force_col_wise', bool, false, {
    doc: 'histogram layout in LightGBM; no effect on results',
  }),
  compat('forceRowWise', 'force_row_wise', bool, false, {
    doc: 'histogram layout in LightGBM; no effect on results',
  }),
] as const;

type Declared = (typeof PARAMS)[number];
type ValueOf<D> = D extends ParamDef<string, Section, infer T> ? T : never;

/** The values of one section's parameters (every section: all of them), field -> value. */
export type Values<S extends Section = Section> = {
  -readonly [D in Declared as D['section'] extends S ? D['field'] : never]: ValueOf<D>;
};

/** Training parameters, named like LightGBM's (camelCase), defaults equal to LightGBM 4's. */
export type TrainParams = Values<'train'>;

/** Input/output parameters of the command line (not used by the trainer itself). */
export type IoParams = Values<'io'>;

export type Task = IoParams['task'];

/** A declaration seen without its value type, for code that handles every parameter alike. */
export type AnyParamDef = ParamDef<string, Section, unknown>;

/** Every declaration, in table order. */
export const DECLARATIONS: readonly AnyParamDef[] = PARAMS;

/** The declarations by each of the keys `keys` gives them (a key given twice is a mistake in the table). */
function index(keys: (d: AnyParamDef) => readonly string[]): ReadonlyMap<string, AnyParamDef> {
  const m = new Map<string, AnyParamDef>();
  for (const d of DECLARATIONS)
    for (const k of keys(d)) {
      if (m.has(k)) throw new Error(`gbdt parameters: "${k}" is declared twice`);
      m.set(k, d);
    }
  return m;
}

/** The declarations by LightGBM name and by alias. */
export const BY_LIGHTGBM_NAME = index((d) => [d.lightgbm, ...d.aliases]);

/** The declarations by field. */
export const BY_FIELD = index((d) => [d.field]);

/** Whether `field` is a training parameter's (a field of TrainParams). */
export function isTrainField(field: string): field is keyof TrainParams {
  return BY_FIELD.get(field)?.section === 'train';
}

/**
 * The record of one section: the values given (field -> a value of its kind, already checked), the
 * defaults for the other fields (fresh arrays).
 */
export function sectionRecord<S extends Section>(
  section: S,
  given: ReadonlyMap<string, unknown> = new Map(),
): Values<S> {
  const out: Record<string, unknown> = {};
  for (const d of DECLARATIONS)
    if (d.section === section)
      out[d.field] = given.has(d.field) ? given.get(d.field) : d.kind.check(d.default, d.field);
  // Every field of the section is set, to a value its declaration's kind produced: the section's type.
  return out as Values<S>;
}
