/** GET /v1/users/{id}/recommendations: top-K for a user, by strategy (default ranked). */
import { MODEL_NAMES } from '../../types.js';
import { recommendationAnswerSchema } from '../answers.js';
import type { RoutePlugin } from '../schema-types.js';
import { errorResponses, idParam } from '../schemas.js';

const recommendationsRoutes: RoutePlugin = async (app) => {
  app.get(
    '/v1/users/:id/recommendations',
    {
      schema: {
        tags: ['recommendations'],
        summary: "A user's recommendations",
        description:
          "Top-k items for the user, seen items excluded. In a running experiment (and without `strategy`) the user's variant decides the answer, which then carries `request` (an id for events to carry) and `experiment` {id, variant}. An unknown user (or one without history) gets the most popular items. strategy=ranked orders about 300 candidates (every candidate generator, the neighbours of his recent items, popular items) with the learning-to-rank model; a bundle without it orders them by its best model, and `model` says which.",
        params: idParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            k: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
            strategy: { type: 'string', enum: [...MODEL_NAMES], description: 'default: ranked' },
            exclude_seen: { type: 'boolean', default: true },
            genre: { type: 'string', minLength: 1, maxLength: 100, description: 'only items of this genre' },
            explain: {
              type: 'boolean',
              default: false,
              description: "add each item's candidate sources and top features",
            },
          },
        },
        response: { 200: recommendationAnswerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      return app.experimentServing.answer({
        userId: request.params.id,
        k: q.k,
        ...(q.strategy !== undefined ? { strategy: q.strategy } : {}),
        excludeSeen: q.exclude_seen,
        ...(q.genre !== undefined ? { genre: q.genre } : {}),
        explain: q.explain,
      });
    },
  );
};

export default recommendationsRoutes;
