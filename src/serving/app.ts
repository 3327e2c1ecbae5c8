/**
 * Builds the HTTP API (Fastify 5) over the services (./compose.ts): it only wires. The OpenAPI 3.1
 * document at /openapi.json and interactive docs at /docs, the one error handler (./plugins/errors.ts),
 * API-key auth, per-key rate limits, the services as decorators (./plugins/services.ts), Prometheus
 * metrics, and one plugin per route group (./routes/: each parses, calls a service and answers).
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { WebServices } from '../web/compose-web.js';
import { webApp } from '../web/web-app.js';
import { type ApiKey, KeyRing } from './api-keys.js';
import type { Services } from './compose.js';
import auth from './plugins/auth.js';
import errors, { clientErrorResponse, frameworkError } from './plugins/errors.js';
import metrics from './plugins/metrics.js';
import rateLimit from './plugins/rate-limit.js';
import services from './plugins/services.js';
import validation from './plugins/validation.js';
import type { Trainer } from './retrain.js';
import eventTypesRoutes from './routes/event-types.js';
import eventsRoutes from './routes/events.js';
import experimentsRoutes from './routes/experiments.js';
import healthRoutes from './routes/health.js';
import itemsRoutes from './routes/items.js';
import modelsRoutes from './routes/models.js';
import recommendationsRoutes from './routes/recommendations.js';
import usersRoutes from './routes/users.js';
import { MAX_PATH_PARAM } from './schemas.js';
import type { SharedLimits } from './shared-limits.js';

export interface AppOptions {
  services: Services;
  keys: ApiKey[];
  /** Requests per second per key; 0 turns limiting off. Default 2,000. */
  rateLimit?: number;
  /** Rate limits counted in Redis, shared with other replicas (./shared-limits.ts). */
  sharedLimits?: SharedLimits;
  /** Largest request body in bytes (event and item batches allow 32 MiB). Default 1 MiB. */
  bodyLimit?: number;
  logger?: FastifyServerOptions['logger'];
  /** How POST /v1/models/retrain trains (default: the training library in a worker thread). */
  trainer?: Trainer;
  /** Node's default process metrics in /metrics (default true). */
  defaultMetrics?: boolean;
  /** The web app (../web/): its services; the API's keys are then its key ring's. */
  web?: WebServices;
  /** Trust X-Forwarded-* from a reverse proxy (secure cookies behind TLS termination). */
  trustProxy?: boolean;
}

/** Fastify's own faults before a route runs, answered in the one error shape (./plugins/errors.ts). */
function answerFrameworkError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const answer = frameworkError(err);
  void reply.code(answer.statusCode).send(answer);
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // ids up to their longest reach validation (a 400 naming the parameter); far longer ones are a 414
    routerOptions: { maxParamLength: MAX_PATH_PARAM },
    return503OnClosing: true,
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: (_err, socket) => {
      if (socket.writable) socket.end(clientErrorResponse());
    },
    trustProxy: options.trustProxy ?? false,
  });
  await app.register(errors);
  await app.register(validation);
  await app.register(swagger, {
    // shared schemas (the error shape) by their $id in components.schemas
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json['$id'] ?? `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      servers: [{ url: '/', description: 'the server that serves this document' }],
      info: {
        title: 'reco API',
        version: '1',
        license: { name: 'MIT', identifier: 'MIT' },
        description:
          'A real-time recommender: events in, recommendations out. Send an API key as "Authorization: Bearer KEY" or "X-API-Key: KEY"; client keys may send events and read, admin keys may also train and manage models.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());

  await app.register(auth, { keys: options.web?.keyRing ?? new KeyRing(options.keys) });
  await app.register(rateLimit, {
    max: options.rateLimit ?? 2000,
    ...(options.sharedLimits ? { shared: options.sharedLimits } : {}),
  });
  await app.register(services, {
    services: options.services,
    ...(options.trainer ? { trainer: options.trainer } : {}),
  });
  await app.register(
    metrics,
    options.defaultMetrics !== undefined ? { defaultMetrics: options.defaultMetrics } : {},
  );
  await app.register(healthRoutes);
  await app.register(recommendationsRoutes);
  await app.register(itemsRoutes);
  await app.register(eventsRoutes);
  await app.register(eventTypesRoutes);
  await app.register(usersRoutes);
  await app.register(modelsRoutes);
  await app.register(experimentsRoutes);
  // the web app for people and operators, on the same port (../web/)
  if (options.web) await app.register(webApp, { web: options.web });
  return app;
}
