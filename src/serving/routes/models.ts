/**
 * Models: GET /v1/models (the bundle serving, every bundle on disk with its metrics, retraining status),
 * POST /v1/models/retrain (admin: train in the background, then hot-swap), POST /v1/models/reload (admin:
 * load the current bundle, or a given version, now).
 */
import type { RoutePlugin } from '../schema-types.js';
import { errorResponses } from '../schemas.js';

const modelsRoutes: RoutePlugin = async (app) => {
  const { models, retrainer } = app;

  app.get(
    '/v1/models',
    { schema: { tags: ['models'], summary: 'Model bundles and their metrics', response: errorResponses } },
    async () => {
      const slot = models.slot;
      return {
        serving: slot
          ? {
              version: slot.version,
              loadedAt: slot.loadedAt.toISOString(),
              models: [...slot.models.keys()],
              bestModel: slot.bestModel,
              ranked: slot.hasRanked
                ? "the bundle's ranked model"
                : `${slot.rankerNote ?? 'not in the bundle'}: ranked is served by ${slot.bestModel} over the candidates`,
              similar: slot.similarModel ?? null,
            }
          : null,
        lastLoadError: models.lastLoadError ?? null,
        retrain: retrainer.status,
        bundles: models.bundles(),
      };
    },
  );

  app.post(
    '/v1/models/retrain',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['models'],
        summary: 'Retrain in the background and swap the new bundle in (admin)',
        response: {
          202: { type: 'object', additionalProperties: true },
          409: { description: 'a training is already running', type: 'object', additionalProperties: true },
          ...errorResponses,
        },
      },
    },
    async (_request, reply) => {
      retrainer.start();
      return reply.code(202).send({ status: retrainer.status });
    },
  );

  app.post(
    '/v1/models/reload',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['models'],
        summary: 'Load the current bundle (or a version) and swap it in now (admin)',
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            version: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._-]+$' },
          },
        },
        response: errorResponses,
      },
    },
    async (request) => {
      const slot = await models.reload(request.body?.version);
      return { version: slot.version, models: [...slot.models.keys()] };
    },
  );
};

export default modelsRoutes;
