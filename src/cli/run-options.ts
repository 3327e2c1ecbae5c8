/** Options of the commands that record a run (train, evaluate): its name, the MLflow server it also goes to. */
import { UsageError } from '../errors.js';
import { mlflowMirror } from '../tracking/mlflow-rest.js';
import { type RunOptions, runNameProblem } from '../tracking/run-recorder.js';

export interface RunFlags {
  runName?: string;
  mlflow?: string;
}

/** The help of --mlflow. */
export const MLFLOW_HELP =
  'also log the run to this MLflow tracking server (http or https; default: env MLFLOW_TRACKING_URI)';

/** The help of --run-name (commands declare it in their option chain). */
export const RUN_NAME_HELP = 'name of the run recorded (default: <kind>-<UTC time>)';

/** The run options the flags ask for; a bad name is a usage error naming --run-name. */
export function runOptionsFrom(flags: RunFlags): Partial<RunOptions> {
  const out: Partial<RunOptions> = {};
  if (flags.runName !== undefined) {
    const problem = runNameProblem(flags.runName);
    if (problem) throw new UsageError(`--run-name ${problem}, got "${flags.runName}"`);
    out.name = flags.runName;
  }
  if (flags.mlflow !== undefined) {
    if (!/^https?:\/\/[^/]/.test(flags.mlflow))
      throw new UsageError(
        `--mlflow must be an http(s) URL of an MLflow tracking server, got "${flags.mlflow}"`,
      );
    out.mirror = mlflowMirror(flags.mlflow);
  }
  return out;
}
