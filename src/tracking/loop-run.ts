/**
 * The recorder the closed loop (`reco loop`, not built yet) calls: one run of kind `loop` whose every
 * simulated period is a step. The loop opens it with its parameters, logs each period's figures with the
 * period as the step (each a series the Runs page and `reco runs show` draw), and finishes it; a loop
 * that throws ends it FAILED with the message. Each step is flushed at once, so a long loop shows its
 * progress in the store (and in MLflow when mirrored) while it runs.
 *
 *   const run = await LoopRun.start(store, { params: { 'loop.days': '30', 'loop.retrain_days': '7' } });
 *   try {
 *     for (let day = 1; day <= 30; day++) await run.step(day, [['ctr', ctr], ['ranked.ndcg_at_10', ndcg]]);
 *     await run.finish();
 *   } catch (err) {
 *     await run.fail(err);
 *     throw err;
 *   }
 */
import type { Store } from '../store/store.js';
import { type RunOptions, RunRecorder } from './run-recorder.js';

export interface LoopRunOptions extends Omit<RunOptions, 'kind'> {
  /** The loop's parameters (world, models, retraining interval, ...), each logged once. */
  params?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
}

export class LoopRun {
  private constructor(private readonly run: RunRecorder) {}

  static async start(store: Store, options: LoopRunOptions = {}): Promise<LoopRun> {
    const { params, ...rest } = options;
    const run = await RunRecorder.start(store, { ...rest, kind: 'loop' });
    const entries = params instanceof Map ? [...params] : Object.entries(params ?? {});
    for (const [key, value] of entries) run.param(key, value);
    await run.flush();
    return new LoopRun(run);
  }

  get id(): string {
    return this.run.id;
  }

  /** A parameter learned on the way (logged once; the same key again must keep its value). */
  param(key: string, value: string): void {
    this.run.param(key, value);
  }

  tag(key: string, value: string): void {
    this.run.tag(key, value);
  }

  /** The figures of one period (`step`: its number, e.g. the simulated day), written at once. */
  async step(step: number, values: Iterable<readonly [string, number]>): Promise<void> {
    for (const [key, value] of values) if (Number.isFinite(value)) this.run.metric(key, value, step);
    await this.run.flush();
  }

  artifact(path: string, content: string | Buffer): void {
    this.run.artifact(path, content);
  }

  async finish(): Promise<void> {
    await this.run.end('FINISHED');
  }

  /** Ends the run FAILED with the error's message (the store's own failure to end it is not rethrown). */
  async fail(err: unknown): Promise<void> {
    await this.run.end('FAILED', err instanceof Error ? err.message : String(err)).catch(() => undefined);
  }
}
