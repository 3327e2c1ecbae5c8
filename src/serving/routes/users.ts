/** Users: POST /v1/users (with onboarding preferences), GET /v1/users/{id}, GET /v1/users/{id}/history. */
import { isoTime } from '../parse.js';
import type { RoutePlugin } from '../schema-types.js';
import { errorReplies, idParam } from '../schemas.js';

/** GET /v1/users/{id}: the user as stored, with his live counters. */
const userAnswerSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    attributes: { type: 'object', additionalProperties: true },
    createdAt: { type: 'string', description: 'ISO 8601' },
    stats: {
      type: 'object',
      required: ['events', 'items', 'recent'],
      additionalProperties: false,
      properties: {
        events: { type: 'integer' },
        items: { type: 'integer' },
        recent: { type: 'array', items: { type: 'string' }, description: 'his latest items, newest first' },
        preferences: {
          type: 'object',
          required: ['genres'],
          additionalProperties: false,
          properties: { genres: { type: 'array', items: { type: 'string' } } },
        },
      },
    },
  },
} as const;

const usersRoutes: RoutePlugin = async (app) => {
  app.post(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user, with onboarding preferences (genres, liked items)',
        operationId: 'createUser',
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
          ...errorReplies({ body: true }, { 404: 'a liked item is unknown', 409: 'the user exists' }),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await app.userService.create(request.body)),
  );

  app.get(
    '/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'A user, with his live counters and recent items',
        operationId: 'getUser',
        params: idParam,
        response: {
          200: userAnswerSchema,
          ...errorReplies({ path: true }, { 404: 'unknown user' }),
        },
      },
    },
    async (request) => {
      const { user, stats } = await app.userService.get(request.params.id);
      return { id: user.id, attributes: user.attributes ?? {}, createdAt: isoTime(user.createdAt), stats };
    },
  );

  app.get(
    '/v1/users/:id/history',
    {
      schema: {
        tags: ['users'],
        summary: "A user's events, newest first",
        operationId: 'getUserHistory',
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
          ...errorReplies({ path: true }, { 404: 'unknown user' }),
        },
      },
    },
    async (request) => {
      const id = request.params.id;
      const events = (await app.userService.history(id, request.query.limit)).map((e) => ({
        item: e.item,
        type: e.type,
        value: e.value,
        timestamp: isoTime(e.timestamp),
        ingestedAt: isoTime(e.ingestedAt),
      }));
      return { user: id, events };
    },
  );
};

export default usersRoutes;
