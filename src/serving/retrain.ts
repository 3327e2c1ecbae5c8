/**
 * Background retraining for POST /v1/models/retrain: the training library (../training/train-bundle.ts)
 * runs in a worker thread (so the server's event loop keeps answering), writes a new bundle and makes it
 * current; the server then loads and checks it and swaps it in with one assignment (ModelHolder.swapAsync:
 * loaded in steps, the new rank threads warmed up while the old bundle serves, so requests keep flowing). A
 * failed training or a bundle that does not load leaves the serving bundle in place; the error is kept in
 * the status (and /health).
 */
import { ConflictError } from '../errors.js';
import { trainInWorker } from '../training/train-in-worker.js';
import type { ModelName } from '../types.js';
import type { ModelHolder } from './services/model-holder.js';

/** Trains a bundle into `modelsDir` from the store at `db`, making it current; rejects on failure. */
export type Trainer = (job: { db: string; modelsDir: string; models: ModelName[] }) => Promise<unknown>;

export interface RetrainStatus {
  state: 'idle' | 'running' | 'done' | 'failed';
  startedAt?: string;
  finishedAt?: string;
  version?: string;
  error?: string;
}

export class Retrainer {
  status: RetrainStatus = { state: 'idle' };
  private running?: Promise<void>;

  constructor(
    private readonly models: ModelHolder,
    /** The store's database file. */
    private readonly db: string,
    private readonly trainer: Trainer = trainInWorker,
    private readonly log: (level: 'info' | 'error', msg: string) => void = () => {},
  ) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Starts a training (a conflict while one runs); `done()` resolves once it has finished and been swapped in. */
  start(): void {
    if (this.running) throw new ConflictError('a training is already running');
    this.status = { state: 'running', startedAt: new Date().toISOString() };
    const slot = this.models.slot;
    const models: ModelName[] = slot
      ? [...slot.models.keys(), ...(slot.bundle.has('ranked') ? (['ranked'] as const) : [])]
      : [];
    this.running = this.trainer({ db: this.db, modelsDir: this.models.modelsDir, models })
      .then(async () => {
        const slot = await this.models.swapAsync();
        this.status = {
          ...this.status,
          state: 'done',
          finishedAt: new Date().toISOString(),
          version: slot.version,
        };
        this.log('info', `retrained: bundle ${slot.version} now serving`);
      })
      .catch((err: unknown) => {
        const message = (err as Error).message;
        this.status = {
          ...this.status,
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

  /** Waits for the running training, if any (tests, shutdown). */
  async done(): Promise<void> {
    await this.running;
  }
}
