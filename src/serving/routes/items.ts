/** Items: GET /v1/items/{id}, GET /v1/items/{id}/similar, POST /v1/items (one or many). */
import type { FastifyInstance } from 'fastify';
import type { ItemRecord } from '../../types.js';
import { badRequest, notFound } from '../http-error.js';
import type { OnlineState } from '../online-state.js';
import { errorResponses, idParam, itemSchema, MAX_BATCH, recommendedItemSchema } from '../schemas.js';

type ItemBody = Omit<ItemRecord, 'createdAt'> & { createdAt?: string | number };

/** The range of a JavaScript Date: +-100,000,000 days from the epoch, in ms. */
const MAX_TIME = 8.64e15;

export function parseTime(v: string | number | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  const t = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(t))
    throw badRequest(field, `not a date-time: "${v}" (use ISO 8601 or ms since the epoch)`);
  if (Math.abs(t) > MAX_TIME)
    throw badRequest(field, `out of the range of dates: ${v} (ms since the epoch within +-${MAX_TIME})`);
  return t;
}

export default async function itemsRoutes(app: FastifyInstance, opts: { state: OnlineState }) {
  const { state } = opts;

  app.get<{ Params: { id: string } }>(
    '/v1/items/:id',
    {
      schema: {
        tags: ['items'],
        summary: 'An item, with its live counters',
        params: idParam,
        response: {
          404: { description: 'unknown item', type: 'object', additionalProperties: true },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const item = state.item(request.params.id);
      if (!item) throw notFound(`unknown item "${request.params.id}"`, 'id');
      return {
        ...item,
        createdAt: item.createdAt !== undefined ? new Date(item.createdAt).toISOString() : undefined,
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { k: number } }>(
    '/v1/items/:id/similar',
    {
      schema: {
        tags: ['items'],
        summary: 'Items similar to an item',
        params: idParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { k: { type: 'integer', minimum: 1, maximum: 1000, default: 10 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              item: { type: 'string' },
              model: { type: ['string', 'null'] },
              version: { type: 'string' },
              note: { type: 'string' },
              items: { type: 'array', items: recommendedItemSchema },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => state.similar(request.params.id, request.query.k),
  );

  app.post<{ Body: ItemBody | { items: ItemBody[] } }>(
    '/v1/items',
    {
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags: ['items'],
        summary: 'Create or update items: one item, or {"items": [...]} (up to 10,000)',
        body: {
          type: 'object',
          if: { required: ['items'] },
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
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const body = request.body;
      const list = 'items' in body && Array.isArray(body.items) ? body.items : [body as ItemBody];
      const batch = 'items' in body && Array.isArray(body.items);
      const records: ItemRecord[] = list.map((it, k) => {
        const { createdAt, ...rest } = it;
        const t = parseTime(createdAt, batch ? `items[${k}].createdAt` : 'createdAt');
        return t === undefined ? rest : { ...rest, createdAt: t };
      });
      return state.upsertItems(records);
    },
  );
}
