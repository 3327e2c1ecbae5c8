/**
 * Recording a run: a training or an evaluation opens one (withRun), logs what it used and measured while
 * it works, and ends it FINISHED, or FAILED with the error's message when it throws.
 *
 * The run lives in the store (Store.createRun / logRun / finishRun). What is logged waits in memory until
 * the next flush (the caller flushes between phases; ending flushes), so that a model's curve costs no
 * write per iteration. A mirror (an MLflow tracking server, ./mlflow-rest.ts) receives the same params,
 * metrics and tags at each flush; a mirror that fails is dropped with one warning line and the run goes
 * on locally: tracking never fails a training.
 *
 * Every key goes through runKey (./run-values.ts). Params are immutable, as in MLflow: logging a param
 * again with another value throws at once.
 */
import { randomUUID } from 'node:crypto';
import { RecoError } from '../errors.js';
import { versionId } from '../models/bundle.js';
import type { MetricSink } from '../recommenders/recommender.js';
import type { RunArtifact, RunEntry, RunKind, RunMetric, RunStatus, Store } from '../store/store.js';
import { mirrorFromEnv } from './mlflow-rest.js';
import { gitCommit, recoVersion, userName } from './provenance.js';
import type { MirrorFactory, RunMirror } from './run-mirror.js';
import { runKey } from './run-values.js';

export interface RunOptions {
  kind: RunKind;
  /** Default: `<kind>-<UTC time>` (e.g. train-20261126-043512-123). */
  name?: string;
  /**
   * Where the run is mirrored (./mlflow-rest.ts mlflowMirror); default: the MLflow server of the
   * environment's MLFLOW_TRACKING_URI, if set; null: nowhere.
   */
  mirror?: MirrorFactory | null;
  /** One-line warnings (a mirror that fails); default: stderr, prefixed `reco: `. */
  warn?: (line: string) => void;
}

/** MLflow's `mlflow.source.name` of each kind of run. */
const SOURCES: Record<RunKind, string> = {
  train: 'reco train',
  evaluate: 'reco evaluate',
  retrain: 'reco serve (retrain)',
  loop: 'reco loop',
  study: 'reco study',
};

/** A run name: one line of at most 250 characters. */
export function runNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 250) return 'must have 1 to 250 characters';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'must be one line without control characters';
  return undefined;
}

const stderrWarn = (line: string) => void process.stderr.write(`reco: ${line}\n`);

export class RunRecorder {
  /** Where models report their training curves (FitData.metrics): logged as metrics with their step. */
  readonly sink: MetricSink = (key, value, step) => this.metric(key, value, step);
  private params: RunEntry[] = [];
  private metrics: RunMetric[] = [];
  private tags: RunEntry[] = [];
  private artifacts: RunArtifact[] = [];
  private readonly paramValues = new Map<string, string>();
  private mirror: RunMirror | undefined;

  private constructor(
    private readonly store: Store,
    readonly id: string,
    readonly name: string,
    private readonly warn: (line: string) => void,
  ) {}

  /** Creates the run (RUNNING) with its provenance tags, and its mirror when asked for. */
  static async start(store: Store, options: RunOptions): Promise<RunRecorder> {
    const startTime = Date.now();
    const name = options.name ?? `${options.kind}-${versionId(new Date(startTime))}`;
    const problem = runNameProblem(name);
    if (problem) throw new RecoError(`run name ${problem}: "${name}"`);
    const id = randomUUID().replaceAll('-', '');
    const commit = gitCommit();
    const tags: RunEntry[] = [
      { key: 'mlflow.runName', value: name },
      { key: 'mlflow.user', value: userName() },
      { key: 'mlflow.source.name', value: SOURCES[options.kind] },
      { key: 'mlflow.source.type', value: 'LOCAL' },
      ...(commit ? [{ key: 'mlflow.source.git.commit', value: commit }] : []),
      { key: 'reco.version', value: recoVersion() },
      { key: 'reco.kind', value: options.kind },
    ];
    await store.transaction(async () => {
      await store.createRun({ id, name, kind: options.kind, startTime });
      await store.logRun(id, { tags });
    });
    const run = new RunRecorder(store, id, name, options.warn ?? stderrWarn);
    const mirror = options.mirror === undefined ? mirrorFromEnv() : (options.mirror ?? undefined);
    if (mirror) {
      try {
        run.mirror = await mirror({ id, name, startTime, tags });
        if (run.mirror.runId)
          await store.logRun(id, { tags: [{ key: 'reco.mirror.run_id', value: run.mirror.runId }] });
      } catch (err) {
        run.dropMirror(err, 'cannot create the run');
      }
    }
    return run;
  }

  param(key: string, value: string): void {
    const k = runKey(key);
    const old = this.paramValues.get(k);
    if (old === value) return;
    if (old !== undefined)
      throw new RecoError(`run ${this.id}: param "${k}" is already "${old}" and cannot become "${value}"`);
    this.paramValues.set(k, value);
    this.params.push({ key: k, value });
  }

  paramList(entries: readonly RunEntry[]): void {
    for (const e of entries) this.param(e.key, e.value);
  }

  tag(key: string, value: string): void {
    this.tags.push({ key: runKey(key), value });
  }

  tagList(entries: readonly RunEntry[]): void {
    for (const e of entries) this.tag(e.key, e.value);
  }

  /** Appends a value of metric `key` (step 0 unless it is an iteration's), timestamped now. */
  metric(key: string, value: number, step = 0): void {
    this.metrics.push({ key: runKey(key), value, timestamp: Date.now(), step });
  }

  metricList(entries: readonly (readonly [string, number])[]): void {
    for (const [key, value] of entries) this.metric(key, value);
  }

  artifact(path: string, content: string | Buffer): void {
    this.artifacts.push({ path, content: typeof content === 'string' ? Buffer.from(content) : content });
  }

  /** Writes what was logged since the last flush to the store, then to the mirror. */
  async flush(): Promise<void> {
    const batch = { params: this.params, metrics: this.metrics, tags: this.tags };
    const artifacts = this.artifacts;
    this.params = [];
    this.metrics = [];
    this.tags = [];
    this.artifacts = [];
    if (batch.params.length + batch.metrics.length + batch.tags.length + artifacts.length === 0) return;
    await this.store.logRun(this.id, { ...batch, artifacts });
    if (this.mirror && batch.params.length + batch.metrics.length + batch.tags.length > 0) {
      try {
        await this.mirror.log(batch);
      } catch (err) {
        this.dropMirror(err, 'cannot log to the run');
      }
    }
  }

  /** Flushes, then ends the run (and its mirror) with `status`; a FAILED run keeps `error`. */
  async end(status: Exclude<RunStatus, 'RUNNING'>, error?: string): Promise<void> {
    if (error !== undefined) this.tag('reco.error', error.slice(0, 5000));
    await this.flush();
    const endTime = Date.now();
    await this.store.finishRun(this.id, status, endTime, error);
    if (this.mirror) {
      try {
        await this.mirror.end(status, endTime);
      } catch (err) {
        this.dropMirror(err, 'cannot end the run');
      }
    }
  }

  /** Forgets the mirror after its first failure, with one warning line. */
  private dropMirror(err: unknown, what: string): void {
    this.mirror = undefined;
    const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ');
    this.warn(
      `mlflow: ${what}: ${message}; run ${this.id} is kept in the store only (reco runs show ${this.id})`,
    );
  }
}

/**
 * Runs `body` inside a new run: FINISHED when it resolves, FAILED (with the error's message) when it
 * throws, the error then rethrown as it was.
 */
export async function withRun<T>(
  store: Store,
  options: RunOptions,
  body: (run: RunRecorder) => Promise<T>,
): Promise<T> {
  const run = await RunRecorder.start(store, options);
  let out: T;
  try {
    out = await body(run);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // the training's own error is what the caller must see, even if the store refuses the end too
    await run.end('FAILED', message).catch(() => undefined);
    throw err;
  }
  await run.end('FINISHED');
  return out;
}
