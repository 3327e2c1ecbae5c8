/**
 * JSON schemas shared by the routes (validation, response serialisation and the OpenAPI document), written
 * `as const` so that the routes' types derive from them (./schema-types.ts). The answers of the services
 * are in ./answers.ts.
 */

export const MAX_BATCH = 10_000;

export const errorSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    field: { type: 'string', description: 'the request field at fault (bad input)' },
  },
} as const;

/** Error answers every route may give. */
export const errorResponses = {
  400: { description: 'bad input; `field` names the parameter at fault', ...errorSchema },
  401: { description: 'no API key, or an unknown one', ...errorSchema },
  403: { description: 'the key lacks the role this route needs', ...errorSchema },
  429: { description: 'rate limit of the key exceeded', ...errorSchema },
} as const;

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
