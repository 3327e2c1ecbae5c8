/** An error with an HTTP status and, for bad input, the request field at fault (e.g. "events[3].item"). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (field: string, message: string) =>
  new HttpError(400, `${field}: ${message}`, field);
export const notFound = (message: string, field?: string) => new HttpError(404, message, field);
