/**
 * The accounts' own refusals, beside the domain errors of ../errors.ts: the web app's error handler
 * (../web/plugins/errors.ts) answers them 401, 403 and 429 (with Retry-After).
 */
import { DomainError } from '../errors.js';

/** Wrong email or password (which one is not said), or no session. */
export class SignInRefusedError extends DomainError {
  override name = 'SignInRefusedError';
}

/** Signed in, but not allowed (a person on an operator's page). */
export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError';
}

/** Too many wrong passwords: wait `retryAfter` seconds. */
export class ThrottledError extends DomainError {
  override name = 'ThrottledError';
  constructor(
    readonly retryAfter: number,
    detail = `too many failed sign-ins: try again in ${retryAfter} s`,
  ) {
    super(detail);
  }
}
