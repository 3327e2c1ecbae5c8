import type { Command } from 'commander';
import { RecoError } from '../errors.js';

/** Options every command takes (declared once on the root program). */
export interface GlobalOptions {
  db: string;
  verbose: boolean;
  quiet: boolean;
}

export const DEFAULT_DB = './data/reco.db';

export function defaultDbPath(): string {
  return process.env.RECO_DB && process.env.RECO_DB.length > 0 ? process.env.RECO_DB : DEFAULT_DB;
}

/** The global options as seen from inside a subcommand's action. */
export function globals(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as Partial<GlobalOptions>;
  return { db: o.db ?? defaultDbPath(), verbose: o.verbose === true, quiet: o.quiet === true };
}

/** Wraps an action so that its errors end the process with one clear line and a reliable exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => unknown | Promise<unknown>) {
  return async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (err) {
      const cmd = args[args.length - 1] as Command | undefined;
      const verbose = cmd && typeof cmd.optsWithGlobals === 'function' ? globals(cmd).verbose : false;
      reportError(err, verbose);
    }
  };
}

export function reportError(err: unknown, verbose: boolean): never {
  if (err instanceof RecoError) {
    process.stderr.write(`reco: ${err.message}\n`);
    if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exit(err.exitCode);
  }
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`reco: ${e.message}\n`);
  if (verbose && e.stack) process.stderr.write(`${e.stack}\n`);
  else process.stderr.write('reco: (run with --verbose for the stack trace)\n');
  process.exit(1);
}
