/**
 * Models: GET /v1/models (the bundle serving, every bundle on disk with its metrics, retraining status),
 * POST /v1/models/retrain (admin: train in the background, then hot-swap), POST /v1/models/reload (admin:
 * load the current bundle, or a given version, now).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type BundleManifest, listVersions } from '../../models/bundle.js';
import { HttpError } from '../http-error.js';
import type { OnlineState } from '../online-state.js';
import type { Retrainer } from '../retrain.js';
import { errorResponses } from '../schemas.js';

export default async function modelsRoutes(
  app: FastifyInstance,
  opts: { state: OnlineState; retrainer: Retrainer },
) {
  const { state, retrainer } = opts;

  app.get(
    '/v1/models',
    { schema: { tags: ['models'], summary: 'Model bundles and their metrics', response: errorResponses } },
    async () => {
      const slot = state.slot;
      const bundles = listVersions(state.modelsDir).map((version) => {
        try {
          const m = JSON.parse(
            readFileSync(join(state.modelsDir, version, 'manifest.json'), 'utf8'),
          ) as BundleManifest;
          return {
            version,
            createdAt: m.createdAt,
            models: m.models.map((x) => ({ name: x.name, params: x.params, fitSeconds: x.fitSeconds })),
            data: m.data,
            metrics: m.metrics ?? null,
          };
        } catch (err) {
          return { version, error: (err as Error).message };
        }
      });
      return {
        serving: slot
          ? {
              version: slot.version,
              loadedAt: slot.loadedAt.toISOString(),
              models: [...slot.models.keys()],
              bestModel: slot.bestModel,
              ranked: slot.ranked
                ? "the bundle's ranked model"
                : `${slot.rankerNote ?? 'not in the bundle'}: ranked is served by ${slot.bestModel} over the candidates`,
              similar: slot.similarModel ?? null,
            }
          : null,
        lastLoadError: state.lastLoadError ?? null,
        retrain: retrainer.status,
        bundles,
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
      if (!retrainer.start()) throw new HttpError(409, 'a training is already running');
      return reply.code(202).send({ status: retrainer.status });
    },
  );

  app.post<{ Body: { version?: string } | undefined }>(
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
      try {
        const slot = state.swap(request.body?.version);
        return { version: slot.version, models: [...slot.models.keys()] };
      } catch (err) {
        request.log.error(
          `model bundle ${request.body?.version ?? '(current)'} not loaded, the previous one keeps serving: ${(err as Error).message}`,
        );
        throw new HttpError(
          422,
          `bundle not loaded, ${state.slot ? `${state.slot.version} keeps serving` : 'none serving'}: ${(err as Error).message}`,
        );
      }
    },
  );
}
