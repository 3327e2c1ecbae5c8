/** A copy of a tracked run kept elsewhere (e.g. an MLflow tracking server, ./mlflow-rest.ts). */
import type { RunEntry, RunMetric, RunStatus } from '../store/store.js';

/** What a mirror receives at each flush (artifacts stay local). */
export interface MirrorBatch {
  params: RunEntry[];
  metrics: RunMetric[];
  tags: RunEntry[];
}

/** A copy of the run elsewhere (an MLflow tracking server); any method may reject. */
export interface RunMirror {
  /** The run's id there, kept as the local tag `reco.mirror.run_id`. */
  readonly runId?: string;
  log(batch: MirrorBatch): Promise<void>;
  end(status: Exclude<RunStatus, 'RUNNING'>, endTime: number): Promise<void>;
}

/** Opens the mirror of a new run (its name, start time and first tags); may reject. */
export type MirrorFactory = (run: {
  id: string;
  name: string;
  startTime: number;
  tags: RunEntry[];
}) => Promise<RunMirror>;
