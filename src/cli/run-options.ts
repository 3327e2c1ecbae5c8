/** Options of the commands that record a run (train, evaluate): its name, and the MLflow server it goes to. */
import { UsageError } from '../errors.js';
import { type RunOptions, runNameProblem } from '../tracking/run-recorder.js';

export interface RunFlags {
  runName?: string;
}

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
  return out;
}
