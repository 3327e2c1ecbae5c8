/**
 * Background retraining for POST /v1/models/retrain: the training library (../training/train-bundle.ts)
 * runs in a worker thread (so the server's event loop keeps answering), writes a new bundle and makes it
 * current; the server then loads and checks it and swaps it in with one assignment (ModelHolder.swapAsync:
 * loaded in steps, the new rank threads warmed up while the old bundle serves, so requests keep flowing). A
 * failed training or a bundle that does not load leaves the serving bundle in place; the error is kept in
 * the status (and /health). Over a store shared by replicas (a store with a feed), the training is not
 * the replica's: a request is recorded for `reco train-worker` (../training/training-requests.ts), whose
 * status is read back, and every replica swaps the published bundle in (./services/log-follower.ts).
 */
import { ConflictError } from '../errors.js';
import type { StoreFeed } from '../store/feed.js';
import type { Store } from '../store/store.js';
import { trainInWorker } from '../training/train-in-worker.js';
import { latestTrainingStatus, requestTraining } from '../training/training-requests.js';
import type { ModelName } from '../types.js';
import type { ModelHolder } from './services/model-holder.js';

/** Trains a bundle into `modelsDir` from the store at `db`, making it current; rejects on failure. */
export type Trainer = (job: { db: string; modelsDir: string; models: ModelName[] }) => Promise<unknown>;

export interface RetrainStatus {
  state: 'idle' | 'queued' | 'running' | 'done' | 'failed';
  startedAt?: string;
  finishedAt?: string;
  version?: string;
  error?: string;
}

/** How often a replica reads the train worker's status again when asked for it. */
const REMOTE_STATUS_MS = 1000;

export class Retrainer {
  private ownStatus: RetrainStatus = { state: 'idle' };
  private running?: Promise<void>;
  private remoteReadAt = 0;

  constructor(
    private readonly models: ModelHolder,
    /** The store's database file. */
    private readonly db: string,
    private readonly trainer: Trainer = trainInWorker,
    private readonly log: (level: 'info' | 'error', msg: string) => void = () => {},
    /** A store shared by replicas: trainings are requested from `reco train-worker`. */
    private readonly shared?: { store: Store; feed: StoreFeed },
  ) {}

  /** The last training's status (a replica's: the train worker's, read again at most every second). */
  get status(): RetrainStatus {
    if (this.shared && Date.now() - this.remoteReadAt > REMOTE_STATUS_MS) {
      this.remoteReadAt = Date.now();
      void this.readRemote(this.shared.store);
    }
    return this.ownStatus;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  private async readRemote(store: Store): Promise<void> {
    try {
      const s = await latestTrainingStatus(store);
      if (s) {
        const { request: _, ...status } = s;
        this.ownStatus = status;
      }
    } catch {
      this.remoteReadAt = 0; // the store did not answer: the next read tries again
    }
  }

  /**
   * Starts a training (a conflict while one runs); `done()` resolves once it has finished and been swapped
   * in. A replica records a request for the train worker instead.
   */
  async start(): Promise<void> {
    if (this.shared) {
      await requestTraining(this.shared.store, this.shared.feed, this.currentModels());
      this.ownStatus = { state: 'queued' };
      this.remoteReadAt = Date.now();
      return;
    }
    if (this.running) throw new ConflictError('a training is already running');
    this.ownStatus = { state: 'running', startedAt: new Date().toISOString() };
    const models = this.currentModels();
    this.running = this.trainer({ db: this.db, modelsDir: this.models.modelsDir, models })
      .then(async () => {
        const slot = await this.models.swapAsync();
        this.ownStatus = {
          ...this.ownStatus,
          state: 'done',
          finishedAt: new Date().toISOString(),
          version: slot.version,
        };
        this.log('info', `retrained: bundle ${slot.version} now serving`);
      })
      .catch((err: unknown) => {
        const message = (err as Error).message;
        this.ownStatus = {
          ...this.ownStatus,
          state: 'failed',
          finishedAt: new Date().toISOString(),
          error: message,
        };
        this.log('error', `retraining failed, the previous bundle keeps serving: ${message}`);
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  /** The models of the bundle serving (none: every model). */
  private currentModels(): ModelName[] {
    const slot = this.models.slot;
    return slot ? [...slot.models.keys(), ...(slot.bundle.has('ranked') ? (['ranked'] as const) : [])] : [];
  }

  /** Waits for the running training, if any (tests, shutdown). */
  async done(): Promise<void> {
    await this.running;
  }
}
