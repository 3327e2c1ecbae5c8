/**
 * WAL checkpoints off the request path. SQLite's automatic checkpoint runs inside the commit that crosses
 * the threshold, fsync included, on the event loop: a request then waits for the disk. The serving
 * connection turns it off and a worker thread with a connection of its own runs PASSIVE checkpoints every
 * `intervalMs` (they never block the writer). Durability is unchanged: a commit is in the WAL file before
 * the answer is sent (synchronous=NORMAL survives a process kill); a checkpoint only copies pages into the
 * database file. Should the worker stop, the automatic checkpoint is turned back on.
 */
import { Worker } from 'node:worker_threads';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';

export class Checkpointer {
  private readonly worker?: Worker;

  constructor(store: Store, intervalMs = 1000, log: (msg: string) => void = () => {}) {
    if (!(store instanceof SqliteStore) || store.path === ':memory:') return;
    const db = store.db;
    const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
      workerData: { path: store.path, intervalMs },
    });
    worker.unref();
    db.pragma('wal_autocheckpoint = 0');
    const restore = () => {
      if (db.open) db.pragma('wal_autocheckpoint = 1000');
    };
    worker.on('message', (m: { error?: string }) => {
      if (m.error) log(`WAL checkpoint: ${m.error}`);
    });
    worker.on('error', (err) => {
      log(`WAL checkpointer stopped (${err.message}); SQLite checkpoints automatically again`);
      restore();
    });
    worker.on('exit', restore);
    this.worker = worker;
  }

  async stop(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    await new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      w.postMessage('stop');
      setTimeout(() => void w.terminate(), 2000).unref();
    });
  }
}
