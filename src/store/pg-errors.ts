/**
 * PostgreSQL faults that mean the database cannot be reached (stopped, restarting, the network gone), told
 * apart from the others so that serving answers 503 with a clear message instead of 500: reads keep being
 * answered from memory, and a write that fails so was not acknowledged (../serving/plugins/errors.ts).
 */
import { UnavailableError } from '../errors.js';

/** Node's socket errors and PostgreSQL's connection and shutdown SQLSTATEs. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/** Messages of node-postgres for a connection that ended or never came. */
const UNREACHABLE_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i;

/** `err` as an UnavailableError naming the database when it says the database cannot be reached; else itself. */
export function asUnavailable(err: unknown, database: string): unknown {
  if (!(err instanceof Error) || err instanceof UnavailableError) return err;
  const code = (err as { code?: unknown }).code;
  if ((typeof code === 'string' && UNREACHABLE.has(code)) || UNREACHABLE_MESSAGE.test(err.message))
    return new UnavailableError(
      `the database ${database} cannot be reached (${err.message}); nothing was written, try again later`,
    );
  return err;
}
