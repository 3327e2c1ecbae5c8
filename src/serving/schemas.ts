/**
 * JSON schemas shared by the routes (validation, response serialisation and the OpenAPI document), written
 * `as const` so that the routes' types derive from them (./schema-types.ts). The answers of the services
 * are in ./answers.ts.
 */
import { MAX_ID_LENGTH } from '../data/valid.js';

export const MAX_BATCH = 10_000;

/** The longest path parameter the router reads (decoded); longer ones answer 414, shorter ones validate. */
export const MAX_PATH_PARAM = 4 * MAX_ID_LENGTH;

/**
 * The one error shape (./plugins/errors.ts), registered with the app as the shared schema `Error`: the
 * OpenAPI document lists it once under components.schemas and every error answer refers to it.
 */
export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    field: { type: 'string', description: 'the request field at fault (bad input)' },
  },
} as const;

/** What each error status means, as the OpenAPI document says it. */
const ERROR_MEANINGS = {
  400: 'bad input; `field` names the parameter, field or part of the request at fault',
  401: 'no API key, or an unknown one',
  403: 'the key lacks the role this route needs',
  404: 'something the request names does not exist',
  409: 'the request contradicts the state',
  413: 'the request body is larger than this route takes',
  414: `a path parameter is longer than the server reads (${MAX_PATH_PARAM} characters)`,
  415: 'the request body is not JSON (send content-type application/json)',
  422: 'the model bundle asked for does not load (the previous one keeps serving)',
  429: 'rate limit of the key (or, without a key, of the client address) exceeded',
  500: "a fault of the server's own (logged; the answer says no more)",
  503: 'no model bundle is loaded (routes that need one), or the server is shutting down',
} as const;

export type ErrorStatus = keyof typeof ERROR_MEANINGS;

/**
 * Error answers of a route, in the one error shape: the statuses any route may give (400, 429, 500, 503),
 * 401 unless the route is public, 403 on admin routes, 413 and 415 on routes that read a body, 414 on routes
 * with path parameters, and `more` (with a description of the route's own where given).
 */
export function errorReplies(
  kind: { auth?: 'public' | 'client' | 'admin'; body?: boolean; path?: boolean } = {},
  more: Partial<Record<ErrorStatus, string>> = {},
): Record<number, { description: string; $ref: 'Error#' }> {
  const codes = new Set<ErrorStatus>([400, 429, 500, 503]);
  if (kind.auth !== 'public') codes.add(401);
  if (kind.auth === 'admin') codes.add(403);
  if (kind.path) codes.add(414);
  if (kind.body) {
    codes.add(413);
    codes.add(415);
  }
  for (const c of Object.keys(more)) codes.add(Number(c) as ErrorStatus);
  const out: Record<number, { description: string; $ref: 'Error#' }> = {};
  for (const c of [...codes].sort((a, b) => a - b))
    out[c] = { description: more[c] ?? ERROR_MEANINGS[c], $ref: 'Error#' };
  return out;
}

/** Error answers of a client route without a body or path parameters. */
export const errorResponses = errorReplies();

export const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

export const eventSchema = {
  type: 'object',
  required: ['user', 'item', 'type'],
  additionalProperties: false,
  properties: {
    user: { type: 'string', minLength: 1, maxLength: 256, description: 'external user id' },
    item: { type: 'string', minLength: 1, maxLength: 256, description: 'external item id' },
    type: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'view, click, like, dislike, rating, purchase or a custom type',
    },
    value: {
      type: 'number',
      // weights are float32: a larger value would overflow the user's profile
      minimum: -1e9,
      maximum: 1e9,
      description: 'rating value, weight or count (default 1)',
    },
    timestamp: {
      type: ['string', 'number'],
      description: 'ISO 8601 date-time, or milliseconds since the epoch (default: now)',
    },
    request: {
      type: 'string',
      minLength: 1,
      maxLength: 256,
      description: 'the request id of the recommendation answer the event responds to (experiments)',
    },
  },
} as const;

export const itemSchema = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 256 },
    title: { type: 'string', maxLength: 1000 },
    genres: { type: 'array', maxItems: 64, items: { type: 'string', minLength: 1, maxLength: 100 } },
    tags: { type: 'array', maxItems: 256, items: { type: 'string', minLength: 1, maxLength: 100 } },
    attributes: { type: 'object', additionalProperties: true },
    createdAt: { type: ['string', 'number'], description: 'release time: ISO 8601 or ms since the epoch' },
  },
} as const;
