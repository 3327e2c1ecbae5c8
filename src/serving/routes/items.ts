/** Items: GET /v1/items/{id}, GET /v1/items/{id}/similar, POST /v1/items (one or many). */

import { DomainError } from '../../errors.js';
import type { ItemRecord } from '../../types.js';
import { similarAnswerSchema } from '../answers.js';
import { isoTime, parseTime } from '../parse.js';
import type { FromSchema, RoutePlugin } from '../schema-types.js';
import { errorReplies, idParam, itemSchema, MAX_BATCH } from '../schemas.js';

type ItemBody = FromSchema<typeof itemSchema>;

/** GET /v1/items/{id}: the item as stored, with its live counters. */
const itemAnswerSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    genres: { type: 'array', items: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string' } },
    attributes: { type: 'object', additionalProperties: true },
    createdAt: { type: 'string', description: 'ISO 8601' },
    stats: {
      type: 'object',
      properties: {
        events: { type: 'integer' },
        lastEvent: { type: ['string', 'null'], description: 'ISO 8601' },
      },
    },
  },
} as const;

const itemsRoutes: RoutePlugin = async (app) => {
  app.get(
    '/v1/items/:id',
    {
      schema: {
        tags: ['items'],
        summary: 'An item, with its live counters',
        operationId: 'getItem',
        params: idParam,
        response: {
          200: itemAnswerSchema,
          ...errorReplies({ path: true }, { 404: 'unknown item' }),
        },
      },
    },
    async (request) => {
      const item = await app.itemService.get(request.params.id);
      return { ...item, createdAt: isoTime(item.createdAt) };
    },
  );

  app.get(
    '/v1/items/:id/similar',
    {
      schema: {
        tags: ['items'],
        summary: 'Items similar to an item',
        operationId: 'similarItems',
        params: idParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { k: { type: 'integer', minimum: 1, maximum: 1000, default: 10 } },
        },
        response: { 200: similarAnswerSchema, ...errorReplies({ path: true }, { 404: 'unknown item' }) },
      },
    },
    async (request) => app.similarItems.similar(request.params.id, request.query.k),
  );

  app.post(
    '/v1/items',
    {
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags: ['items'],
        summary: 'Create or update items: one item, or {"items": [...]} (up to 10,000)',
        operationId: 'upsertItems',
        body: {
          type: 'object',
          if: { required: ['items'], properties: { items: {} } },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
          then: {
            type: 'object',
            additionalProperties: false,
            required: ['items'],
            properties: { items: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: itemSchema } },
          },
          else: itemSchema,
        },
        response: {
          200: { type: 'object', properties: { created: { type: 'integer' }, updated: { type: 'integer' } } },
          ...errorReplies({ body: true }),
        },
      },
    },
    async (request) => {
      // FromSchema leaves an if/then/else body open: the two shapes it validated, from the item schema
      const body = request.body as ItemBody | { items: ItemBody[] };
      const batch = 'items' in body;
      const list = 'items' in body ? body.items : [body];
      const records: ItemRecord[] = list.map((it, k) => {
        const { createdAt, ...rest } = it;
        const t = parseTime(createdAt, batch ? `items[${k}].createdAt` : 'createdAt');
        return t === undefined ? rest : { ...rest, createdAt: t };
      });
      try {
        return await app.itemService.upsert(records);
      } catch (err) {
        // a fault of item k, named as the request names it
        if (err instanceof DomainError && err.index !== undefined && err.field !== undefined)
          throw err.at(batch ? `items[${err.index}].${err.field}` : err.field);
        throw err;
      }
    },
  );
};

export default itemsRoutes;
