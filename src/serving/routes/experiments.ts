/**
 * Online experiments (admin): POST /v1/experiments (create; running unless a draft), GET /v1/experiments,
 * GET /v1/experiments/{id}, POST /v1/experiments/{id}/start (a draft), POST /v1/experiments/{id}/stop,
 * GET /v1/experiments/{id}/results. The logic is ../../experiments/service.ts; see docs/experiments.md.
 */
import { experimentInputSchema, experimentSchema, resultsSchema } from '../experiment-schemas.js';
import type { RoutePlugin } from '../schema-types.js';
import { errorReplies, idParam } from '../schemas.js';

/** Error answers of the admin routes: with a body, with an experiment id in the path (404 when unknown). */
const withBody = errorReplies(
  { auth: 'admin', body: true },
  { 409: 'a running experiment holds every user or has the same seed (one experiment decides an answer)' },
);
const byId = errorReplies({ auth: 'admin', path: true }, { 404: 'no such experiment' });
// start and stop take no body, but a body sent with another content type is refused (415) or too large (413)
const byIdConflict = errorReplies(
  { auth: 'admin', path: true, body: true },
  {
    404: 'no such experiment',
    409: 'the experiment is not in a state that allows it, or (start) a running experiment holds its users',
  },
);

const experimentsRoutes: RoutePlugin = async (app) => {
  const { experiments } = app;
  const admin = { auth: 'admin' as const };

  app.post(
    '/v1/experiments',
    {
      config: admin,
      schema: {
        tags: ['experiments'],
        summary: 'Create an experiment (admin)',
        operationId: 'createExperiment',
        description:
          'Variants name a strategy (a model, ranked, or interleave:A,B) or a bundle version, with weights; users are assigned by GrowthBook\'s v2 hash of seed and user id. It runs at once unless status is "draft"; refused (409) while a running experiment holds every user (coverage 1) or has the same seed (the earliest started running experiment decides a user\'s answer).',
        body: experimentInputSchema,
        response: { 201: experimentSchema, ...withBody },
      },
    },
    async (request, reply) => reply.code(201).send(await experiments.create(request.body)),
  );

  app.get(
    '/v1/experiments',
    {
      config: admin,
      schema: {
        tags: ['experiments'],
        summary: 'Every experiment, newest first (admin)',
        operationId: 'listExperiments',
        response: {
          200: { type: 'object', properties: { experiments: { type: 'array', items: experimentSchema } } },
          ...errorReplies({ auth: 'admin' }),
        },
      },
    },
    async () => ({ experiments: await experiments.list() }),
  );

  app.get(
    '/v1/experiments/:id',
    {
      config: admin,
      schema: {
        tags: ['experiments'],
        summary: 'One experiment (admin)',
        operationId: 'getExperiment',
        params: idParam,
        response: { 200: experimentSchema, ...byId },
      },
    },
    async (request) => experiments.get(request.params.id),
  );

  for (const action of ['start', 'stop'] as const)
    app.post(
      `/v1/experiments/:id/${action}`,
      {
        config: admin,
        schema: {
          tags: ['experiments'],
          summary: action === 'stop' ? 'Stop an experiment (admin)' : 'Start a draft (admin)',
          operationId: action === 'stop' ? 'stopExperiment' : 'startExperiment',
          params: idParam,
          response: { 200: experimentSchema, ...byIdConflict },
        },
      },
      async (request) => experiments[action](request.params.id),
    );

  app.get(
    '/v1/experiments/:id/results',
    {
      config: admin,
      schema: {
        tags: ['experiments'],
        summary: "An experiment's results per variant (admin)",
        operationId: 'getExperimentResults',
        description:
          'Users, exposures, clicks, CTR per exposure (ratio metric, delta method) with its 95% interval, conversions per user; against the control the relative lift with its 95% interval, p-value (Welch) and an always-valid sequential interval; SRM; guardrails; with cuped=true the CUPED-adjusted lift of clicks per user; timeline=N adds the figures at N times.',
        params: idParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            cuped: { type: 'boolean', default: false },
            timeline: { type: 'integer', minimum: 0, maximum: 100, default: 0 },
            alpha: { type: 'number', exclusiveMinimum: 0, maximum: 0.5, default: 0.05 },
            tuning: {
              type: 'integer',
              minimum: 10,
              default: 5000,
              description: "the sequential test's N*: the number of users expected in all",
            },
          },
        },
        response: { 200: resultsSchema, ...byId },
      },
    },
    async (request) => {
      const q = request.query;
      return experiments.results(request.params.id, {
        cuped: q.cuped,
        timelinePoints: q.timeline,
        alpha: q.alpha,
        sequentialTuning: q.tuning,
      });
    },
  );
};

export default experimentsRoutes;
