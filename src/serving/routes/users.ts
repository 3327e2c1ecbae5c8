/** Users: POST /v1/users (with onboarding preferences), GET /v1/users/{id}, GET /v1/users/{id}/history. */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../http-error.js';
import type { NewUser, OnlineState } from '../online-state.js';
import { errorResponses, idParam } from '../schemas.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export default async function usersRoutes(app: FastifyInstance, opts: { state: OnlineState }) {
  const { state } = opts;
  const store = state.store;

  app.post<{ Body: NewUser }>(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user, with onboarding preferences (genres, liked items)',
        description:
          'Liked items are stored as `like` events; genres are kept with the user. Either makes his recommendations personal at once. 409 if the id exists.',
        body: {
          type: 'object',
          required: ['id'],
          additionalProperties: false,
          properties: {
            id: { type: 'string', minLength: 1, maxLength: 256 },
            attributes: { type: 'object', additionalProperties: true },
            preferences: {
              type: 'object',
              additionalProperties: false,
              properties: {
                genres: {
                  type: 'array',
                  maxItems: 64,
                  items: { type: 'string', minLength: 1, maxLength: 100 },
                },
                items: {
                  type: 'array',
                  maxItems: 1000,
                  items: { type: 'string', minLength: 1, maxLength: 256 },
                },
              },
            },
          },
        },
        response: {
          201: { type: 'object', properties: { id: { type: 'string' }, likes: { type: 'integer' } } },
          404: { description: 'a liked item is unknown', type: 'object', additionalProperties: true },
          409: { description: 'the user exists', type: 'object', additionalProperties: true },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const created = state.createUser(request.body);
      return reply.code(201).send(created);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'A user, with his live counters and recent items',
        params: idParam,
        response: {
          404: { description: 'unknown user', type: 'object', additionalProperties: true },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const user = store.getUser(request.params.id);
      const u = store.userIndex(request.params.id);
      if (!user || u === undefined) throw notFound(`unknown user "${request.params.id}"`, 'id');
      return {
        id: user.id,
        attributes: user.attributes ?? {},
        createdAt: iso(user.createdAt),
        stats: state.userStats(u),
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number } }>(
    '/v1/users/:id/history',
    {
      schema: {
        tags: ['users'],
        summary: "A user's events, newest first",
        params: idParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              user: { type: 'string' },
              events: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    item: { type: 'string' },
                    type: { type: 'string' },
                    value: { type: 'number' },
                    timestamp: { type: 'string' },
                    ingestedAt: { type: 'string' },
                  },
                },
              },
            },
          },
          404: { description: 'unknown user', type: 'object', additionalProperties: true },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const id = request.params.id;
      if (store.userIndex(id) === undefined) throw notFound(`unknown user "${id}"`, 'id');
      const events = store.userEvents(id, request.query.limit).map((e) => ({
        item: e.item,
        type: e.type,
        value: e.value,
        timestamp: iso(e.timestamp),
        ingestedAt: iso(e.ingestedAt),
      }));
      return { user: id, events };
    },
  );
}
