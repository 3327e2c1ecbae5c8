/**
 * Training as a library call: fit the models on every event of a store and save them as a new versioned
 * bundle, made current (../models/bundle.ts). `reco train` and the server's retrainer both call it (the
 * server in a worker thread: ./train-worker.ts), so that a bundle is made one way whoever asks.
 *
 * Each training is a tracked run in the store (../tracking/run-recorder.ts), of the kind the caller says
 * (`train` from the CLI, `retrain` from the server): the data's fingerprint, the world's and the split's
 * parameters, each model's resolved parameters, fit times and training curves, the evaluation's metrics
 * and report, the bundle written; FAILED with the error when the training throws.
 */
import { buildInteractions, type InteractionWeights } from '../data/interactions.js';
import { RecoError } from '../errors.js';
import { evaluate, type MetricRow } from '../evaluation/evaluate.js';
import { worldOracle } from '../evaluation/oracle.js';
import { type BundleManifest, type FittedModel, type StoredMetrics, writeBundle } from '../models/bundle.js';
import type { Recommender } from '../recommenders/recommender.js';
import { loadWorld, WORLD_META_KEY } from '../simulation/oracle.js';
import { storeWeights } from '../store/event-types.js';
import type { Store } from '../store/store.js';
import { recordEvaluation, recordInputs, recordingFactory } from '../tracking/record.js';
import { type RunOptions, type RunRecorder, withRun } from '../tracking/run-recorder.js';
import { numericLeaves, weightParams } from '../tracking/run-values.js';
import type { EventLog, ModelName } from '../types.js';
import { fitModels, type ModelFactory, type ModelParams } from './fit-models.js';
import { type TuneReport, tune, withTuned } from './tune.js';

/** NDCG@k is also stored for k = 1..CURVE_K (metrics `ndcg@k`: the web app's curve). */
const CURVE_K = 20;

/** The split `evaluateK` evaluates on. */
const EVALUATION_SPLIT = { kind: 'random', ratio: 0.75, seed: 42 } as const;

export interface TrainBundleOptions {
  store: Store;
  /** Where bundles live. */
  modelsDir: string;
  models: readonly ModelName[];
  create: ModelFactory;
  params?: ModelParams;
  /** First evaluate every model (random per-user 75/25 split, seed 42) at this K and store the metrics. */
  evaluateK?: number;
  /**
   * The events to train on and their store position, read earlier (in one read transaction); default: all
   * the store holds now.
   */
  snapshot?: { log: EventLog; position: number };
  /**
   * Models already fitted on exactly these events (FitData.fitted): one with the parameters asked is
   * written as it is, not fitted again (a study that evaluated a model on the same events).
   */
  fitted?: ReadonlyMap<ModelName, Recommender>;
  /** The bundle's version (default: from the clock). */
  version?: string;
  /** Progress: the evaluation's start (models to evaluate, the oracle counted), each model evaluated. */
  onEvaluateStart?: (total: number, withOracle: boolean) => void;
  onEvaluated?: (row: MetricRow) => void;
  onEvaluateDone?: (split: string) => void;
  /** Progress of the training proper: its start, each model fitted. */
  onTrainStart?: () => void;
  onModelFitted?: (name: ModelName, seconds: number) => void;
  /**
   * Choose the models' key parameters and the event weighting on a validation split first (./tune.ts),
   * within `budgetSeconds`; the user's `params` are kept. `say`: one line per trial.
   */
  tune?: { budgetSeconds: number; say?: (line: string) => void };
  /** The tuning's choices, once made. */
  onTuned?: (report: TuneReport) => void;
  /**
   * The run recorded for this training: its kind (`train`, the default: `reco train`; `retrain`: the
   * server), name and mirror (../tracking/run-recorder.ts).
   */
  run?: Partial<RunOptions>;
}

export interface TrainedBundle {
  manifest: BundleManifest;
  dir: string;
  events: number;
  seconds: number;
  /** The run recorded in the store. */
  runId: string;
}

/** Fits `models` on the whole store and writes the bundle (made current), recorded as a run. */
export async function trainBundle(o: TrainBundleOptions): Promise<TrainedBundle> {
  return withRun(o.store, { kind: 'train', ...o.run }, async (run) => ({
    ...(await train(o, run)),
    runId: run.id,
  }));
}

async function train(o: TrainBundleOptions, run: RunRecorder): Promise<Omit<TrainedBundle, 'runId'>> {
  const { store } = o;
  const started = performance.now();
  // the events up to a position read first: the bundle records exactly what it saw (a server swapping it
  // in replays what was stored after, e.g. during this training, by other processes too)
  const { log, position, items } = o.snapshot
    ? { ...o.snapshot, items: (await store.listItems()).slice(0, o.snapshot.log.itemIds.length) }
    : await store.transaction(async () => {
        const position = await store.eventPosition();
        return {
          position,
          log: await store.loadEventLog({ upTo: position }),
          items: await store.listItems(),
        };
      });
  if (log.length === 0)
    throw new RecoError(
      `the store ${store.path} holds no events: fill it first, e.g. "reco simulate" or "reco import movielens <dir>"`,
    );
  await recordInputs(run, store, log, o.models);
  // each model's resolved parameters, as it is built (the evaluation's and the training's are the same)
  const create = recordingFactory(run, o.create);
  await run.flush();
  let weights: InteractionWeights = storeWeights(store);
  let params: ModelParams | undefined = o.params;
  let tuning: TuneReport | undefined;
  let tuned: Awaited<ReturnType<typeof tune>> | undefined;
  if (o.tune) {
    tuned = await tune(log, items, {
      budgetSeconds: o.tune.budgetSeconds,
      models: o.models,
      fixed: o.params ?? {},
      weights,
      fixedTypes: new Set(
        store
          .eventTypes()
          .filter((t) => t.given)
          .map((t) => t.name),
      ),
      ...(o.tune.say ? { say: o.tune.say } : {}),
    });
    weights = tuned.weights;
    params = withTuned(o.params ?? {}, tuned.params);
  }
  // nothing to tune (e.g. --models popularity): no report
  if (tuned && tuned.report.choices.length > 0) {
    tuning = tuned.report;
    run.param('tune.budget_seconds', String(tuning.budgetSeconds));
    for (const c of tuning.choices) {
      run.param(`tune.${c.target}`, String(c.chosen));
      if (Number.isFinite(c.ndcg)) run.metric(`tune.${c.target}.valid_ndcg_at_10`, c.ndcg);
      if (Number.isFinite(c.defaultNdcg))
        run.metric(`tune.${c.target}.default_valid_ndcg_at_10`, c.defaultNdcg);
    }
    run.metric('tune_seconds', tuning.seconds);
    run.artifact('tuning.json', `${JSON.stringify(tuning, null, 2)}\n`);
    o.onTuned?.(tuning);
  }
  run.paramList(weightParams(weights));
  let metrics: StoredMetrics | undefined;
  if (o.evaluateK !== undefined) {
    const k = o.evaluateK;
    const oracle =
      (await store.getMeta(WORLD_META_KEY)) !== undefined ? worldOracle(await loadWorld(store)) : undefined;
    o.onEvaluateStart?.(o.models.length + (oracle ? 1 : 0), oracle !== undefined);
    const result = await evaluate(log, items, {
      split: EVALUATION_SPLIT,
      k,
      models: [...o.models],
      ...(params ? { params } : {}),
      weights,
      auc: false,
      curveK: CURVE_K,
      create,
      ...(oracle ? { oracle } : {}),
      ...(o.onEvaluated ? { onModelDone: o.onEvaluated } : {}),
    });
    o.onEvaluateDone?.(result.split);
    recordEvaluation(run, EVALUATION_SPLIT, result, 'eval_');
    await run.flush();
    metrics = {
      split: result.split,
      k,
      models: Object.fromEntries(
        result.rows.map((r) => [
          r.model,
          {
            ndcg: r.ndcg,
            precision: r.precision,
            recall: r.recall,
            map: r.map,
            hitRate: r.hitRate,
            coverage: r.coverage,
            ...Object.fromEntries((r.ndcgCurve ?? []).map((v, j) => [`ndcg@${j + 1}`, v])),
          },
        ]),
      ),
    };
  }
  const interactions = buildInteractions(log, weights);
  o.onTrainStart?.();
  const secondsOf = new Map<string, number>();
  const all = await fitModels(
    { interactions, log, items, metrics: run.sink, ...(o.fitted ? { fitted: o.fitted } : {}) },
    o.models,
    {
      create,
      ...(params ? { params } : {}),
      onFitted: (name, model, fitSeconds) => {
        secondsOf.set(name, fitSeconds);
        run.metric(`${name}.fit_seconds`, fitSeconds);
        // a model's own account of its training (ranked: trees and validation metric per label view)
        run.metricList(numericLeaves(`${name}.report`, (model as { report?: unknown }).report));
        o.onModelFitted?.(name, fitSeconds);
      },
    },
  );
  // in the order asked (fitModels fits composite models last); models taken as given (o.fitted) were not
  // fitted here: written all the same
  const fitted: FittedModel[] = o.models.map((name) => ({
    model: all.get(name)!,
    fitSeconds: secondsOf.get(name) ?? 0,
  }));
  const { manifest, dir } = writeBundle({
    modelsDir: o.modelsDir,
    data: {
      db: store.path,
      users: log.userIds.length,
      items: log.itemIds.length,
      events: log.length,
      position,
      firstEvent: log.length > 0 ? log.timestamp[0]! : null,
      lastEvent: log.length > 0 ? log.timestamp[log.length - 1]! : null,
    },
    weights,
    userIds: log.userIds,
    itemIds: log.itemIds,
    models: fitted,
    ...(metrics ? { metrics } : {}),
    ...(tuning ? { tuning } : {}),
    ...(o.version ? { version: o.version } : {}),
  });
  // the replicas sharing the store swap it in (../store/feed.ts)
  await store.feed?.publishBundle(manifest.version);
  const seconds = (performance.now() - started) / 1000;
  run.metric('train_seconds', seconds);
  run.tag('reco.bundle.version', manifest.version);
  run.tag('reco.bundle.dir', dir);
  run.artifact(
    'bundle.json',
    `${JSON.stringify({ version: manifest.version, dir, models: manifest.models.map((m) => m.name), data: manifest.data }, null, 2)}\n`,
  );
  return { manifest, dir, events: log.length, seconds };
}
