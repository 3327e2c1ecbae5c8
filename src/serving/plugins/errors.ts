/**
 * The one error handler: every answer that is not a success is JSON `{statusCode, error, message, field?}`.
 * Schema validation faults are 400 naming the field (`events[3].user`); the services' domain errors
 * (../../errors.ts) map to their status: bad input 400 (with its field), not found 404, conflict 409, a
 * bundle that does not load 422, no bundle 503; other RecoErrors 400; a body that does not parse 400
 * naming `(body)`; Fastify's own 4xx as they are; anything else 500 (logged). Unknown routes are 404.
 * Messages and fields are clipped (an answer never grows with the request).
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ForbiddenError, SignInRefusedError, ThrottledError } from '../../accounts/errors.js';
import {
  BundleLoadError,
  ConflictError,
  type DomainError,
  InvalidInputError,
  NotFoundError,
  RecoError,
  UnavailableError,
} from '../../errors.js';
import { errorSchema } from '../schemas.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  field?: string;
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** "/events/3/user" -> "events[3].user"; the property a `required` or `additionalProperties` error names. */
export function fieldOf(e: AjvError): string {
  let path = '';
  for (const seg of e.instancePath.split('/').slice(1)) {
    const s = seg.replaceAll('~1', '/').replaceAll('~0', '~');
    path += /^\d+$/.test(s) ? `[${s}]` : path === '' ? s : `.${s}`;
  }
  const extra = (e.params['missingProperty'] ?? e.params['additionalProperty']) as string | undefined;
  if (extra !== undefined) path += path === '' ? extra : `.${extra}`;
  return path === '' ? '(body)' : path;
}

function validationMessage(e: AjvError): string {
  if (e.keyword === 'required') return 'is required';
  if (e.keyword === 'additionalProperties') return 'is not a known field';
  if (e.keyword === 'enum') return `${e.message} (${(e.params['allowedValues'] as unknown[]).join(', ')})`;
  return e.message ?? 'is invalid';
}

/** The HTTP status of each kind of domain error: the API's and the web app's (../../web/plugins/errors.tsx). */
const STATUS_OF: [new (...args: never[]) => DomainError, number][] = [
  [InvalidInputError, 400],
  [SignInRefusedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [BundleLoadError, 422],
  [ThrottledError, 429],
  [UnavailableError, 503],
];

/** The HTTP status of a domain error (undefined for any other error). */
export function domainStatus(err: unknown): number | undefined {
  for (const [Kind, status] of STATUS_OF) if (err instanceof Kind) return status;
  return undefined;
}

/** Longest message and field an error answer carries (they may quote the request: a 5,000-character key). */
const MAX_MESSAGE = 1000;
const MAX_FIELD = 200;

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

function body(statusCode: number, message: string, field?: string): ErrorBody {
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message: clip(message, MAX_MESSAGE),
    ...(field !== undefined ? { field: clip(field, MAX_FIELD) } : {}),
  };
}

/**
 * Fastify's answers to requests it cannot route (a URL with malformed percent-encoding: the path is at
 * fault) or whose body or headers it cannot read, in the one error shape.
 */
export function frameworkError(err: FastifyError): ErrorBody {
  if (err.code === 'FST_ERR_BAD_URL')
    return body(400, 'the URL path is not valid percent-encoded text', '(path)');
  if (err.statusCode === 414) return body(414, 'a path parameter is longer than the server reads', '(path)');
  const code =
    typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500
      ? err.statusCode
      : 400;
  return body(code, err.message, code === 400 ? '(request)' : undefined);
}

/**
 * What a connection gets when Node's HTTP parser cannot read its request at all (malformed request line or
 * headers): a 400 in the one error shape, then the connection closes.
 */
export function clientErrorResponse(): string {
  const json = JSON.stringify(body(400, 'the request could not be parsed as HTTP/1.1', '(request)'));
  return `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`;
}

/** The answer to a failed request, and what the server's log says of it (a fault of its own). */
export function errorAnswer(err: FastifyError | Error): { body: ErrorBody; log?: string } {
  const fe = err as FastifyError;
  if (fe.validation && fe.validation.length > 0) {
    const errors = fe.validation as unknown as AjvError[];
    const e = errors.find((x) => x.keyword !== 'if') ?? errors[0]!;
    const field = fieldOf(e);
    return { body: body(400, `${field}: ${validationMessage(e)}`, field) };
  }
  const status = domainStatus(err);
  if (status !== undefined) {
    const de = err as DomainError;
    return { body: body(status, de.message, de.field), ...(de.options.log ? { log: de.options.log } : {}) };
  }
  if (err instanceof RecoError) return { body: body(400, err.message) };
  const code = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  // a body that does not parse (bad JSON, forbidden __proto__ keys): the body as a whole is at fault
  if (code === 400 && (fe.code?.startsWith('FST_ERR_CTP_') || err instanceof SyntaxError))
    return { body: body(400, err.message, '(body)') };
  if (code >= 400 && code < 500) return { body: body(code, err.message) };
  // the server's own fault: no message, path or stack in the answer (the log has them)
  return { body: body(500, 'internal error (the server logged it)'), log: 'request failed' };
}

async function errors(app: FastifyInstance) {
  // the one error shape, as the schema every route's error answers refer to (`Error#`)
  app.addSchema(errorSchema);
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const { body: answer, log } = errorAnswer(err);
    if (log !== undefined) {
      if (answer.statusCode === 500) request.log.error({ err }, log);
      else request.log.error(log);
    }
    return reply.code(answer.statusCode).send(answer);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(body(404, `no route ${request.method} ${request.url.split('?')[0]} (see /docs)`)),
  );
}

export default fp(errors, { name: 'reco-errors', fastify: '5.x' });
