/**
 * Builds the HTTP API (Fastify 5): OpenAPI 3.1 document at /openapi.json and interactive docs at /docs,
 * API-key auth, per-key rate limits, Prometheus metrics, and one plugin per route group. Every route
 * validates its input by JSON schema; any fault answers JSON `{statusCode, error, message, field?}` where
 * `field` names the request field at fault (400), and no input can crash the server.
 */
import { STATUS_CODES } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { RecoError } from '../errors.js';
import { type ApiKey, KeyRing } from './api-keys.js';
import { HttpError } from './http-error.js';
import type { OnlineState } from './online-state.js';
import auth from './plugins/auth.js';
import metrics from './plugins/metrics.js';
import rateLimit from './plugins/rate-limit.js';
import { Retrainer, type Trainer } from './retrain.js';
import eventsRoutes from './routes/events.js';
import healthRoutes from './routes/health.js';
import itemsRoutes from './routes/items.js';
import modelsRoutes from './routes/models.js';
import recommendationsRoutes from './routes/recommendations.js';
import usersRoutes from './routes/users.js';

export interface AppOptions {
  state: OnlineState;
  keys: ApiKey[];
  /** Requests per second per key; 0 turns limiting off. Default 2,000. */
  rateLimit?: number;
  /** Largest request body in bytes (event and item batches allow 32 MiB). Default 1 MiB. */
  bodyLimit?: number;
  logger?: FastifyServerOptions['logger'];
  /** How POST /v1/models/retrain trains (default: `reco train` in a child process). */
  trainer?: Trainer;
  /** Node's default process metrics in /metrics (default true). */
  defaultMetrics?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    retrainer: Retrainer;
  }
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** "/events/3/user" + context -> "events[3].user"; the property a `required` or `additionalProperties` error names. */
export function fieldOf(e: AjvError): string {
  let path = '';
  for (const seg of e.instancePath.split('/').slice(1)) {
    const s = seg.replaceAll('~1', '/').replaceAll('~0', '~');
    path += /^\d+$/.test(s) ? `[${s}]` : path === '' ? s : `.${s}`;
  }
  const extra = (e.params['missingProperty'] ?? e.params['additionalProperty']) as string | undefined;
  if (extra !== undefined) path += path === '' ? extra : `.${extra}`;
  return path === '' ? '(body)' : path;
}

function validationMessage(e: AjvError): string {
  if (e.keyword === 'required') return 'is required';
  if (e.keyword === 'additionalProperties') return 'is not a known field';
  if (e.keyword === 'enum') return `${e.message} (${(e.params['allowedValues'] as unknown[]).join(', ')})`;
  return e.message ?? 'is invalid';
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { state } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: false,
        allowUnionTypes: true,
      },
    },
    return503OnClosing: true,
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.validation && err.validation.length > 0) {
      const errors = err.validation as unknown as AjvError[];
      const e = errors.find((x) => x.keyword !== 'if') ?? errors[0]!;
      const field = fieldOf(e);
      return reply
        .code(400)
        .send({ statusCode: 400, error: 'Bad Request', message: `${field}: ${validationMessage(e)}`, field });
    }
    if (err instanceof HttpError) {
      return reply.code(err.statusCode).send({
        statusCode: err.statusCode,
        error: STATUS_CODES[err.statusCode] ?? 'Error',
        message: err.message,
        ...(err.field ? { field: err.field } : {}),
      });
    }
    if (err instanceof RecoError)
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: err.message });
    const code = typeof err.statusCode === 'number' ? err.statusCode : 500;
    // a body that does not parse (bad JSON, forbidden __proto__ keys): the body as a whole is at fault
    if (code === 400 && (err.code?.startsWith('FST_ERR_CTP_') || err instanceof SyntaxError))
      return reply
        .code(400)
        .send({ statusCode: 400, error: 'Bad Request', message: err.message, field: '(body)' });
    if (code >= 400 && code < 500)
      return reply
        .code(code)
        .send({ statusCode: code, error: STATUS_CODES[code] ?? 'Error', message: err.message });
    request.log.error({ err }, 'request failed');
    return reply
      .code(500)
      .send({ statusCode: 500, error: 'Internal Server Error', message: `internal error: ${err.message}` });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      statusCode: 404,
      error: 'Not Found',
      message: `no route ${request.method} ${request.url.split('?')[0]} (see /docs)`,
    }),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'reco API',
        version: '1',
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

  await app.register(auth, { keys: new KeyRing(options.keys) });
  await app.register(rateLimit, { max: options.rateLimit ?? 2000 });
  await app.register(metrics, {
    state,
    ...(options.defaultMetrics !== undefined ? { defaultMetrics: options.defaultMetrics } : {}),
  });

  const retrainer = new Retrainer(state, options.trainer, (level, msg) => app.log[level](msg));
  app.decorate('retrainer', retrainer);
  await app.register(healthRoutes, { state, retrainer });
  await app.register(recommendationsRoutes, { state });
  await app.register(itemsRoutes, { state });
  await app.register(eventsRoutes, { state });
  await app.register(usersRoutes, { state });
  await app.register(modelsRoutes, { state, retrainer });
  return app;
}
