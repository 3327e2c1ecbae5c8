/**
 * Training as a library call: fit the models on every event of a store and save them as a new versioned
 * bundle, made current (../models/bundle.ts). `reco train` and the server's retrainer both call it (the
 * server in a worker thread: ./train-worker.ts), so that a bundle is made one way whoever asks.
 */
import { buildInteractions, type InteractionWeights } from '../data/interactions.js';
import { RecoError } from '../errors.js';
import { evaluate, type MetricRow } from '../evaluation/evaluate.js';
import { worldOracle } from '../evaluation/oracle.js';
import { type BundleManifest, type FittedModel, type StoredMetrics, writeBundle } from '../models/bundle.js';
import { loadWorld, WORLD_META_KEY } from '../simulation/oracle.js';
import { storeWeights } from '../store/event-types.js';
import type { Store } from '../store/store.js';
import type { EventLog, ModelName } from '../types.js';
import { fitModels, type ModelFactory, type ModelParams } from './fit-models.js';

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
  /** The bundle's version (default: from the clock). */
  version?: string;
  /** Progress: the evaluation's start (models to evaluate, the oracle counted), each model evaluated. */
  onEvaluateStart?: (total: number, withOracle: boolean) => void;
  onEvaluated?: (row: MetricRow) => void;
  onEvaluateDone?: (split: string) => void;
  /** Progress of the training proper: its start, each model fitted. */
  onTrainStart?: () => void;
  onModelFitted?: (name: ModelName, seconds: number) => void;
}

export interface TrainedBundle {
  manifest: BundleManifest;
  dir: string;
  events: number;
  seconds: number;
}

/** Fits `models` on the whole store and writes the bundle (made current). */
export async function trainBundle(o: TrainBundleOptions): Promise<TrainedBundle> {
  const { store } = o;
  const started = performance.now();
  // the events and their position in one read transaction: the bundle records exactly what it saw
  // (a server swapping it in replays what was stored after, e.g. during this training)
  const { log, position, items } = o.snapshot
    ? { ...o.snapshot, items: store.listItems().slice(0, o.snapshot.log.itemIds.length) }
    : store.transaction(() => ({
        log: store.loadEventLog(),
        position: store.eventPosition(),
        items: store.listItems(),
      }));
  if (log.length === 0)
    throw new RecoError(
      `the store ${store.path} holds no events: fill it first, e.g. "reco simulate" or "reco import movielens <dir>"`,
    );
  const weights: InteractionWeights = storeWeights(store);
  let metrics: StoredMetrics | undefined;
  if (o.evaluateK !== undefined) {
    const k = o.evaluateK;
    const oracle = store.getMeta(WORLD_META_KEY) !== undefined ? worldOracle(loadWorld(store)) : undefined;
    o.onEvaluateStart?.(o.models.length + (oracle ? 1 : 0), oracle !== undefined);
    const result = await evaluate(log, items, {
      split: { kind: 'random', ratio: 0.75, seed: 42 },
      k,
      models: [...o.models],
      ...(o.params ? { params: o.params } : {}),
      weights,
      auc: false,
      create: o.create,
      ...(oracle ? { oracle } : {}),
      ...(o.onEvaluated ? { onModelDone: o.onEvaluated } : {}),
    });
    o.onEvaluateDone?.(result.split);
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
          },
        ]),
      ),
    };
  }
  const interactions = buildInteractions(log, weights);
  o.onTrainStart?.();
  const fitted: FittedModel[] = [];
  await fitModels({ interactions, log, items }, o.models, {
    create: o.create,
    ...(o.params ? { params: o.params } : {}),
    onFitted: (name, model, fitSeconds) => {
      fitted.push({ model, fitSeconds });
      o.onModelFitted?.(name, fitSeconds);
    },
  });
  // in the order asked (fitModels fits composite models last)
  fitted.sort((a, b) => o.models.indexOf(a.model.name) - o.models.indexOf(b.model.name));
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
    ...(o.version ? { version: o.version } : {}),
  });
  return { manifest, dir, events: log.length, seconds: (performance.now() - started) / 1000 };
}
