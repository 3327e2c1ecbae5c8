/**
 * Models: GET /v1/models (the bundle serving, every bundle on disk with its metrics, retraining status),
 * POST /v1/models/retrain (admin: train in the background, then hot-swap), POST /v1/models/reload (admin:
 * load the current bundle, or a given version, now).
 */

import { loadFaultSchema, retrainStatusSchema } from '../answers.js';
import type { RoutePlugin } from '../schema-types.js';
import { errorReplies, errorResponses } from '../schemas.js';

/** GET /v1/models. */
const modelsAnswerSchema = {
  type: 'object',
  properties: {
    serving: {
      type: ['object', 'null'],
      description: 'the bundle serving',
      properties: {
        version: { type: 'string' },
        loadedAt: { type: 'string' },
        models: { type: 'array', items: { type: 'string' } },
        bestModel: { type: 'string' },
        ranked: { type: 'string', description: 'what serves strategy=ranked' },
        similar: { type: ['string', 'null'] },
      },
    },
    lastLoadError: { anyOf: [loadFaultSchema, { type: 'null' }] },
    retrain: retrainStatusSchema,
    bundles: {
      type: 'array',
      description: "every bundle on disk with its manifest's summary (or why it does not read)",
      items: { type: 'object', additionalProperties: true },
    },
  },
} as const;

const ERROR_422 =
  'the bundle (the current one, or the version asked for) does not load; the previous one keeps serving';

const modelsRoutes: RoutePlugin = async (app) => {
  const { models, retrainer } = app;

  app.get(
    '/v1/models',
    {
      schema: {
        tags: ['models'],
        summary: 'Model bundles and their metrics',
        operationId: 'listModels',
        response: { 200: modelsAnswerSchema, ...errorResponses },
      },
    },
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
        operationId: 'retrainModels',
        response: {
          202: {
            description: 'the training started',
            type: 'object',
            properties: { status: retrainStatusSchema },
          },
          ...errorReplies({ auth: 'admin', body: true }, { 409: 'a training is already running' }),
        },
      },
    },
    async (_request, reply) => {
      await retrainer.start();
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
        operationId: 'reloadModel',
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            version: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._-]+$' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { version: { type: 'string' }, models: { type: 'array', items: { type: 'string' } } },
          },
          ...errorReplies({ auth: 'admin', body: true }, { 422: ERROR_422 }),
        },
      },
    },
    async (request) => {
      const slot = await models.reload(request.body?.version);
      return { version: slot.version, models: [...slot.models.keys()] };
    },
  );
};

export default modelsRoutes;
