/**
 * GET /health (no key): liveness and readiness, `{status, ready}`: 200 when a model bundle serves (and, on
 * a replica, its live state has caught up with the event log), 503 otherwise (the process is alive either
 * way); status "degraded" when a bundle failed to load while the previous one keeps serving, or a replica
 * cannot read the log. A replica's answer says where it is in the log (`log`: applied position and lag). With an admin key, the details: the bundle, the load error, warnings, the
 * retraining, counters. GET /v1/ping: an empty route behind the same auth and rate limits
 * (the baseline of the serving benchmark).
 */
import { loadFaultSchema, retrainStatusSchema } from '../answers.js';
import type { RoutePlugin } from '../schema-types.js';
import { errorReplies, errorResponses } from '../schemas.js';

const started = Date.now();

/** /health's answer: status and readiness for all, the details for admins. */
const healthSchema = {
  type: 'object',
  required: ['status', 'ready'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'unavailable'] },
    ready: {
      type: 'boolean',
      description: 'a model bundle serves and, on a replica, the live state has caught up with the event log',
    },
    log: {
      type: 'object',
      description: "a replica's place in the shared event log (absent on a single server)",
      required: ['applied', 'head', 'lag', 'caughtUp'],
      properties: {
        applied: { type: 'integer', description: 'position of the last event applied to the live state' },
        head: { type: 'integer', description: 'the log position last read' },
        lag: { type: 'integer', description: 'events stored and not yet applied, as last known' },
        caughtUp: { type: 'boolean', description: 'the first catch-up after start is done' },
        lastReadAt: { type: 'string', description: 'when the database last answered the follower' },
        error: { type: ['string', 'null'], description: 'why the log was last not read, until it is' },
      },
    },
    live: { type: 'boolean' },
    model: {
      type: ['object', 'null'],
      properties: {
        version: { type: 'string' },
        loadedAt: { type: 'string' },
        models: { type: 'array', items: { type: 'string' } },
      },
    },
    error: { anyOf: [loadFaultSchema, { type: 'null' }], description: 'the last load fault' },
    warnings: { type: 'array', items: { type: 'string' } },
    retrain: retrainStatusSchema,
    eventsIngested: { type: 'integer' },
    uptimeSeconds: { type: 'integer' },
  },
} as const;

const healthRoutes: RoutePlugin = async (app) => {
  const { models, retrainer, ingestor, logFollower } = app;
  app.get(
    '/health',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'Liveness and readiness',
        description:
          'Public: `{status, ready}`. With an admin key, the details (the bundle serving, the last load error, warnings, the retraining, counters).',
        operationId: 'getHealth',
        security: [],
        response: {
          ...errorReplies({ auth: 'public' }),
          200: { description: 'a model bundle serves', ...healthSchema },
          // not the error shape: the same answer, not ready (or the server is shutting down, in the error shape)
          503: {
            description: 'no model bundle serves (the process is alive), or the server is shutting down',
            anyOf: [healthSchema, { $ref: 'Error#' }],
          },
        },
      },
    },
    async (request, reply) => {
      const slot = models.slot;
      const error = models.lastLoadError ?? null;
      const follow = logFollower?.status();
      const log = follow && {
        applied: follow.applied,
        head: follow.head,
        lag: follow.lag,
        caughtUp: follow.caughtUp,
        lastReadAt: new Date(follow.lastReadAt).toISOString(),
        error: follow.error,
      };
      const ready = slot !== undefined && (follow?.caughtUp ?? true);
      const status = !slot
        ? 'unavailable'
        : error || slot.rankerNote || retrainer.status.state === 'failed' || follow?.error
          ? 'degraded'
          : 'ok';
      const code = ready ? 200 : 503;
      if (request.principal?.role !== 'admin')
        return reply.code(code).send({ status, ready, ...(log ? { log } : {}) });
      return reply.code(code).send({
        status,
        live: true,
        ready,
        ...(log ? { log } : {}),
        model: slot
          ? {
              version: slot.version,
              loadedAt: slot.loadedAt.toISOString(),
              // the models that answer: the candidate generators, and ranked when it loaded
              models: [...slot.models.keys(), ...(slot.hasRanked ? ['ranked'] : [])],
            }
          : null,
        error,
        warnings: slot?.rankerNote ? [`bundle ${slot.version}: ${slot.rankerNote}`] : [],
        retrain: retrainer.status,
        eventsIngested: ingestor.eventsIngested,
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
      });
    },
  );
  app.get(
    '/v1/ping',
    {
      schema: {
        tags: ['operations'],
        summary: 'An empty answer behind auth and rate limits (benchmark baseline)',
        operationId: 'ping',
        response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } }, ...errorResponses },
      },
    },
    async () => ({ ok: true }),
  );
};

export default healthRoutes;
