/**
 * Errors that reach the user. A RecoError carries a message that names what is at fault (file, line,
 * field or parameter) and the exit code the CLI ends with; anything else is a bug and shows its stack
 * with --verbose.
 */
export class RecoError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'RecoError';
  }
}

/** Bad input data: names the file, line and column (1-based) where it is known. */
export class InputError extends RecoError {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly column?: string | number,
  ) {
    const where = [
      file,
      line !== undefined ? `line ${line}` : undefined,
      column !== undefined ? `column ${column}` : undefined,
    ]
      .filter((x) => x !== undefined)
      .join(', ');
    super(where ? `${where}: ${message}` : message, 1);
    this.name = 'InputError';
  }
}

/** A wrong parameter or option: exit code 2, as for usage errors. */
export class UsageError extends RecoError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/**
 * A fault of a request the services name in their own terms (serving's one error handler,
 * ../serving/plugins/errors.ts, answers each kind with its HTTP status). `field` names the input at
 * fault; `index` the element of a batch the service was given (the caller names it in its own terms:
 * `at`). A message that begins with the field (`item: unknown item "x"`) is renamed with it. `log`: what
 * the server's log says of it, when it is a fault of the server's own making (a bundle that does not load).
 */
export abstract class DomainError extends RecoError {
  constructor(
    readonly detail: string,
    readonly field?: string,
    readonly options: { index?: number; fieldInMessage?: boolean; log?: string } = {},
  ) {
    super(field !== undefined && options.fieldInMessage ? `${field}: ${detail}` : detail);
  }

  get index(): number | undefined {
    return this.options.index;
  }

  /** The same fault with its field named `field` (e.g. "events[3].item" for element 3's "item"). */
  at(field: string): DomainError {
    const Kind = this.constructor as new (
      detail: string,
      field?: string,
      options?: DomainError['options'],
    ) => DomainError;
    const { index: _, ...rest } = this.options;
    return new Kind(this.detail, field, rest);
  }
}

/** Bad input: the message names the field at fault (`k: must be >= 1`). */
export class InvalidInputError extends DomainError {
  constructor(field: string, detail: string, options: { index?: number } = {}) {
    super(detail, field, { ...options, fieldInMessage: true });
    this.name = 'InvalidInputError';
  }

  override at(field: string): DomainError {
    return new InvalidInputError(field, this.detail);
  }
}

/** Something named does not exist (a user, an item). */
export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
}

/** The request contradicts the state: the user exists already, a training runs already. */
export class ConflictError extends DomainError {
  override name = 'ConflictError';
}

/** The service cannot answer now (no model bundle loaded). */
export class UnavailableError extends DomainError {
  override name = 'UnavailableError';
}

/** A model bundle asked for did not load (the previous one keeps serving). */
export class BundleLoadError extends DomainError {
  override name = 'BundleLoadError';
}
