/**
 * Background retraining for POST /v1/models/retrain: `reco train` runs in a child process (so the server's
 * event loop keeps answering), writes a new bundle and makes it current; the server then loads and checks
 * it and swaps it in with one assignment (OnlineState.swap). A failed training or a bundle that does not
 * load leaves the serving bundle in place; the error is kept in the status (and /health).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OnlineState } from './online-state.js';

/** Trains a bundle into `modelsDir` from the store at `db`, making it current; rejects on failure. */
export type Trainer = (job: { db: string; modelsDir: string; models: string[] }) => Promise<void>;

export interface RetrainStatus {
  state: 'idle' | 'running' | 'done' | 'failed';
  startedAt?: string;
  finishedAt?: string;
  version?: string;
  error?: string;
}

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');

/** The default trainer: `reco --db DB --quiet train --models-dir DIR --models LIST` in a child process. */
export const cliTrainer: Trainer = ({ db, modelsDir, models }) =>
  new Promise((resolve, reject) => {
    const args = [CLI, '--db', db, '--quiet', 'train', '--models-dir', modelsDir];
    if (models.length > 0) args.push('--models', models.join(','));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      // the line that says what went wrong: reco's own message, else an error line, else the last one
      const lines = err.trim().split('\n');
      const why =
        lines.find((l) => l.startsWith('reco: ') && !l.includes('--verbose')) ??
        lines.find((l) => /Error\b/.test(l)) ??
        lines[lines.length - 1] ??
        '';
      reject(new Error(`reco train ended with ${signal ?? `exit code ${code}`}: ${why.trim()}`));
    });
  });

export class Retrainer {
  status: RetrainStatus = { state: 'idle' };
  private running?: Promise<void>;

  constructor(
    private readonly state: OnlineState,
    private readonly trainer: Trainer = cliTrainer,
    private readonly log: (level: 'info' | 'error', msg: string) => void = () => {},
  ) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Starts a training unless one runs; resolves (via `done()`) when it has finished and been swapped in. */
  start(): boolean {
    if (this.running) return false;
    this.status = { state: 'running', startedAt: new Date().toISOString() };
    const slot = this.state.slot;
    const models = slot ? [...slot.models.keys(), ...(slot.bundle.has('ranked') ? ['ranked'] : [])] : [];
    this.running = this.trainer({ db: this.state.store.path, modelsDir: this.state.modelsDir, models })
      .then(() => {
        const slot = this.state.swap();
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
    return true;
  }

  /** Waits for the running training, if any (tests, shutdown). */
  async done(): Promise<void> {
    await this.running;
  }
}
