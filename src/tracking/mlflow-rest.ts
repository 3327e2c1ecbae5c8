/**
 * Runs mirrored to an MLflow tracking server through its REST API (/api/2.0/mlflow/): the experiment
 * found by name or created (experiments/get-by-name, experiments/create), the run created
 * (runs/create, with its first tags), params, metrics and tags sent at each flush (runs/log-batch, in
 * chunks within the server's limits), the run ended (runs/update). Node's global fetch, a timeout per
 * request, no retry: the recorder (./run-recorder.ts) drops a mirror at its first failure, with one
 * warning line, and the run goes on in the store.
 *
 * Where: `--mlflow URI` or the environment's MLFLOW_TRACKING_URI (http or https); the experiment:
 * MLFLOW_EXPERIMENT_NAME, else "reco"; credentials, as MLflow's client reads them:
 * MLFLOW_TRACKING_TOKEN (bearer) or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (basic).
 */
import type { RunEntry, RunMetric, RunStatus } from '../store/store.js';
import type { MirrorBatch, MirrorFactory } from './run-mirror.js';

/** runs/log-batch limits (mlflow/utils/validation.py): per request, and the longest values. */
export const LOG_BATCH_LIMITS = {
  metrics: 1000,
  params: 100,
  tags: 100,
  total: 1000,
  /** The request body (1 MB); chunks are cut below it with room to spare. */
  bytes: 1_000_000,
  paramValue: 6000,
  tagValue: 5000,
} as const;

export const DEFAULT_EXPERIMENT = 'reco';
export const DEFAULT_TIMEOUT_MS = 10_000;

/** A metric as the REST API takes it: non-finite values as proto3 JSON spells them. */
function metricJson(m: RunMetric): { key: string; value: number | string; timestamp: number; step: number } {
  const value = Number.isNaN(m.value)
    ? 'NaN'
    : m.value === Number.POSITIVE_INFINITY
      ? 'Infinity'
      : m.value === Number.NEGATIVE_INFINITY
        ? '-Infinity'
        : m.value;
  return { key: m.key, value, timestamp: m.timestamp, step: m.step };
}

const truncated = (e: RunEntry, max: number): RunEntry =>
  e.value.length > max ? { key: e.key, value: e.value.slice(0, max) } : e;

export interface LogBatchBody {
  metrics?: ReturnType<typeof metricJson>[];
  params?: RunEntry[];
  tags?: RunEntry[];
}

/**
 * A batch cut into runs/log-batch bodies within the limits: each takes, in order, up to 100 params, up to
 * 100 tags and as many metrics as keep it at 1,000 items at most, and stays well under 1 MB; every kind
 * keeps its order across the bodies. Values longer than the server takes are cut to its limit.
 */
export function logBatchChunks(batch: MirrorBatch): LogBatchBody[] {
  const queues = {
    params: batch.params.map((p) => truncated(p, LOG_BATCH_LIMITS.paramValue)),
    tags: batch.tags.map((t) => truncated(t, LOG_BATCH_LIMITS.tagValue)),
    metrics: batch.metrics.map(metricJson),
  };
  const next = { params: 0, tags: 0, metrics: 0 };
  const maxBytes = LOG_BATCH_LIMITS.bytes * 0.9;
  const chunks: LogBatchBody[] = [];
  while ((['params', 'tags', 'metrics'] as const).some((kind) => next[kind] < queues[kind].length)) {
    const body: LogBatchBody = {};
    let items = 0;
    let bytes = 0;
    for (const kind of ['params', 'tags', 'metrics'] as const) {
      const queue: unknown[] = queues[kind];
      const taken: unknown[] = [];
      while (
        next[kind] < queue.length &&
        taken.length < LOG_BATCH_LIMITS[kind] &&
        items < LOG_BATCH_LIMITS.total
      ) {
        const size = Buffer.byteLength(JSON.stringify(queue[next[kind]])) + 1;
        if (items > 0 && bytes + size > maxBytes) break;
        taken.push(queue[next[kind]++]);
        items++;
        bytes += size;
      }
      if (taken.length > 0) (body as Record<string, unknown[]>)[kind] = taken;
    }
    chunks.push(body);
  }
  return chunks;
}

/** An answer other than 200, or no answer. */
export class MlflowRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly errorCode?: string,
  ) {
    super(message);
    this.name = 'MlflowRequestError';
  }
}

export interface MlflowClientOptions {
  timeoutMs?: number;
  /** Environment for the credentials (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The few tracking endpoints a run needs. */
export class MlflowClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(
    readonly uri: string,
    options: MlflowClientOptions = {},
  ) {
    const url = new URL(uri);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new MlflowRequestError(`${uri} is not an http(s) MLflow tracking server`);
    this.base = `${uri.replace(/\/+$/, '')}/api/2.0/mlflow/`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const env = options.env ?? process.env;
    this.headers = { accept: 'application/json' };
    if (env.MLFLOW_TRACKING_TOKEN) this.headers.authorization = `Bearer ${env.MLFLOW_TRACKING_TOKEN}`;
    else if (env.MLFLOW_TRACKING_USERNAME && env.MLFLOW_TRACKING_PASSWORD)
      this.headers.authorization = `Basic ${Buffer.from(`${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD}`).toString('base64')}`;
  }

  private async call<T>(method: 'GET' | 'POST', endpoint: string, body: Record<string, unknown>): Promise<T> {
    const url = new URL(endpoint, this.base);
    const init: RequestInit = {
      method,
      headers: { ...this.headers },
      signal: AbortSignal.timeout(this.timeoutMs),
    };
    if (method === 'GET') for (const [k, v] of Object.entries(body)) url.searchParams.set(k, String(v));
    else {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, init);
      text = await res.text();
    } catch (err) {
      const e = err as Error & { cause?: { message?: string } };
      const why =
        e.name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs / 1000} s`
          : (e.cause?.message ?? e.message);
      throw new MlflowRequestError(`${this.uri}: ${method} ${endpoint}: ${why}`);
    }
    let json: Record<string, unknown> = {};
    try {
      json = text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      if (res.ok)
        throw new MlflowRequestError(
          `${this.uri}: ${method} ${endpoint}: the answer is not JSON`,
          res.status,
        );
    }
    if (!res.ok) {
      const code = typeof json.error_code === 'string' ? json.error_code : undefined;
      const message = typeof json.message === 'string' ? json.message : text.slice(0, 200);
      throw new MlflowRequestError(
        `${this.uri}: ${method} ${endpoint} answered ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`,
        res.status,
        code,
      );
    }
    return json as T;
  }

  /** The id of the active experiment `name`, or undefined when there is none. */
  async experimentId(name: string): Promise<string | undefined> {
    try {
      const r = await this.call<{ experiment?: { experiment_id?: string } }>(
        'GET',
        'experiments/get-by-name',
        {
          experiment_name: name,
        },
      );
      return r.experiment?.experiment_id;
    } catch (err) {
      if (err instanceof MlflowRequestError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }

  /** The experiment `name`, created when missing (found again if another client created it meanwhile). */
  async ensureExperiment(name: string): Promise<string> {
    const found = await this.experimentId(name);
    if (found !== undefined) return found;
    try {
      const r = await this.call<{ experiment_id?: string }>('POST', 'experiments/create', { name });
      if (typeof r.experiment_id === 'string') return r.experiment_id;
      throw new MlflowRequestError('POST experiments/create: no experiment_id in the answer');
    } catch (err) {
      if (err instanceof MlflowRequestError && err.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const again = await this.experimentId(name);
        if (again !== undefined) return again;
      }
      throw err;
    }
  }

  async createRun(run: {
    experimentId: string;
    name: string;
    startTime: number;
    tags: RunEntry[];
  }): Promise<string> {
    const r = await this.call<{ run?: { info?: { run_id?: string } } }>('POST', 'runs/create', {
      experiment_id: run.experimentId,
      run_name: run.name,
      start_time: run.startTime,
      tags: run.tags.map((t) => truncated(t, LOG_BATCH_LIMITS.tagValue)),
    });
    const id = r.run?.info?.run_id;
    if (typeof id !== 'string') throw new MlflowRequestError('POST runs/create: no run_id in the answer');
    return id;
  }

  /** Sends the batch in as many runs/log-batch requests as the limits need, in order. */
  async logBatch(runId: string, batch: MirrorBatch): Promise<void> {
    for (const chunk of logBatchChunks(batch))
      await this.call('POST', 'runs/log-batch', { run_id: runId, ...chunk });
  }

  async updateRun(runId: string, status: Exclude<RunStatus, 'RUNNING'>, endTime: number): Promise<void> {
    await this.call('POST', 'runs/update', { run_id: runId, status, end_time: endTime });
  }
}

export interface MlflowMirrorOptions extends MlflowClientOptions {
  /** Default: MLFLOW_EXPERIMENT_NAME, else "reco". */
  experiment?: string;
}

/** A run mirror (./run-recorder.ts) on the MLflow tracking server at `uri`. */
export function mlflowMirror(uri: string, options: MlflowMirrorOptions = {}): MirrorFactory {
  return async (run) => {
    const client = new MlflowClient(uri, options);
    const env = options.env ?? process.env;
    const experiment = options.experiment ?? (env.MLFLOW_EXPERIMENT_NAME || DEFAULT_EXPERIMENT);
    const experimentId = await client.ensureExperiment(experiment);
    const runId = await client.createRun({
      experimentId,
      name: run.name,
      startTime: run.startTime,
      tags: [...run.tags, { key: 'reco.run_id', value: run.id }],
    });
    return {
      runId,
      log: (batch) => client.logBatch(runId, batch),
      end: (status, endTime) => client.updateRun(runId, status, endTime),
    };
  };
}

/** The mirror the environment asks for (MLFLOW_TRACKING_URI), if any. */
export function mirrorFromEnv(env: NodeJS.ProcessEnv = process.env): MirrorFactory | undefined {
  const uri = env.MLFLOW_TRACKING_URI;
  return uri ? mlflowMirror(uri, { env }) : undefined;
}
