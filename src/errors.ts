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
