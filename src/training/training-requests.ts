/**
 * Trainings asked for through a store shared by several processes (PostgreSQL with replicas, issue #16):
 * a replica's POST /v1/models/retrain records a request and announces it; `reco train-worker` takes it,
 * one training at a time across every worker (the store feed's `training` lock), and records its status,
 * which the replicas read. Kept in the store's meta: the latest request (requests made while one waits
 * are one training) and the status of the last one taken.
 */
import { randomBytes } from 'node:crypto';
import type { StoreFeed } from '../store/feed.js';
import type { Store } from '../store/store.js';

const REQUEST_KEY = 'training.request';
const STATUS_KEY = 'training.status';

export interface TrainingRequest {
  id: string;
  /** The models to train (empty: the worker's own list). */
  models: string[];
  /** ms since the epoch. */
  requestedAt: number;
}

export interface TrainingStatus {
  state: 'queued' | 'running' | 'done' | 'failed';
  /** The request it answers. */
  request: string;
  startedAt?: string;
  finishedAt?: string;
  version?: string;
  error?: string;
}

async function readJson<T>(store: Store, key: string): Promise<T | undefined> {
  const raw = await store.getMeta(key);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as T;
  } catch {
    return undefined; // not written by reco: as if absent
  }
}

/** Records a request (replacing one still waiting) and tells the workers; returns it. */
export async function requestTraining(
  store: Store,
  feed: StoreFeed,
  models: string[],
): Promise<TrainingRequest> {
  const request: TrainingRequest = { id: randomBytes(8).toString('hex'), models, requestedAt: Date.now() };
  await store.transaction(async () => {
    await store.setMeta(REQUEST_KEY, JSON.stringify(request));
    await feed.announce({ topic: 'retrain' });
  });
  return request;
}

/** The latest request and the status of the last one taken. */
export async function trainingState(
  store: Store,
): Promise<{ request: TrainingRequest | undefined; status: TrainingStatus | undefined }> {
  const [request, status] = await Promise.all([
    readJson<TrainingRequest>(store, REQUEST_KEY),
    readJson<TrainingStatus>(store, STATUS_KEY),
  ]);
  return { request, status };
}

/** The latest request's status as clients see it: queued until a worker takes it. */
export async function latestTrainingStatus(store: Store): Promise<TrainingStatus | undefined> {
  const { request, status } = await trainingState(store);
  if (request && status?.request !== request.id) return { state: 'queued', request: request.id };
  return status;
}

/** Records a training's status and tells the replicas. */
export async function recordTrainingStatus(
  store: Store,
  feed: StoreFeed,
  status: TrainingStatus,
): Promise<void> {
  await store.transaction(async () => {
    await store.setMeta(STATUS_KEY, JSON.stringify(status));
    await feed.announce({ topic: 'training' });
  });
}

/**
 * Takes the latest request not yet taken, if any, holding the training lock: `train` runs it (resolving
 * with the bundle's version), and its status is recorded before and after. Returns whether one ran.
 */
export function takeTraining(
  store: Store,
  feed: StoreFeed,
  train: (request: TrainingRequest) => Promise<string>,
): Promise<boolean> {
  return feed.exclusively('training', async () => {
    const { request, status } = await trainingState(store);
    if (!request || status?.request === request.id) return false;
    const startedAt = new Date().toISOString();
    await recordTrainingStatus(store, feed, { state: 'running', request: request.id, startedAt });
    try {
      const version = await train(request);
      await recordTrainingStatus(store, feed, {
        state: 'done',
        request: request.id,
        startedAt,
        finishedAt: new Date().toISOString(),
        version,
      });
    } catch (err) {
      await recordTrainingStatus(store, feed, {
        state: 'failed',
        request: request.id,
        startedAt,
        finishedAt: new Date().toISOString(),
        error: (err as Error).message,
      });
    }
    return true;
  });
}
